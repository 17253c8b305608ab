/**
 * A demo lake for the daily report's tests: `trademl demo`'s collection, audit and curation on the simulator
 * (real DuckDB, real parts), plus what the demo does not make yet, written the way its producers write it — a
 * RED and an AMBER ledger row, backfill marks, a vendor budget booked through the lake quota, quarantined bars,
 * option surfaces, a backtest's daily PnL and a DAG run record — each with values the tests know by hand.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type TrademlConfig } from "../../src/config/index.ts";
import { DuckSession } from "../../src/db/session.ts";
import { PartWriter } from "../../src/db/part-writer.ts";
import { NIGHTLY_STEPS, checkGraph, selectSteps } from "../../src/dag/index.ts";
import { runDemo } from "../../src/demo/index.ts";
import { todayUtc } from "../../src/domain/calendar/dates.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { LEDGER_TABLE } from "../../src/quality/audit/ledger.ts";
import { addMarks } from "../../src/quality/backfill/marks.ts";
import { lakeQuota } from "../../src/vendors/lake-quota.ts";

export const CONFIGS = fileURLToPath(new URL("../../configs", import.meta.url));
export const SYMBOLS = ["AAPL", "MSFT", "SPY"] as const;

/** Known values the tests check against. */
export const PLANTED = {
  red: { source: "alpaca", table: "equities_eod", symbol: "ZZRED", session: "2026-11-02" },
  amber: { source: "polygon", table: "equities_eod", symbol: "ZZAMB", session: "2026-11-03" },
  /** October 2026: 22 weekdays, no NYSE holiday. */
  marks: { source: "alpaca", table: "equities_eod", symbol: "AAPL", complete: ["2026-10-01", "2026-10-31"] as [string, string], sessions: 22 },
  budget: { vendor: "polygon", consumer: "backfill", want: 40, total: 7000 },
  /** Refused by the collector (quarantine/raw/finnhub/equities_bars): two objects of the day. */
  ingestQuarantine: { bad_symbol: 3, non_positive_price: 1 },
  quarantine: [
    { reasons: "high < low", n: 3 },
    { reasons: "negative volume; high < low", n: 2 },
  ],
  /** SVI: w(0) = a + b·sigma (rho·(0 − m) vanishes with m = 0) = 0.02; vol(0) = sqrt(0.02 / 0.25). */
  surface: { underlying: "AAPL", t: 0.25, a: 0.01, b: 0.1, rho: -0.5, m: 0, sigma: 0.1, kMin: -0.2, kMax: 0.2, volAtZero: Math.sqrt(0.08) },
  pnl: { run: "r1", nets: [0.01, -0.02, 0.03], total: 0.02, maxDrawdown: 0.02, sharpe: 4.2053 },
  dagRun: "nightly-fixture",
} as const;

export interface ReportLake {
  readonly dir: string;
  readonly lakeDir: string;
  readonly store: LocalStore;
  readonly config: TrademlConfig;
  /** The UTC day the demo ran (its usage and commits are dated so). */
  readonly date: string;
  /** The session the planted option surfaces are of. */
  readonly surfaceSession: string;
  close(): Promise<void>;
}


/** The demo lake alone (no planted rows): what a new node has after its first night. */
export async function demoLake(): Promise<ReportLake> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-report-"));
  const lakeDir = join(dir, "lake");
  const config = await loadConfig({ configDir: CONFIGS, env: {}, envFile: false });
  await runDemo({ lakeDir, symbols: [...SYMBOLS], days: 30, minuteDays: 1, steps: selectSteps(checkGraph(NIGHTLY_STEPS), { steps: ["audit", "backfill", "curate", "reference"] }), config });
  const store = new LocalStore({ root: lakeDir });
  const date = todayUtc(await store.serverTime());
  return { dir, lakeDir, store, config, date, surfaceSession: date, close: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
}

