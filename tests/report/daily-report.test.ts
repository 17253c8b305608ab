/**
 * The daily report over a demo lake (simulator → collect, audit, curate; real DuckDB and Parquet) with records
 * planted the way their producers write them (tests/report/fixture.ts): each section's figures against values
 * known by hand or read straight from the lake's own objects, "no data yet" on an empty lake, a failing section
 * that does not stop the others, the report stored at its key and replaced on a re-run, and `lake gc` leaving it
 * alone.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURATE_TABLES } from "../../src/curate/curate-tables.ts";
import { DuckSession } from "../../src/db/session.ts";
import { quarantinedOnDay } from "../../src/ingest/quarantine-records.ts";
import { collectGarbage } from "../../src/lake/gc.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readManifest } from "../../src/lake/manifest.ts";
import { buildDailyReport, dailyReportKey, readDailyReport, type DailyReport } from "../../src/report/index.ts";
import { ReportContext } from "../../src/report/report-context.ts";
import { flaggedPartitions, ledgerCoverage } from "../../src/report/sections/audit.ts";
import { backfillProgress } from "../../src/report/sections/backfill.ts";
import { curationChanges } from "../../src/report/sections/curation.ts";
import { runsOfDay } from "../../src/report/sections/dag-timeline.ts";
import { surfacesOfDay } from "../../src/report/sections/option-surfaces.ts";
import { strategyRuns } from "../../src/report/sections/strategy-pnl.ts";
import { vendorUsage } from "../../src/report/sections/usage.ts";
import type { ReportSection } from "../../src/report/section.ts";
import { PLANTED, SYMBOLS, reportLake, type ReportLake } from "./fixture.ts";

async function withContext<T>(lake: ReportLake, work: (context: ReportContext) => Promise<T>): Promise<T> {
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "256MB", threads: 1 });
  try {
    return await work(new ReportContext({ store: lake.store, lake: lakeAccess(lake.store), duck, date: lake.date, config: lake.config, mlflow: undefined, signal: undefined }));
  } finally {
    duck.close();
  }
}

describe("daily report sections on a demo lake", () => {
  let lake: ReportLake;
  let report: DailyReport;

  beforeAll(async () => {
    lake = await reportLake();
    report = await buildDailyReport({ store: lake.store, date: lake.date, config: lake.config, outDir: join(lake.dir, "out") });
  }, 240_000);

  afterAll(async () => {
    await lake?.close();
  });

  it("shows every section with data, and the trainer's as not configured (no MLflow here)", () => {
    const states = Object.fromEntries(report.sections.map((s) => [s.id, s.state]));
    expect(states).toEqual({ usage: "ok", audit: "ok", backfill: "ok", curation: "ok", options: "ok", pnl: "ok", trainer: "empty", dag: "ok" });
    expect(report.sections.find((s) => s.id === "trainer")?.detail).toContain("MLFLOW_TRACKING_URI");
    expect(report.html).toContain("No data yet: MLflow is not configured");
  });

  it("usage: the collector's counters of the day and the budget booked through the lake's quota", async () => {
    const rows = await withContext(lake, vendorUsage);
    const object = await lake.store.get(`state/usage/${lake.date}/alpaca.json`);
    const stored = JSON.parse(new TextDecoder().decode(object?.body)) as { counters: { requests: number } };
    const alpaca = rows.find((r) => r.vendor === "alpaca");
    expect(alpaca?.requests).toBe(stored.counters.requests);
    expect(alpaca?.requests).toBeGreaterThan(0);
    const polygon = rows.find((r) => r.vendor === PLANTED.budget.vendor);
    expect(polygon?.booked).toBe(PLANTED.budget.want);
    expect(polygon?.budget).toBe(PLANTED.budget.total);
    expect(polygon?.consumers).toEqual({ [PLANTED.budget.consumer]: PLANTED.budget.want });
    expect(report.html).toContain((PLANTED.budget.total - PLANTED.budget.want).toLocaleString("en-US"));
    const refused = await quarantinedOnDay(lake.store, lake.date);
    expect(Object.fromEntries(refused.filter((q) => q.table === "raw/finnhub/equities_bars").map((q) => [q.reason, q.rows]))).toEqual(PLANTED.ingestQuarantine);
    expect(report.html).toContain("Rows the collector refused, by reason");
  });

  it("audit: coverage per source and table, RED before AMBER, and the heatmap as a PNG", async () => {
    const { coverage, flagged } = await withContext(lake, async (context) => ({ coverage: await ledgerCoverage(context), flagged: await flaggedPartitions(context) }));
    const alpaca = coverage?.coverage.find((row) => row.source === "alpaca" && row.table === "equities_eod");
    expect(alpaca?.red).toBe(1);
    expect(alpaca?.symbols).toBe(SYMBOLS.length + 1);
    expect(flagged.total).toBe(2);
    expect(flagged.rows.map((r) => [r.status, r.symbol, r.session, r.reasons])).toEqual([
      ["RED", PLANTED.red.symbol, PLANTED.red.session, "missing_session"],
      ["AMBER", PLANTED.amber.symbol, PLANTED.amber.session, "duplicates"],
    ]);
    expect(report.html).toMatch(/<img[^>]+src="data:image\/png;base64,/);
  });

  it("backfill: sessions marked complete and the ledger's partitions left to fill", async () => {
    const rows = await withContext(lake, backfillProgress);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: PLANTED.marks.source, table: PLANTED.marks.table, symbols: 1, sessionsComplete: PLANTED.marks.sessions, sessionsUnavailable: 0, left: 1 });
  });

  it("curation: today's new actions, rebuilt symbols, and quarantined rows by reason", async () => {
    const changes = await withContext(lake, curationChanges);
    const actions = await readManifest(lake.store, CURATE_TABLES.actions);
    // The demo's first curation made every action today: all of them are new.
    expect(changes.newActionCount).toBe((actions?.files ?? []).reduce((n, f) => n + f.rows, 0));
    expect(changes.newActionCount).toBeGreaterThan(0);
    expect(changes.rebuilt[CURATE_TABLES.adjusted]).toEqual([...SYMBOLS].sort());
    const byReason = Object.fromEntries(changes.quarantine.filter((q) => q.table === "quarantine/equities_bars").map((q) => [q.reason, q.rows]));
    expect(byReason).toEqual({ "high < low": 5, "negative volume": 2 });
  });

  it("option surfaces: the SVI smile per underlier (rejected fits left out) and the QC rate", async () => {
    const day = await withContext(lake, surfacesOfDay);
    expect(day?.session).toBe(lake.surfaceSession);
    const aapl = day?.smiles.filter((p) => p.underlying === PLANTED.surface.underlying) ?? [];
    expect(aapl).toHaveLength(41);
    const atTheMoney = aapl.find((p) => Math.abs(p.k) < 1e-12);
    expect(atTheMoney?.vol).toBeCloseTo(PLANTED.surface.volAtZero, 12);
    expect(aapl[0]?.k).toBeCloseTo(PLANTED.surface.kMin, 12);
    expect(new Set(day?.smiles.filter((p) => p.underlying === "SPY").map((p) => p.expiry))).toEqual(new Set(["2027-03-19"]));
    expect(day?.qc.map((q) => [q.underlying, q.expiries, q.passed, q.rate])).toEqual([["AAPL", 1, 1, 1], ["SPY", 2, 1, 0.5]]);
    expect(report.html).toContain("AAPL smile on");
  });

  it("strategy PnL: cumulative net, Sharpe and drawdown of the backtest run", async () => {
    const { runs } = await withContext(lake, strategyRuns);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.run).toBe(PLANTED.pnl.run);
    expect(runs[0]?.days).toBe(3);
    expect(runs[0]?.totalNet).toBeCloseTo(PLANTED.pnl.total, 12);
    expect(runs[0]?.maxDrawdown).toBeCloseTo(PLANTED.pnl.maxDrawdown, 12);
    expect(runs[0]?.sharpe).toBeCloseTo(PLANTED.pnl.sharpe, 3);
  });

  it("DAG timeline: today's run with each step's state and attempts", async () => {
    const { runs, sameDay } = await withContext(lake, runsOfDay);
    expect(sameDay).toBe(true);
    // The demo's own DAG run (the demo runs the nightly DAG) and the planted one.
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.run)).toContain(PLANTED.dagRun);
    const dag = report.html.slice(report.html.indexOf('<section id="dag"'));
    for (const word of ["collect", "audit", "curate", "report", "blocked", "still boom", "Run nightly-fixture: steps over time"]) expect(dag).toContain(word);
  });

  it("stores the page at reports/daily/date=D/report.html, writes the local copy, and records what it read", async () => {
    expect(report.key).toBe(`reports/daily/date=${lake.date}/report.html`);
    expect(await readDailyReport(lake.store, lake.date)).toBe(report.html);
    expect(report.localPath).toBe(join(lake.dir, "out", `daily-${lake.date}.html`));
    expect(await readFile(report.localPath ?? "", "utf8")).toBe(report.html);
    expect(report.paths).toEqual([report.key, report.localPath]);
    const ledger = await readManifest(lake.store, "qc/partition_status");
    expect(report.inputs["qc/partition_status"]).toBe(ledger?.seq);
    const surfaces = await readManifest(lake.store, "curated/options_surfaces");
    expect(report.inputs["curated/options_surfaces"]).toBe(surfaces?.seq);
  });

  it("is self-contained: no script, no external URL", () => {
    expect(report.html).not.toMatch(/<script|<link|@import|src="https?:|href="https?:/i);
  });

  it("a re-run replaces the day's report; gc sees neither version", async () => {
    const gcOptions = { graceMs: 48 * 3600_000 };
    const before = await collectGarbage(lake.store, gcOptions);
    const again = await buildDailyReport({ store: lake.store, date: lake.date, config: lake.config });
    expect(again.etag).not.toBe(report.etag);
    expect(await readDailyReport(lake.store, lake.date)).toBe(again.html);
    const after = await collectGarbage(lake.store, gcOptions);
    expect({ young: after.young, orphans: after.orphans, foreign: after.foreign, temps: after.staleTemps }).toEqual({ young: before.young, orphans: before.orphans, foreign: before.foreign, temps: before.staleTemps });
    const listed: string[] = [];
    for await (const entry of lake.store.list("reports/")) listed.push(entry.key);
    expect(listed).toEqual([dailyReportKey(lake.date)]);
  });
});

describe("daily report on an empty lake", () => {
  let dir = "";
  let store: LocalStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trademl-report-empty-"));
    store = new LocalStore({ root: join(dir, "lake") });
  });

  afterAll(async () => {
    await store?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("says plainly that there is no data yet in every section, and fails none", async () => {
    const report = await buildDailyReport({ store, date: "2026-12-04" });
    expect(report.sections.map((s) => s.state)).toEqual(Array.from({ length: 8 }, () => "empty"));
    expect(report.html.match(/No data yet: /g)).toHaveLength(8);
    expect(report.inputs).toEqual({});
  });

  it("shows a failing section as failed and still builds the others", async () => {
    const broken: ReportSection = { id: "broken", title: "Broken", build: () => Promise.reject(new Error("the <b>vendor</b> said no")) };
    const fine: ReportSection = { id: "fine", title: "Fine", build: () => Promise.resolve({ state: "ok", html: "<p>fine</p>" }) };
    const report = await buildDailyReport({ store, date: "2026-12-05", sections: [broken, fine] });
    expect(report.sections).toEqual([
      { id: "broken", title: "Broken", state: "failed", detail: "the <b>vendor</b> said no" },
      { id: "fine", title: "Fine", state: "ok" },
    ]);
    expect(report.html).toContain("could not be built: the &lt;b&gt;vendor&lt;/b&gt; said no");
    expect(report.html).toContain("<p>fine</p>");
  });

  it("refuses a date that is not YYYY-MM-DD", async () => {
    await expect(buildDailyReport({ store, date: "2026-13-01" })).rejects.toMatchObject({ code: "bad_date" });
  });
});
