/**
 * The node's nightly DAG, declared once: adding a step is one entry here (the runner, `trademl dag`, the node's
 * schedule and the Prefect adapter all read this list). Entries are in run order, each after its dependencies.
 *
 *   collect → audit → backfill
 *               └──→ curate → reference → report → train          (role trainer)
 *                                               └──→ shadow_score  (role trainer)
 *
 * `collect` is the end-of-day completion pass of the edge collector: it takes the same per-table `ingest/…` leases
 * as the intraday passes, so whichever runs, a unit is committed once. Backfill re-audits what it fills (the
 * original chain's "audit refresh"), so no second audit step follows it. Curation does not wait for backfill (a
 * vendor outage must not leave the curated tables stale); what backfill fills is curated the next night. The
 * trainer's steps run where MLflow is configured (`trademl dag run --role trainer` on the trainer; the node runs
 * role `node` only) and are skipped with the reason elsewhere.
 * Heavy modules load inside `run`, so importing this file stays cheap (`trademl dag graph`).
 */
import type { TrademlConfig } from "../config/index.ts";
import { ConfigError, DataError, IoError } from "../domain/errors.ts";
import type { CollectionReport } from "../ingest/collector.ts";
import { PERMANENT_CODES } from "./permanent-errors.ts";
import type { DagStep, RetryPolicy } from "./types.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Vendors and the lake fail for minutes at a time; three tries spread over a few minutes ride that out. */
const PATIENT: RetryPolicy = { attempts: 3, baseMs: 30_000, capMs: 5 * MINUTE };

function duck(config: TrademlConfig): { memoryLimit: string; threads: number } {
  return { memoryLimit: config.node.duckdb.memory_limit, threads: config.node.duckdb.threads };
}

function busy(job: string, heldBy: string | undefined): never {
  throw new DataError("step_busy", `the ${job} lease is ${heldBy ?? "held by another run"}`);
}

function commitsText(commits: Readonly<Record<string, number>>): string {
  const entries = Object.entries(commits);
  return entries.length === 0 ? "no commit" : `committed ${entries.map(([t, seq]) => `${t}@${seq}`).join(", ")}`;
}

/**
 * The pass's verdict when it committed nothing: every vendor with keys refused it for good (credentials refused,
 * no entitlement: a permanent `collect_refused`, not retried — the next attempt would be refused again), or units
 * failed for reasons that may pass (a vendor down or throttling: an IoError the runner retries with backoff, and
 * the retry fetches only what is missing). A pass that committed something, had nothing to do, or stopped at a
 * spent daily budget succeeded.
 */
function collectRefusal(report: CollectionReport): Error | undefined {
  if (report.committed > 0 || report.failed === 0) return undefined;
  const permanent = report.skipped.filter((note) => note.code !== undefined && PERMANENT_CODES.has(note.code));
  const refusedVendors = new Set(permanent.map((note) => note.vendor));
  const vendors = new Set([...Object.keys(report.vendors), ...report.skipped.map((note) => note.vendor)]);
  // A spent daily budget is the day's normal end, not a failure: the vendor's remaining units wait for tomorrow.
  const spent = new Set(report.skipped.filter((note) => note.code === "vendor_budget_exhausted").map((note) => note.vendor));
  if (spent.size > 0 && [...vendors].every((v) => spent.has(v) || refusedVendors.has(v))) return undefined;
  if (refusedVendors.size > 0 && [...vendors].every((v) => refusedVendors.has(v))) {
    const reasons = permanent.map((note) => `${note.vendor}${note.table === undefined ? "" : ` ${note.table}`}: ${note.reason}`).join("; ");
    return new ConfigError("collect_refused", `every vendor with keys refused the collection (fix the keys or the plan in .env; not retried): ${reasons}`);
  }
  return new IoError("collect_failed", `${report.failed} unit(s) failed and none was committed (retried with backoff)${report.skipped.length === 0 ? "" : `: ${report.skipped.map((note) => `${note.vendor}: ${note.reason}`).join("; ")}`}`);
}