/** The demo lake with every planted record. */
export async function reportLake(): Promise<ReportLake> {
  const lake = await demoLake();
  const { store, date } = lake;
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "256MB", threads: 1 });
  const writer = new PartWriter({ session: duck, store });
  try {
    const audited = new Date().toISOString().replace("T", " ").slice(0, 19);
    // The ledger's own column types (src/quality/audit/ledger.ts LEDGER_COLUMNS), reasons a VARCHAR[] as the audit writes it.
    const row = (p: { source: string; table: string; symbol: string; session: string }, status: string, reason: string, rows: number): string =>
      `('${p.source}', '${p.table}', '${p.symbol}', DATE '${p.session}', ${rows}, ${rows}, 0, 1, ${rows}.0, '${status}', ['${reason}'], '${status}', TIMESTAMP '${audited}')`;
    const ledger = await writer.writeQuery(
      `SELECT * FROM (VALUES ${row(PLANTED.red, "RED", "missing_session", 0)}, ${row(PLANTED.amber, "AMBER", "duplicates", 1)})
         AS t(source, table_name, symbol, session, rows, raw_rows, duplicates, expected, ratio, status, reasons, partition_fp, audited_at)`,
      { folder: `${LEDGER_TABLE}/source=planted` },
    );
    await writer.append(LEDGER_TABLE, [ledger]);

    await addMarks(store, { source: PLANTED.marks.source, table: PLANTED.marks.table, entries: [{ symbol: PLANTED.marks.symbol, complete: [PLANTED.marks.complete], unavailable: [] }], now: new Date() });
    await lakeQuota(store).reserve({ vendor: PLANTED.budget.vendor, consumer: PLANTED.budget.consumer, want: PLANTED.budget.want, total: PLANTED.budget.total, share: PLANTED.budget.total });

    const quarantineRows = PLANTED.quarantine.flatMap(({ reasons, n }) => Array.from({ length: n }, (_, i) => ({ symbol: "AAPL", date: `2026-11-${String(10 + i).padStart(2, "0")}`, close: 1, reasons })));
    const quarantine = await writer.writeRows([["symbol", "VARCHAR"], ["date", "DATE"], ["close", "DOUBLE"], ["reasons", "VARCHAR"]], quarantineRows, { folder: "quarantine/equities_bars" });
    await writer.append("quarantine/equities_bars", [quarantine]);

    const s = PLANTED.surface;
    const surfaceRow = (underlying: string, expiry: string, qc: string) => ({
      underlying, date: lake.surfaceSession, expiry, t: s.t, forward: 100, a: s.a, b: s.b, rho: s.rho, m: s.m, sigma: s.sigma,
      k_min: s.kMin, k_max: s.kMax, qc_status: qc, fit_status: "ok",
    });
    const surfaces = await writer.writeRows(
      [["underlying", "VARCHAR"], ["date", "DATE"], ["expiry", "DATE"], ["t", "DOUBLE"], ["forward", "DOUBLE"], ["a", "DOUBLE"], ["b", "DOUBLE"], ["rho", "DOUBLE"],
        ["m", "DOUBLE"], ["sigma", "DOUBLE"], ["k_min", "DOUBLE"], ["k_max", "DOUBLE"], ["qc_status", "VARCHAR"], ["fit_status", "VARCHAR"]],
      [surfaceRow("AAPL", "2027-03-19", "ok"), surfaceRow("SPY", "2027-03-19", "ok"), surfaceRow("SPY", "2027-06-18", "rejected")],
      { folder: `curated/options_surfaces/date=${lake.surfaceSession}`, symbolColumn: "underlying" },
    );
    await writer.append("curated/options_surfaces", [surfaces]);

    const days = ["2026-11-02", "2026-11-03", "2026-11-04"];
    const pnl = await writer.writeRows([["date", "DATE"], ["gross", "DOUBLE"], ["net", "DOUBLE"]], PLANTED.pnl.nets.map((net, i) => ({ date: days[i], gross: net, net })), { folder: `backtests/equities/${PLANTED.pnl.run}/daily` });
    await writer.append(`backtests/equities/${PLANTED.pnl.run}/daily`, [pnl]);
  } finally {
    await writer.close();
    duck.close();
  }

  // What the collector keeps of a refused response (ingest-lake.ts quarantine()): counts by reason and the rows.
  for (const [i, counts] of [{ bad_symbol: 2, non_positive_price: 1 }, { bad_symbol: 1 }].entries()) {
    await store.put(`quarantine/raw/finnhub/equities_bars/date=${date}/part-0000000${i}.json`, JSON.stringify({ format: 1, vendor: "finnhub", dataset: "equities_bars", unit: `u${i}`, created: new Date().toISOString(), counts, records: [] }), { condition: { ifNoneMatch: "*" } });
  }

  // The DAG runner's run record, in the shape src/dag/run-state.ts checks: steps with states, attempts and timings.
  const started = Date.now() - 60_000;
  const at = (ms: number): string => new Date(started + ms).toISOString();
  const run = {
    format: 1, run: PLANTED.dagRun, created_at: at(0), updated_at: at(40_000), steps: ["collect", "audit", "curate", "report"],
    records: {
      collect: { status: "succeeded", attempts: [{ attempt: 1, holder: "h", started_at: at(0), finished_at: at(10_000) }], started_at: at(0), finished_at: at(10_000), duration_ms: 10_000 },
      audit: { status: "failed", attempts: [{ attempt: 1, holder: "h", started_at: at(10_000), finished_at: at(12_000), error: "boom" }, { attempt: 2, holder: "h", started_at: at(13_000), finished_at: at(15_000), error: "still boom" }], started_at: at(10_000), finished_at: at(15_000), duration_ms: 5_000 },
      curate: { status: "blocked", attempts: [] },
      report: { status: "succeeded", attempts: [{ attempt: 1, holder: "h", started_at: at(15_000), finished_at: at(20_000) }], started_at: at(15_000), finished_at: at(20_000), duration_ms: 5_000 },
    },
  };
  await store.put(`state/dag/runs/${PLANTED.dagRun}.json`, JSON.stringify(run), { condition: { ifNoneMatch: "*" } });
  return lake;
}
