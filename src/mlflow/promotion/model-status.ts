/**
 * What `trademl models status|list` show: champion, challenger with its shadow progress, and every registered
 * version with its gates and shadow history (failed shadows included), read from MLflow alone.
 */
import { z } from "zod";
import { searchModelVersions } from "../model-versions.ts";
import type { ModelVersion } from "../schemas.ts";
import { searchLiteral } from "../search-literal.ts";
import type { PromotionContext } from "./operations.ts";
import { registryNames, TAG } from "./registry-names.ts";
import { gatesOf, loadPromotionState } from "./registry-state.ts";
import { shadowVerdict, type ShadowDay, type ShadowVerdict } from "./shadow-verdict.ts";

export interface VersionSummary {
  readonly version: string;
  readonly runId: string;
  /** Where the model's files are (an mlflow-artifacts: URI inside the run's artifacts). */
  readonly source: string;
  readonly createdAt: number | undefined;
  readonly aliases: readonly string[];
  readonly gates: "passed" | "failed" | "unknown";
  /** The last shadow's status, if the version was ever shadowed. */
  readonly shadowStatus: "running" | "passed" | "failed" | "superseded" | undefined;
  readonly shadowStartedOn: string | undefined;
  readonly shadowClosedOn: string | undefined;
  /** The verdict recorded when the shadow closed (undefined while running or when superseded). */
  readonly shadowVerdict: ShadowVerdict | undefined;
  readonly promotedOn: string | undefined;
  readonly retiredOn: string | undefined;
}

export interface ShadowProgress {
  readonly startedOn: string;
  readonly against: string | undefined;
  readonly days: readonly ShadowDay[];
  /** The verdict as it stands (status "running" until the required sessions are scored). */
  readonly verdict: ShadowVerdict;
}

export interface ModelStatus {
  readonly model: string;
  readonly registeredModel: string;
  /** False until the first version is registered. */
  readonly exists: boolean;
  readonly requiredShadowDays: number;
  readonly champion: VersionSummary | undefined;
  readonly challenger: (VersionSummary & { readonly shadow: ShadowProgress | undefined }) | undefined;
  /** Newest first, at most `limit`. */
  readonly versions: readonly VersionSummary[];
}

const verdictSchema = z.object({
  status: z.enum(["running", "passed", "failed"]),
  days: z.number(),
  required: z.number(),
  challengerMean: z.number().nullable(),
  championMean: z.number().nullable(),
  meanMargin: z.number().nullable(),
  reason: z.string(),
});

function parsedVerdict(text: string | undefined): ShadowVerdict | undefined {
  if (text === undefined || text === "") return undefined;
  try {
    const parsed = verdictSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const nonEmpty = (text: string | undefined): string | undefined => (text === undefined || text === "" ? undefined : text);

function shadowStatusOf(version: ModelVersion): VersionSummary["shadowStatus"] {
  const status = version.tags[TAG.shadowStatus];
  return status === "running" || status === "passed" || status === "failed" || status === "superseded" ? status : undefined;
}

export function summarizeVersion(version: ModelVersion): VersionSummary {
  const gates = version.tags[TAG.gates] === undefined ? "unknown" : gatesOf(version).passed ? "passed" : "failed";
  return {
    version: version.version,
    runId: version.runId,
    source: version.source,
    createdAt: version.creationTimestamp,
    aliases: version.aliases,
    gates,
    shadowStatus: shadowStatusOf(version),
    shadowStartedOn: nonEmpty(version.tags[TAG.shadowStartedOn]),
    shadowClosedOn: nonEmpty(version.tags[TAG.shadowClosedOn]),
    shadowVerdict: parsedVerdict(version.tags[TAG.shadowVerdict]),
    promotedOn: nonEmpty(version.tags[TAG.promotedOn]),
    retiredOn: nonEmpty(version.tags[TAG.retiredOn]),
  };
}

export async function modelStatus(context: PromotionContext, options: { readonly limit?: number } = {}): Promise<ModelStatus> {
  const names = registryNames(context.model);
  const call = context.signal === undefined ? {} : { signal: context.signal };
  const loaded = await loadPromotionState(context.client, names, call);
  const required = context.policy.require_shadow_days;
  const base = { model: names.model, registeredModel: names.registeredModel, requiredShadowDays: required };
  if (loaded.registeredModel === undefined) return { ...base, exists: false, champion: undefined, challenger: undefined, versions: [] };

  const page = await searchModelVersions(
    context.client,
    { filter: `name = ${searchLiteral(names.registeredModel)}`, orderBy: ["version_number DESC"], maxResults: options.limit ?? 100 },
    call,
  );
  const shadow = loaded.state.challenger?.shadow;
  return {
    ...base,
    exists: true,
    champion: loaded.champion === undefined ? undefined : summarizeVersion(loaded.champion),
    challenger:
      loaded.challenger === undefined
        ? undefined
        : {
            ...summarizeVersion(loaded.challenger),
            shadow: shadow === undefined ? undefined : { ...shadow, verdict: shadowVerdict(shadow.days, required) },
          },
    versions: page.modelVersions.map(summarizeVersion),
  };
}