const collect: DagStep = {
  name: "collect",
  summary: "end-of-day collection pass (edge.yml tasks, vendors with keys, the reference universe)",
  dependsOn: [],
  role: "node",
  retry: { attempts: 2, baseMs: 60_000, capMs: 5 * MINUTE },
  timeoutMs: 3 * HOUR,
  lease: undefined,
  inputs: { kind: "external" },
  outputs: ["raw/"],
  async run(ctx) {
    const { runNodePass } = await import("../ingest/node-pass.ts");
    const pass = await runNodePass({
      config: ctx.config, store: ctx.store, logger: ctx.logger, signal: ctx.signal,
      ...(ctx.universe === undefined ? {} : { universe: ctx.universe }),
      ...(ctx.through === undefined ? {} : { asOf: ctx.through }),
      ...(ctx.vendorUrls === undefined ? {} : { baseUrls: ctx.vendorUrls }),
    });
    // No keys at all is a node set up without vendors (a research lake, the demo): nothing to collect, and the
    // steps after it still have the lake's raw tables to work on.
    if (pass.report === undefined) return { status: "skipped", summary: "no vendor has keys configured" };
    const r = pass.report;
    if (r.interrupted) throw new DataError("step_interrupted", "the collection pass was interrupted");
    const refused = collectRefusal(r);
    if (refused !== undefined) throw refused;
    const universe = pass.universe === undefined ? "" : `, ${pass.universe.symbols.length} symbol(s) (${pass.universe.source})`;
    return { status: "succeeded", summary: `${r.committed} of ${r.units} unit(s) committed, ${r.failed} failed, through ${r.through}${universe}` };
  },
};

const audit: DagStep = {
  name: "audit",
  summary: "raw bars into the partition_status ledger",
  dependsOn: ["collect"],
  role: "node",
  retry: PATIENT,
  timeoutMs: HOUR,
  lease: "audit",
  inputs: { kind: "tables", prefixes: ["raw/"] },
  outputs: ["qc/"],
  async run(ctx) {
    const { auditLake, qcFromConfig } = await import("../quality/audit/index.ts");
    const { VENDORS } = await import("../config/index.ts");
    const report = await auditLake(ctx.store, {
      vendors: VENDORS, holder: ctx.holder, qc: qcFromConfig(ctx.config), duckdb: duck(ctx.config), signal: ctx.signal,
      ...(ctx.through === undefined ? {} : { through: ctx.through }),
      leaseTtlMs: ctx.config.node.lake.lease_seconds * 1000, leaseRenewMs: ctx.config.node.lake.renew_seconds * 1000,
    });
    if (!report.ran) return busy("audit", report.heldBy);
    const counts = report.audited.reduce((sum, t) => ({ GREEN: sum.GREEN + t.counts.GREEN, AMBER: sum.AMBER + t.counts.AMBER, RED: sum.RED + t.counts.RED }), { GREEN: 0, AMBER: 0, RED: 0 });
    return { status: "succeeded", summary: `${report.audited.length} dataset(s) audited: GREEN ${counts.GREEN}, AMBER ${counts.AMBER}, RED ${counts.RED}` };
  },
};

const backfill: DagStep = {
  name: "backfill",
  summary: "fill ledger gaps within the vendors' backfill budgets",
  dependsOn: ["audit"],
  role: "node",
  retry: PATIENT,
  timeoutMs: 3 * HOUR,
  lease: "backfill",
  inputs: { kind: "external" },
  outputs: ["raw/", "qc/"],
  async run(ctx) {
    const { hasVendorKeys } = await import("../config/index.ts");
    const { backfillFromConfig, BACKFILL_VENDORS } = await import("../quality/backfill/from-config.ts");
    const { ledgerSymbols } = await import("../quality/audit/index.ts");
    const vendors = BACKFILL_VENDORS.filter((v) => hasVendorKeys(ctx.config.env, v));
    if (vendors.length === 0) return { status: "skipped", summary: `no backfill vendor (${BACKFILL_VENDORS.join(", ")}) has keys configured` };
    const symbols = await ledgerSymbols(ctx.store, undefined, ctx.signal);
    if (symbols.length === 0) return { status: "skipped", summary: "the ledger holds no symbols yet" };
    const lines: string[] = [];
    for (const vendor of vendors) {
      const report = await backfillFromConfig(ctx.config, ctx.store, { vendor, symbols, holder: ctx.holder, logger: ctx.logger, signal: ctx.signal });
      if (!report.ran) return busy("backfill", report.heldBy);
      lines.push(`${vendor}: ${report.tasks.length} of ${report.planned} task(s)${report.stoppedBy === "budget" ? " (budget spent)" : ""}`);
    }
    return { status: "succeeded", summary: lines.join("; ") };
  },
};

