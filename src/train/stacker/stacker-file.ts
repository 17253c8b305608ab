/**
 * The learned stacker as a versioned artifact: a self-describing JSON file (format, version, the inputs in
 * order, the weights or the tree model, what it was fitted on and how it scored), named by the SHA-256 of its
 * content. It is written to the lake as `models/stacker/<hash>.json` (create-only: a file never changes) and
 * logged to MLflow with the training run; `state/stacker/current.json` (compare-and-swap) names the one the
 * router uses, so an older stacker stays readable and a rollback is one pointer move.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { snakeName } from "../../config/schemas/common.ts";
import { DataError } from "../../domain/errors.ts";
import { deserialiseModel, serialiseModel } from "../../kernels/learn/index.ts";
import { readState, updateState } from "../../lake/state.ts";
import type { ObjectStore } from "../../lake/types.ts";
import type { StackerEvaluation, StackerFit } from "./fit-stacker.ts";

export const STACKER_FORMAT = "trademl.stacker";
export const STACKER_FORMAT_VERSION = 1;
export const STACKER_PREFIX = "models/stacker/";
export const STACKER_CURRENT_KEY = "state/stacker/current.json";

/** How every input is transformed before the blend (fit-stacker.ts `stackerFeatures`). */
export const STACKER_INPUT_TRANSFORM = "rank_per_date_missing_as_median";

const finite = z.number();

const stackerBody = z.strictObject({
  format: z.literal(STACKER_FORMAT),
  format_version: z.literal(STACKER_FORMAT_VERSION),
  model: z.enum(["nnls", "ridge", "gbdt"]),
  input_transform: z.literal(STACKER_INPUT_TRANSFORM),
  inputs: z.array(snakeName).min(1),
  /** nnls, ridge: weight per input on the transformed scale. */
  weights: z.record(snakeName, finite).optional(),
  intercept: finite.optional(),
  /** gbdt: the learn kernels' model file (kernels/learn/model-file.ts), verbatim. */
  learn_model: z.string().optional(),
  fitted_on: z.strictObject({
    /** The training run's model whose label is the target (equities_xs, intraday_xs). */
    target_model: snakeName,
    rows: z.number().int().nonnegative(),
    dates: z.number().int().nonnegative(),
    from: z.string(),
    to: z.string(),
    /** Manifest seqs of the data the out-of-fold predictions came from. */
    snapshot: z.record(z.string(), z.number().int()),
  }),
  evaluation: z.strictObject({ folds: z.number().int(), blend_rank_ic: finite.nullable(), input_rank_ic: z.record(snakeName, finite.nullable()) }),
});

export const stackerFileSchema = stackerBody.extend({ hash: z.string().regex(/^[0-9a-f]{16}$/), created_at: z.iso.datetime() });
export type StackerFile = z.infer<typeof stackerFileSchema>;
type StackerBody = z.infer<typeof stackerBody>;

const pointerSchema = z.strictObject({ hash: z.string().regex(/^[0-9a-f]{16}$/), key: z.string(), updated_at: z.iso.datetime() });

const nullIfNaN = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function stackerKey(hash: string): string {
  return `${STACKER_PREFIX}${hash}.json`;
}

function contentHash(body: StackerBody): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 16);
}

export function buildStackerFile(
  fit: StackerFit,
  inputs: readonly string[],
  evaluation: StackerEvaluation,
  fittedOn: StackerBody["fitted_on"],
  now: Date = new Date(),
): StackerFile {
  const body: StackerBody = stackerBody.parse({
    format: STACKER_FORMAT,
    format_version: STACKER_FORMAT_VERSION,
    model: fit.model,
    input_transform: STACKER_INPUT_TRANSFORM,
    inputs: [...inputs],
    ...(fit.model === "gbdt" ? { learn_model: serialiseModel(fit.learnModel) } : { weights: { ...fit.weights }, intercept: fit.intercept }),
    fitted_on: fittedOn,
    evaluation: {
      folds: evaluation.folds,
      blend_rank_ic: nullIfNaN(evaluation.blendRankIc),
      input_rank_ic: Object.fromEntries(Object.entries(evaluation.inputRankIc).map(([k, v]) => [k, nullIfNaN(v)])),
    },
  });
  return { ...body, hash: contentHash(body), created_at: now.toISOString() };
}

export function serialiseStacker(file: StackerFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Parses and checks a stacker file: schema, and the hash against the content (a hand-edited file is refused). */
export function parseStacker(text: string, where: string): StackerFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DataError("stacker_malformed", `${where} is not JSON`, { cause: error });
  }
  const parsed = stackerFileSchema.safeParse(raw);
  if (!parsed.success) throw new DataError("stacker_malformed", `${where}: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const { hash, created_at: _created, ...body } = parsed.data;
  if (contentHash(body) !== hash) throw new DataError("stacker_hash_mismatch", `${where}: content does not match its hash ${hash}`);
  if (body.model === "gbdt" ? body.learn_model === undefined : body.weights === undefined) {
    throw new DataError("stacker_malformed", `${where}: a ${body.model} stacker needs ${body.model === "gbdt" ? "learn_model" : "weights"}`);
  }
  return parsed.data;
}

/** The fit a stacker file holds (the gbdt model file is parsed back). */
export function stackerFitOf(file: StackerFile): StackerFit {
  if (file.model === "gbdt") return { model: "gbdt", learnModel: deserialiseModel(file.learn_model ?? "") };
  return { model: file.model, weights: file.weights ?? {}, intercept: file.intercept ?? 0 };
}

/**
 * Writes the file (create-only; the same content already there is fine, since the name is its hash) and moves the
 * current pointer to it. Returns the lake key.
 */
export async function writeStacker(store: ObjectStore, file: StackerFile, signal?: AbortSignal): Promise<string> {
  const key = stackerKey(file.hash);
  const put = await store.put(key, serialiseStacker(file), { condition: { ifNoneMatch: "*" }, contentType: "application/json", ...(signal === undefined ? {} : { signal }) });
  if (!put.ok && (await store.head(key, signal === undefined ? {} : { signal })) === undefined) {
    throw new DataError("stacker_write_failed", `could not write ${key} to ${store.description}`);
  }
  await updateState(store, STACKER_CURRENT_KEY, pointerSchema, () => ({ hash: file.hash, key, updated_at: new Date().toISOString() }), signal === undefined ? {} : { signal });
  return key;
}

/** The stacker the current pointer names, or undefined when none was learned in this lake. */
export async function readCurrentStacker(store: ObjectStore, signal?: AbortSignal): Promise<StackerFile | undefined> {
  const pointer = await readState(store, STACKER_CURRENT_KEY, pointerSchema, signal);
  if (pointer === undefined) return undefined;
  const object = await store.get(pointer.value.key, signal === undefined ? {} : { signal });
  if (object === undefined) throw new DataError("stacker_missing", `${STACKER_CURRENT_KEY} names ${pointer.value.key}, which is not in the lake`);
  return parseStacker(new TextDecoder().decode(object.body), pointer.value.key);
}
