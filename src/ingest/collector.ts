/**
 * The edge collector: one pass over every configured (vendor, dataset) — plan from the lake, fetch through the
 * shared governor, write immutable parts, commit, advance bookmarks, quarantine refused rows — under a global
 * scheduler. A pass stops promptly on its AbortSignal (SIGINT/SIGTERM): in-flight requests are abandoned,
 * nothing half-done is committed, leases are released, and the next pass resumes from the lake.
 */
import { edgeSchema } from "../config/schemas/edge.ts";
import { DataError, UsageError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { keySegmentProblem } from "../lake/keys.ts";
import { DEFAULT_LEASE_TTL_MS } from "../lake/lease.ts";
import type { LeaseHandle, Manifest, ObjectStore } from "../lake/types.ts";
import { addDays, maxDate, todayUtc } from "../domain/calendar/dates.ts";
import { BudgetExhaustedError, EntitlementError, MalformedResponseError, VendorAuthError, VendorRequestError } from "../vendors/errors.ts";
import { USAGE_COUNTERS, type RateGovernor, type UsageCounters } from "../vendors/governor.ts";
import { isAbort } from "../domain/sleep.ts";
import { coverageOf, unfinishedListingParts } from "./coverage.ts";
import { rawTable } from "../lake/keys.ts";
import { DATASETS, type DatasetSpec } from "./datasets.ts";
import { fetchUnit, type Connectors, type FetchTuning, type UnitData } from "./fetch-unit.ts";
import { ContractAllowance } from "./contract-allowance.ts";
import { ensureLakeOrigin, IngestLake, type LakeOrigin } from "./ingest-lake.ts";
import { ParquetWriter } from "./parquet-writer.ts";
import { lastSessionOnOrBefore, planUnits, type Unit } from "./plan.ts";
import { runScheduler, type SkipNote, type TableJob, type UnitOutcome } from "./scheduler.ts";
import { optionUnderliers } from "./adv.ts";
import { TableCommitter } from "./group-commit.ts";
import { PolygonQc, type QcCounters, type QcNote, type QcOptions } from "./qc.ts";

export interface CollectorOptions {
  readonly store: ObjectStore;
  /** Simulated or real: checked against the lake's origin marker before anything is written. */
  readonly origin: LakeOrigin;
  readonly connectors: Connectors;
  readonly governor: RateGovernor;
  /** Equity symbols collected (edge.yml `universe`); each must be valid in a lake key. */
  readonly universe: readonly string[];
  /** FRED series collected (edge.yml `fred_series`, default the Treasury curve). */
  readonly fredSeries?: readonly string[];
  /** (vendor, dataset) pairs; default every dataset of every vendor that has a connector. */
  readonly datasets?: readonly { vendor: string; dataset: string }[];
  /** The UTC date of the pass; data is collected through the last session before it. */
  readonly today?: string;
  /** Daily history wanted, in calendar days (edge.yml `history_days`). */
  readonly historyDays?: number;
  /** Minute-bar history wanted, in calendar days (edge.yml `minute_days`). */
  readonly minuteDays?: number;
  /** How far back each vendor's plan serves history (node.yml `history_window_days`): nothing older is planned. */
  readonly vendorHistoryDays?: Readonly<Partial<Record<string, number>>>;
  /** Largest date range per request (default 120 days; Polygon 730, its whole free window in one request,
   *  since an aggregates page holds 50 000 bars and every request costs 12 s of its allowance). */
  readonly chunkDays?: number;
  readonly chunkDaysByVendor?: Readonly<Record<string, number>>;
  readonly batchSize?: number;
  /** NODE_WORKERS. */
  readonly workers?: number;
  /** NODE_MAX_INFLIGHT_<VENDOR>. */
  readonly maxInflight?: Readonly<Record<string, number>>;
  /** Option underliers sampled per day: the top-ADV symbols of the universe. */
  readonly optionUnderliers?: number;
  /** Most option contracts listed per session across underliers (edge.yml `option_contracts_per_day`). */
  readonly optionContractsPerDay?: number;
  readonly tuning?: Partial<FetchTuning>;
  /** Lease holder name (host + pid by default). */
  readonly holder?: string;
  readonly leaseTtlMs?: number;
  readonly leaseWaitMs?: number;
  /** Polygon cross-vendor QC thresholds. */
  readonly qc?: QcOptions;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export interface VendorSummary {
  units: number;
  rows: number;
  quarantinedRows: number;
  quarantinedResponses: number;
  failed: number;
}

export interface CollectionReport {
  readonly through: string;
  readonly units: number;
  readonly committed: number;
  readonly failed: number;
  readonly interrupted: boolean;
  readonly rows: Readonly<Record<string, number>>;
  readonly quarantined: Readonly<Record<string, number>>;
  readonly vendors: Readonly<Record<string, VendorSummary>>;
  readonly skipped: readonly SkipNote[];
  readonly usage: Readonly<Record<string, UsageCounters>>;
  /** Polygon QC counters and the notes raised in this pass. */
  readonly qc: QcCounters & { readonly notes: readonly QcNote[] };
  readonly durationMs: number;
}

/** The collector's defaults are edge.yml's: the schema is their only source. */
const EDGE_DEFAULTS = edgeSchema.parse({});

/** Pages one unit of a paged listing asks for before it yields its worker (the rest goes on next pass). */
const MAX_PAGES_PER_UNIT = 50;

/**
 * A resumed listing's first request refused as a bad request: the cursor expired (Polygon's cursors are not
 * documented to last; a 4xx other than auth, entitlement and rate limits is what an expired one gets).
 */
function isStaleCursor(error: unknown, signal: AbortSignal | undefined): boolean {
  return error instanceof VendorRequestError && !isAbort(error, signal);
}

/** The same unit asked from the first page. */
function fromTheBeginning(unit: Unit): Unit {
  const { cursor: _stale, ...rest } = unit;
  return { ...rest, id: unit.id.replace(/@[^@]*$/, "@start") };
}

const DATASET_ORDER = ["equities_bars", "treasury_curve", "corporate_actions", "tickers", "equities_minute", "options_chains", "options_contracts"];

function selectDatasets(options: CollectorOptions): DatasetSpec[] {
  const wanted = options.datasets;
  const available = DATASETS.filter((d) => options.connectors[d.vendor] !== undefined);
  const chosen = wanted === undefined ? available : available.filter((d) => wanted.some((w) => w.vendor === d.vendor && w.dataset === d.dataset));
  return chosen.sort((a, b) => DATASET_ORDER.indexOf(a.dataset) - DATASET_ORDER.indexOf(b.dataset));
}

/** Symbols become lake key segments downstream: a universe the lake cannot key is a usage error, before any request. */
function checkUniverse(universe: readonly string[]): void {
  const problems = universe.map(keySegmentProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new UsageError("invalid_symbol", `the universe holds symbols the lake cannot store: ${problems.join("; ")}`);
}

export async function runCollection(options: CollectorOptions): Promise<CollectionReport> {
  const started = performance.now();
  const logger = options.logger ?? silentLogger;
  const today = options.today ?? todayUtc();
  const through = lastSessionOnOrBefore(addDays(today, -1));
  checkUniverse(options.universe);
  await ensureLakeOrigin(options.store, options.origin);
  // Loading DuckDB's native library blocks the event loop for seconds on a busy or slow machine (2 s measured
  // on the shared build box, more from a Pi's SD card). Done here, before the first table lease is taken, it
  // cannot starve lease renewals; done lazily at the first write, it lost every lease of a pass under load.
  await import("@duckdb/node-api");
  const writer = new ParquetWriter(options.store);
  const holder = options.holder ?? `collector-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const lake = new IngestLake(options.store, writer, { holder, logger });
  const tuning: FetchTuning = { optionExpiryDays: 21, maxContractsPerUnderlying: 200, tickerPagesPerPass: 3, ...options.tuning };
  const rows: Record<string, number> = {};
  const quarantined: Record<string, number> = {};
  const vendors: Record<string, VendorSummary> = {};
  const summary = (vendor: string): VendorSummary => (vendors[vendor] ??= { units: 0, rows: 0, quarantinedRows: 0, quarantinedResponses: 0, failed: 0 });
  const usageBefore = snapshotUsage(options.governor);
  const contractCap = options.optionContractsPerDay ?? EDGE_DEFAULTS.option_contracts_per_day;
  const qc = new PolygonQc({ store: options.store, duck: writer, connectors: options.connectors, today, logger, ...(options.qc ? { options: options.qc } : {}) });

  const settling: Promise<void>[] = [];
  let commitFailures = 0;

  const jobs: TableJob[] = selectDatasets(options).map((spec) => {
    const table = rawTable(spec.vendor, spec.dataset);
    let lease: LeaseHandle | undefined;
    let stopped: string | undefined;
    const committer = new TableCommitter(lake, table, () => lease, {
      // "merges": units that rode along in another unit's manifest commit (commits saved by grouping).
      onCommit: (n) => {
        if (n > 1 && options.governor.vendorNames().includes(spec.vendor)) options.governor.count(spec.vendor, "merges", n - 1);
      },
    });
    const touched = new Set<string>();
    // Series this pass planned for, and the manifest it planned from: a pass killed after its commits but before
    // its bookmarks moved leaves nothing to fetch next time, so the next pass must still move those bookmarks.
    let planned: readonly string[] = [];
    let plannedFrom: Manifest | undefined;
    // Paged listings (option contracts): what the planned session may still list, across underliers.
    let contracts: ContractAllowance | undefined;
    const wantedDays = spec.dataset === "equities_minute" ? (options.minuteDays ?? EDGE_DEFAULTS.minute_days) : (options.historyDays ?? EDGE_DEFAULTS.history_days);
    const wantedStart = addDays(through, -wantedDays + 1);
    const servedDays = options.vendorHistoryDays?.[spec.vendor];
    // The vendor's history window counts back from today, as its connector clamps requests.
    const windowStart = servedDays === undefined ? wantedStart : maxDate(wantedStart, addDays(today, -servedDays + 1));

    /** Hands a fetched unit (or page) to the group committer; `finishes` says whether it completes its unit. */
    const submitFetched = (unit: Unit, data: UnitData, s: VendorSummary, finishes: boolean, supersedes: readonly string[]): Promise<Manifest> => {
      const committed = committer.submit({
        table, vendor: unit.vendor, dataset: unit.dataset, series: unit.series, unitStart: unit.start, unitEnd: unit.end, records: data.records, windowStart,
        ...(data.cursorNext !== undefined ? { cursorNext: data.cursorNext } : {}),
        ...(supersedes.length > 0 ? { supersedes } : {}),
      });
      const settled = committed.then(
        () => {
          for (const series of unit.series) touched.add(series);
          rows[table] = (rows[table] ?? 0) + data.records.length;
          s.rows += data.records.length;
          if (finishes) s.units++;
          logger.debug("unit committed", { unit: unit.id, rows: data.records.length, rejected: data.rejected.length });
        },
        (error: unknown) => {
          commitFailures++;
          s.failed++;
          if (error instanceof DataError && (error.code === "lease_lost" || error.code === "stale_epoch")) stopped = `lease lost: ${error.message}`;
          logger.warn("unit commit failed", { unit: unit.id, error });
        },
      );
      settling.push(settled);
      return committed;
    };

    /** Quarantines refused rows and runs QC on what was fetched; neither is ever a reason to lose the unit. */
    const inspectFetched = async (unit: Unit, data: UnitData, s: VendorSummary): Promise<void> => {
      if (data.rejected.length > 0) {
        await lake.quarantine({ vendor: unit.vendor, dataset: unit.dataset, unitId: unit.id, day: today, records: data.rejected })
          .catch((error: unknown) => logger.warn("quarantine write failed", { unit: unit.id, error }));
        for (const r of data.rejected) quarantined[r.reason] = (quarantined[r.reason] ?? 0) + 1;
        s.quarantinedRows += data.rejected.length;
      }
      await qc.check(unit, data.records, options.signal).catch((error: unknown) => logger.warn("qc check failed", { unit: unit.id, error }));
    };

    const runUnit = async (first: Unit): Promise<UnitOutcome> => {
      const s = summary(first.vendor);
      const paged = spec.shape === "latest_paged";
      const series = first.series[0] ?? "";
      let unit = first;
      let supersedes: readonly string[] = [];
      // A paged listing commits each page with the cursor after it, then asks for the next page from that cursor:
      // an interrupted listing resumes where it stopped. Bounded per unit; a longer listing goes on next pass.
      for (let page = 0; page < (paged ? MAX_PAGES_PER_UNIT : 1); page++) {
        if (stopped) return { kind: "stop_job", reason: stopped };
        const allowance = paged ? contracts?.reserve(series) : undefined;
        if (allowance === 0) {
          // The day's cap spent: no other underlier lists anything either. Only this underlier's cap: it is done.
          if (contracts?.dayExhausted === true) return { kind: "enough", reason: `the session's option-contract cap is reached (edge.yml option_contracts_per_day ${contractCap})` };
          break;
        }
        let data: UnitData;
        try {
          data = await fetchUnit(unit, options.connectors, allowance === undefined ? tuning : { ...tuning, maxContractsPerUnderlying: allowance }, options.signal);
        } catch (error) {
          if (allowance !== undefined) contracts?.settle(series, allowance, 0);
          if (page === 0 && unit.cursor && isStaleCursor(error, options.signal)) {
            // The vendor no longer honours the committed cursor (expired): list from the beginning, and let the
            // first new page's commit remove the old pages, which the new ones list again.
            const old = unfinishedListingParts(committer.manifest ?? plannedFrom, series, unit.start);
            contracts?.forget(series, old.rows);
            supersedes = old.keys;
            logger.warn("listing cursor refused; listing again from the beginning", { unit: unit.id, parts: old.keys.length, error });
            unit = fromTheBeginning(unit);
            continue;
          }
          return failure(unit, s, error);
        }
        if (allowance !== undefined) contracts?.settle(series, allowance, data.records.length);
        // Interrupted while fetching: abandon, commit nothing.
        if (options.signal?.aborted) return { kind: "failed", reason: "interrupted" };
        const more = paged && data.cursorNext !== undefined && data.cursorNext !== "";
        const committed = submitFetched(unit, data, s, !more, supersedes);
        await inspectFetched(unit, data, s);
        if (!more) break;
        // The next page is asked for only once this one's cursor is committed.
        const landed = await committed.then(() => true, () => false);
        if (!landed) return { kind: "failed", reason: "a page of the listing was not committed" };
        unit = { ...unit, cursor: data.cursorNext ?? "" };
        supersedes = [];
      }
      // Back-pressure: only wait for the lake when too many units are queued for commit.
      await committer.room();
      return { kind: "done" };
    };

    const failure = async (unit: Unit, s: VendorSummary, error: unknown): Promise<UnitOutcome> => {
      if (isAbort(error, options.signal)) return { kind: "failed", reason: "interrupted" };
      s.failed++;
      if (error instanceof MalformedResponseError) {
        // The whole response is unusable even after retries: keep it with its reason, move on.
        await lake.quarantine({
          vendor: unit.vendor, dataset: unit.dataset, unitId: unit.id, day: today,
          records: [{ reason: "malformed_response", detail: error.reason, source_name: unit.vendor, source_uri: error.facts.path, raw: error.rawBody.slice(0, 20_000) }],
        }).catch((e: unknown) => logger.warn("quarantine write failed", { error: e }));
        quarantined["malformed_response"] = (quarantined["malformed_response"] ?? 0) + 1;
        s.quarantinedResponses++;
        logger.warn("unit quarantined", { unit: unit.id, reason: error.reason });
        return { kind: "failed", reason: error.message };
      }
      if (error instanceof EntitlementError) return { kind: "stop_job", reason: `not entitled: ${error.message}`, code: error.code };
      if (error instanceof BudgetExhaustedError) return { kind: "stop_vendor", reason: error.message, code: error.code };
      if (error instanceof VendorAuthError) return { kind: "stop_vendor", reason: error.message, code: error.code };
      logger.warn("unit failed", { unit: unit.id, error });
      return { kind: "failed", reason: error instanceof Error ? error.message : String(error) };
    };

    return {
      vendor: spec.vendor,
      table,
      async activate() {
        lease = await lake.acquireTable(table, options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
        if (!lease) return { kind: "held" };
        plannedFrom = await lake.currentManifest(table);
        const coverage = coverageOf(plannedFrom);
        let series: readonly string[] = spec.vendor === "fred" ? (options.fredSeries ?? EDGE_DEFAULTS.fred_series) : options.universe;
        if (spec.dataset === "options_chains" || spec.dataset === "options_contracts") {
          series = await optionUnderliers(options.store, writer, options.universe, lastSessionOnOrBefore(through), options.optionUnderliers ?? 3);
        }
        const chunkDays = options.chunkDaysByVendor?.[spec.vendor] ?? options.chunkDays ?? (spec.vendor === "polygon" ? 730 : 120);
        planned = series;
        const units = planUnits({ spec, table, series, windowStart, through, coverage, chunkDays, batchSize: options.batchSize ?? 50 });
        if (spec.shape === "latest_paged") {
          contracts = ContractAllowance.fromManifest(plannedFrom, lastSessionOnOrBefore(through), { perDay: contractCap, perSeries: tuning.maxContractsPerUnderlying });
        }
        logger.info("table planned", { table, units: units.length });
        return { kind: "ready", units };
      },
      run: runUnit,
      async finish() {
        // Everything fetched is committed before the lease goes; bookmarks move only after those commits.
        await committer.flush();
        const manifest = committer.manifest ?? plannedFrom;
        const series = new Set([...planned, ...touched]);
        if (manifest && series.size > 0) {
          await lake.advanceBookmarks({ table, vendor: spec.vendor, dataset: spec.dataset, series, windowStart }, manifest)
            .catch((error: unknown) => logger.warn("bookmark update failed", { table, error }));
        }
        const l = lease;
        lease = undefined;
        await l?.release().catch((error: unknown) => logger.warn("lease release failed", { table, error }));
      },
    };
  });

  let result;
  try {
    result = await runScheduler(jobs, {
      workers: options.workers ?? 2,
      maxInflight: options.maxInflight ?? {},
      isCoolingDown: (v) => options.governor.vendorNames().includes(v) && options.governor.isCoolingDown(v),
      readyIn: (v) => (options.governor.vendorNames().includes(v) ? options.governor.readyIn(v) : 0),
      leaseWaitMs: options.leaseWaitMs ?? 2_000,
      ...(options.signal ? { signal: options.signal } : {}),
      logger,
    });
  } finally {
    await Promise.all(settling);
    await writer.close();
  }
  const usage = usageDelta(options.governor, usageBefore);
  for (const [vendor, counters] of Object.entries(usage)) {
    const s = vendors[vendor];
    await lake.addUsage(vendor, today, {
      ...counters, units: s?.units ?? 0, rows: s?.rows ?? 0, quarantined_rows: s?.quarantinedRows ?? 0, quarantined_responses: s?.quarantinedResponses ?? 0,
      ...(vendor === "polygon" ? { ...qc.counters } : {}),
    }).catch((error: unknown) => logger.warn("usage write failed", { vendor, error }));
  }
  return {
    through, units: result.units, committed: Object.values(vendors).reduce((n, v) => n + v.units, 0), failed: result.failed + commitFailures, interrupted: result.interrupted,
    rows, quarantined, vendors, skipped: result.skipped, usage, qc: { ...qc.counters, notes: qc.notes }, durationMs: Math.round(performance.now() - started),
  };
}

function snapshotUsage(governor: RateGovernor): Record<string, UsageCounters> {
  const out: Record<string, UsageCounters> = {};
  for (const vendor of governor.vendorNames()) {
    const total = Object.fromEntries(USAGE_COUNTERS.map((k) => [k, 0])) as UsageCounters;
    for (const day of Object.values(governor.usage(vendor))) for (const k of USAGE_COUNTERS) total[k] += day[k];
    out[vendor] = total;
  }
  return out;
}

function usageDelta(governor: RateGovernor, before: Record<string, UsageCounters>): Record<string, UsageCounters> {
  const now = snapshotUsage(governor);
  const out: Record<string, UsageCounters> = {};
  for (const [vendor, counters] of Object.entries(now)) {
    const prev = before[vendor];
    const delta = Object.fromEntries(USAGE_COUNTERS.map((k) => [k, counters[k] - (prev?.[k] ?? 0)])) as UsageCounters;
    if (delta.requests > 0) out[vendor] = delta;
  }
  return out;
}