const curate: DagStep = {
  name: "curate",
  summary: "curated daily and minute bars, adjusted for corporate actions; option quotes, implied vols and SVI surfaces",
  dependsOn: ["audit"],
  role: "node",
  retry: PATIENT,
  timeoutMs: 2 * HOUR,
  lease: "curate",
  inputs: { kind: "tables", prefixes: ["raw/"] },
  outputs: ["curated/", "quarantine/", "qc/options_surface_qc"],
  async run(ctx) {
    const { runCuration } = await import("../curate/run-curation.ts");
    const run = await runCuration(ctx.store, ctx.config.curator, { holder: ctx.holder, duck: duck(ctx.config), logger: ctx.logger, signal: ctx.signal });
    if (!run.ran) return busy("curate", run.heldBy);
    const line = (label: string, r: typeof run.daily): string => `${label}: ${r.newRawParts} new raw part(s), ${r.rebuiltSymbols.length} symbol(s) rebuilt, ${r.appendedRows} row(s) appended, ${commitsText(r.commits)}`;
    const o = run.options;
    const options = o === undefined
      ? "options: off (curator.yml options.enabled)"
      : `options: ${o.newRawParts} new raw part(s), ${o.sessions.length} session(s), ${o.quotes} quote(s), ${o.quarantined} quarantined, ${o.ivRows} IV row(s), surfaces ${o.surfaces.ok} ok / ${o.surfaces.repaired} repaired / ${o.surfaces.rejected} rejected`;
    return { status: "succeeded", summary: `${line("daily", run.daily)}; ${line("minute", run.minute)}; ${options}` };
  },
};

const reference: DagStep = {
  name: "reference",
  summary: "universe, index membership and tick-size regimes from the curated bars",
  dependsOn: ["curate"],
  role: "node",
  retry: PATIENT,
  timeoutMs: HOUR,
  // No lease, like `trademl reference`: its commits are epoch 0, and a leased (higher-epoch) commit here would fence
  // every later unleased `trademl reference` run on this lake (manifest.ts refuses older epochs).
  lease: undefined,
  inputs: { kind: "tables", prefixes: ["curated/"] },
  outputs: ["reference/"],
  async run(ctx) {
    const { buildReference } = await import("../reference/index.ts");
    const { lakeAccess } = await import("../lake/lake-access.ts");
    const r = await buildReference({ lake: lakeAccess(ctx.store), tickSize: ctx.config.node.reference.tick_size, duck: duck(ctx.config), logger: ctx.logger });
    return { status: "succeeded", summary: `${r.universeRows} universe row(s), ${r.membershipRows} membership row(s), ${commitsText(r.commits)}` };
  },
};

const report: DagStep = {
  name: "report",
  summary: "the daily report: one HTML page for the session (usage, audit, backfill, curation, surfaces, trainer, DAG runs)",
  dependsOn: ["reference"],
  role: "node",
  retry: PATIENT,
  timeoutMs: HOUR,
  // It rewrites its own object (CAS on the ETag), so it needs no lease.
  lease: undefined,
  // Never skipped on unchanged tables: it also reads usage, budgets, marks, DAG runs and MLflow, which no manifest
  // seq covers.
  inputs: { kind: "external" },
  outputs: [],
  async run(ctx) {
    const { buildDailyReport } = await import("../report/index.ts");
    const built = await buildDailyReport({
      store: ctx.store, config: ctx.config, logger: ctx.logger, signal: ctx.signal,
      ...(ctx.through === undefined ? {} : { date: ctx.through }),
    });
    const { LocalStore } = await import("../lake/local-store.ts");
    const local = ctx.store instanceof LocalStore ? await ctx.store.resolvePath(built.key) : undefined;
    const failed = built.sections.filter((section) => section.state === "failed").map((section) => section.id);
    const where = local === undefined ? built.key : local;
    return { status: "succeeded", summary: `report for ${built.date} at ${where}${failed.length === 0 ? "" : `; sections that failed: ${failed.join(", ")}`}` };
  },
};

/** Why a trainer step did nothing on this machine: it needs MLflow (the registry is where models live). */
const NO_MLFLOW = "MLFLOW_TRACKING_URI is not set: trainer steps run only where MLflow is configured (the Windows trainer's .env; trademl dag run --role trainer there)";

/**
 * The models the nightly `train` step trains: every configured model the trainer can train unattended. options_vol
 * is left to `scripts/trainer.mjs --options-vol` (its own surface-QC gate decides, with a person watching), and a
 * model the trainer refuses as not built yet is named in the summary, not failed.
 */
function nightlyModels(config: TrademlConfig): string[] {
  return Object.keys(config.training).filter((model) => model !== "options_vol").sort();
}

const train: DagStep = {
  name: "train",
  summary: "trainer run of each configured model (data gate, CPCV, gates, backtest, MLflow registration and challenger); role trainer, needs MLflow",
  dependsOn: ["report"],
  role: "trainer",
  // A training run takes long and fails for reasons (a busy MLflow) a second try a few minutes later may not have.
  retry: { attempts: 2, baseMs: 5 * MINUTE, capMs: 15 * MINUTE },
  timeoutMs: 6 * HOUR,
  lease: undefined,
  // Skipped when the curated, reference and audit tables it reads did not change since its last success.
  inputs: { kind: "tables", prefixes: ["curated/equities_", "reference/", "qc/partition_status"] },
  outputs: ["backtests/"],
  async run(ctx) {
    const { mlflowConnectionFromEnv, createMlflowClient } = await import("../mlflow/index.ts");
    const connection = mlflowConnectionFromEnv(ctx.config.env);
    if (connection === undefined) return { status: "skipped", summary: NO_MLFLOW };
    const { runTrainer } = await import("../train/trainer-run.ts");
    const { lakeAccess } = await import("../lake/lake-access.ts");
    const { packageVersion } = await import("../domain/package-version.ts");
    const models = nightlyModels(ctx.config);
    if (models.length === 0) return { status: "skipped", summary: "no model is configured in configs/training/ (options_vol trains through scripts/trainer.mjs --options-vol)" };
    const client = createMlflowClient(connection, { logger: ctx.logger });
    const lines: string[] = [];
    const refused: DataError[] = [];
    try {
      for (const model of models) {
        let report: Awaited<ReturnType<typeof runTrainer>>;
        try {
          report = await runTrainer({
            model, config: ctx.config, lake: lakeAccess(ctx.store), mlflow: client, codeVersion: packageVersion(), signal: ctx.signal,
            progress: (line) => ctx.logger.info("trainer", { model, line }),
            ...(ctx.through === undefined ? {} : { today: ctx.through }),
          });
        } catch (error) {
          // A model whose data does not allow training yet (e.g. intraday_xs before a year of minute bars) is a
          // nightly fact, not a failure of the others: it is reported and the next model trains. Other errors fail the step.
          if (!(error instanceof DataError)) throw error;
          refused.push(error);
          lines.push(`${model}: not trained, ${error.message} [${error.code}]`);
          continue;
        }
        const passed = report.outcome.gates.checks.every((check) => check.passed);
        const registered = report.mlflow === undefined ? "not registered" : `MLflow version ${report.mlflow.version}${report.mlflow.challenger === undefined ? "" : `, ${report.mlflow.challenger.kind}`}`;
        lines.push(`${model}: ${report.outcome.selected.candidate.name} on ${report.rows} rows, gates ${passed ? "passed" : "failed"}, ${registered}`);
      }
    } finally {
      await client.close();
    }
    // Every model refused: the step fails with the first refusal's code (so a missing table stays a permanent failure).
    const [first] = refused;
    if (first !== undefined && refused.length === models.length) throw new DataError(first.code, `no model could train on this lake: ${lines.join("; ")}`);
    return { status: "succeeded", summary: lines.join("; ") };
  },
};

/** The shadow score is built for equities_xs (`trademl models shadow-score`); other models have no shadow scorer. */
const SHADOW_MODEL = "equities_xs";

const shadowScore: DagStep = {
  name: "shadow_score",
  summary: "score the champion's and challenger's live predictions for the session (trademl models shadow-score --date D); role trainer, needs MLflow",
  // Not after `train`: a training run that failed must not stop the live challenger's shadow period.
  dependsOn: ["report"],
  role: "trainer",
  retry: PATIENT,
  timeoutMs: HOUR,
  lease: undefined,
  // Idempotent per session (MLflow records which sessions are scored); MLflow's state is outside the lake's seqs.
  inputs: { kind: "external" },
  outputs: [],
  async run(ctx) {
    const mlflow = await import("../mlflow/index.ts");
    const connection = mlflow.mlflowConnectionFromEnv(ctx.config.env);
    if (connection === undefined) return { status: "skipped", summary: NO_MLFLOW };
    const training = ctx.config.training[SHADOW_MODEL];
    const { isCrossSectionTraining } = await import("../config/schemas/training.ts");
    if (training === undefined || !isCrossSectionTraining(training)) return { status: "skipped", summary: `no configs/training/${SHADOW_MODEL}.yml: nothing to shadow-score` };
    const { previousSession } = await import("../domain/calendar/nyse.ts");
    const { todayUtc } = await import("../domain/calendar/dates.ts");
    const { shadowScorer } = await import("../train/shadow-scorer.ts");
    const { createLearnKernels } = await import("../kernels/learn/index.ts");
    const { loadKernelModule } = await import("../kernels/load.ts");
    const { lakeAccess } = await import("../lake/lake-access.ts");
    const session = ctx.through ?? previousSession(todayUtc());
    const client = mlflow.createMlflowClient(connection, { logger: ctx.logger });
    try {
      const kernels = createLearnKernels(await loadKernelModule({ build: "release" }));
      const context = { client, model: SHADOW_MODEL, policy: training.promotion_policy, signal: ctx.signal };
      const outcome = await mlflow.shadowScoreDay(context, session, shadowScorer(lakeAccess(ctx.store), client, training, kernels));
      return { status: "succeeded", summary: `${SHADOW_MODEL} ${session}: ${outcome.kind}` };
    } finally {
      await client.close();
    }
  },
};

export const NIGHTLY_STEPS: readonly DagStep[] = [collect, audit, backfill, curate, reference, report, train, shadowScore];
