// The audit over a synthetic raw lake. Every expected status below follows from how the fixture was built
// (which bars were written for which session) and the QC rules in configs/backfill.yml, not from the code.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readManifest } from "../../src/lake/manifest.ts";
import { auditTarget } from "../../src/quality/audit/audit.ts";
import { coverageSummary, greenWindow, readLedgerRows } from "../../src/quality/audit/coverage.ts";
import { LEDGER_TABLE } from "../../src/quality/audit/ledger.ts";
import { DEFAULT_QC, type AuditTarget, type PartitionStatusRow } from "../../src/quality/audit/types.ts";
import { createFixtureLake, type FixtureLake } from "./audit-lake-fixture.ts";

const MINUTE: AuditTarget = { source: "alpaca", table: "equities_minute", lakeTable: "raw/alpaca/equities_minute", granularity: "minute" };
const DAILY: AuditTarget = { source: "alpaca", table: "equities_eod", lakeTable: "raw/alpaca/equities_eod", granularity: "daily" };
const EDT = 4;
const fixedNow = () => new Date("2024-07-10T12:00:00Z");

function full(symbol: string, date: string, count = 390): { symbol: string; date: string; utcOffsetHours: number; from: string; count: number } {
  return { symbol, date, utcOffsetHours: EDT, from: "09:30", count };
}

/** AAA is complete; BBB has one problem per session (see each comment). */
async function seedMinuteLake(lake: FixtureLake): Promise<void> {
  await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-01", [full("AAA", "2024-07-01"), full("BBB", "2024-07-01")]);
  // 2024-07-02: BBB has no bars at all.
  await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-02", [full("AAA", "2024-07-02")]);
  // 2024-07-03 closes at 13:00 (210 minutes): AAA complete; BBB 200 of 210 bars.
  await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-03", [full("AAA", "2024-07-03", 210), full("BBB", "2024-07-03", 200)]);
  // 2024-07-05: BBB 350 of 390 bars (ratio 0.897, under rows_low_ratio 0.90).
  await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-05", [full("AAA", "2024-07-05"), full("BBB", "2024-07-05", 350)]);
  // 2024-07-08: BBB complete but 5 bars delivered twice.
  await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-08", [full("AAA", "2024-07-08"), { ...full("BBB", "2024-07-08"), duplicates: 5 }]);
  // 2024-07-09: BBB complete plus 90 pre-market bars (08:00–09:29), which are outside the session.
  await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-09", [
    full("AAA", "2024-07-09"),
    full("BBB", "2024-07-09"),
    { symbol: "BBB", date: "2024-07-09", utcOffsetHours: EDT, from: "08:00", count: 90 },
  ]);
}

const byKey = (rows: readonly PartitionStatusRow[]) => new Map(rows.map((row) => [`${row.symbol} ${row.session}`, row]));

describe("audit: partition_status ledger", () => {
  let lake: FixtureLake;
  beforeEach(async () => {
    lake = await createFixtureLake();
  });
  afterEach(async () => {
    await lake.dispose();
  });

  it("gives every (symbol, session) the expected status and reasons", async () => {
    await seedMinuteLake(lake);
    const result = await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow });
    expect(result.committed).toBe(true);
    const rows = byKey(await readLedgerRows(lake.store, { table: "equities_minute" }));
    expect(rows.size).toBe(12); // 2 symbols x 6 sessions (07-04 is a holiday)

    for (const date of ["2024-07-01", "2024-07-02", "2024-07-05", "2024-07-08", "2024-07-09"]) {
      expect(rows.get(`AAA ${date}`), date).toMatchObject({ rows: 390, expected: 390, ratio: 1, status: "GREEN", reasons: [] });
    }
    expect(rows.get("AAA 2024-07-03")).toMatchObject({ rows: 210, expected: 210, status: "GREEN", reasons: ["early_close"] });

    expect(rows.get("BBB 2024-07-01")).toMatchObject({ status: "GREEN" });
    expect(rows.get("BBB 2024-07-02")).toMatchObject({ rows: 0, expected: 390, status: "RED", reasons: ["missing_session"] });
    expect(rows.get("BBB 2024-07-03")).toMatchObject({ rows: 200, expected: 210, status: "AMBER", reasons: ["short_day", "early_close"] });
    expect(rows.get("BBB 2024-07-03")?.ratio).toBeCloseTo(200 / 210, 12);
    expect(rows.get("BBB 2024-07-05")).toMatchObject({ rows: 350, status: "RED", reasons: ["short_day"] });
    expect(rows.get("BBB 2024-07-08")).toMatchObject({ rows: 390, rawRows: 395, duplicates: 5, status: "AMBER", reasons: ["duplicates"] });
    expect(rows.get("BBB 2024-07-09")).toMatchObject({ rows: 390, rawRows: 390, status: "GREEN" });
    expect(rows.has("AAA 2024-07-04")).toBe(false);
    expect(result.counts).toEqual({ GREEN: 8, AMBER: 2, RED: 2 });
  });

  it("expects a full day on early closes when half days are not allowed", async () => {
    await seedMinuteLake(lake);
    await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow, qc: { ...DEFAULT_QC, halfDaysAllowed: false } });
    const rows = byKey(await readLedgerRows(lake.store, { symbol: "AAA" }));
    expect(rows.get("AAA 2024-07-03")).toMatchObject({ rows: 210, expected: 390, status: "RED", reasons: ["short_day", "half_day_not_allowed"] });
  });

  it("changes nothing when re-run over an unchanged lake", async () => {
    await seedMinuteLake(lake);
    const first = await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow });
    const before = await readManifest(lake.store, LEDGER_TABLE);
    const second = await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: () => new Date("2024-07-11T00:00:00Z") });
    const after = await readManifest(lake.store, LEDGER_TABLE);
    expect(first.partsRead).toBe(6);
    expect(second).toMatchObject({ committed: false, sessionsReaudited: 0, partsRead: 0, counts: first.counts });
    expect(after?.seq).toBe(before?.seq);
    expect(after?.files).toEqual(before?.files);

    // New thresholds that change no verdict: the ledger is re-rated once (nothing re-read), then re-runs are no-ops.
    const looser = { ...DEFAULT_QC, rowsHighRatio: 1.3 };
    const rerated = await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow, qc: looser });
    expect(rerated).toMatchObject({ partsRead: 0, counts: first.counts });
    const again = await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow, qc: looser });
    expect(again).toMatchObject({ committed: false, partsRead: 0, sessionsReaudited: 0 });
  });

  it("re-reads only the sessions whose parts changed", async () => {
    await seedMinuteLake(lake);
    await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow });
    // A backfill delivers BBB's missing 2024-07-02 in a new part.
    await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-02", [full("BBB", "2024-07-02")]);
    const rerun = await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow });
    expect(rerun).toMatchObject({ committed: true, sessionsReaudited: 1, partsRead: 2 });
    const rows = byKey(await readLedgerRows(lake.store, { symbol: "BBB" }));
    expect(rows.get("BBB 2024-07-02")).toMatchObject({ rows: 390, status: "GREEN", reasons: [] });
    expect(rows.get("BBB 2024-07-05")).toMatchObject({ status: "RED" });
    // Extending the window adds the new session as missing without reading any part.
    const extended = await auditTarget(lake.store, MINUTE, { through: "2024-07-10", now: fixedNow });
    expect(extended).toMatchObject({ committed: true, sessionsReaudited: 0, partsRead: 0 });
    const latest = byKey(await readLedgerRows(lake.store, { from: "2024-07-10" }));
    expect([...latest.values()].map((row) => `${row.symbol} ${row.status} ${row.reasons.join(",")}`)).toEqual([
      "AAA RED missing_session",
      "BBB RED missing_session",
    ]);
    // The ledger keeps one part per (source, table): the old one was replaced, not accumulated.
    const manifest = await readManifest(lake.store, LEDGER_TABLE);
    expect(manifest?.files).toHaveLength(1);
  });

  it("reaches the same ledger incrementally as a full audit does", async () => {
    await seedMinuteLake(lake);
    // Incremental history: a first audit, a later window, a backfilled gap, then older history for AAA.
    await auditTarget(lake.store, MINUTE, { through: "2024-07-05", now: fixedNow });
    await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow });
    await lake.putMinuteBars("alpaca", "equities_minute", "2024-07-02", [full("BBB", "2024-07-02", 380)]);
    await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow });
    await lake.putMinuteBars("alpaca", "equities_minute", "2024-06-27", [full("AAA", "2024-06-27")]);
    const last = await auditTarget(lake.store, MINUTE, { through: "2024-07-10", now: fixedNow });
    expect(last).toMatchObject({ sessionsReaudited: 1, partsRead: 1 });

    // The same raw table audited from scratch under another source label.
    await auditTarget(lake.store, { ...MINUTE, source: "scratch" }, { through: "2024-07-10", now: fixedNow });
    const strip = (rows: readonly PartitionStatusRow[]) => rows.map(({ source: _source, ...rest }) => rest);
    const incremental = strip(await readLedgerRows(lake.store, { source: "alpaca" }));
    const scratch = strip(await readLedgerRows(lake.store, { source: "scratch" }));
    expect(incremental).toEqual(scratch);
    // AAA now starts 2024-06-27, so 06-28 (no bars) and 07-10 are missing; BBB's 07-02 is short (380 of 390).
    const rows = byKey(await readLedgerRows(lake.store, { source: "alpaca" }));
    expect(rows.get("AAA 2024-06-28")).toMatchObject({ status: "RED", reasons: ["missing_session"] });
    expect(rows.get("BBB 2024-07-02")).toMatchObject({ rows: 380, status: "AMBER", reasons: ["short_day"] });
    expect(incremental).toHaveLength(9 + 7); // AAA 06-27..07-10: 9 sessions; BBB 07-01..07-10: 7 sessions
  });

  it("audits daily bars from a manifest, with duplicates, gaps and bars on closed days", async () => {
    const sessions2024 = ["2024-07-01", "2024-07-02", "2024-07-03", "2024-07-05", "2024-07-08"];
    await lake.putDailyBars("raw/alpaca/equities_eod", [
      ...sessions2024.map((date) => ({ symbol: "XOM", date })),
      { symbol: "XOM", date: "2024-07-04" }, // a bar on Independence Day is not a session: ignored
      ...sessions2024.filter((date) => date !== "2024-07-03").map((date) => ({ symbol: "CVX", date })),
      { symbol: "CVX", date: "2024-07-05" }, // delivered twice
    ]);
    const result = await auditTarget(lake.store, DAILY, { through: "2024-07-08", now: fixedNow });
    expect(result.counts).toEqual({ GREEN: 8, AMBER: 1, RED: 1 });
    const rows = byKey(await readLedgerRows(lake.store, { table: "equities_eod" }));
    expect(rows.get("CVX 2024-07-03")).toMatchObject({ rows: 0, expected: 1, status: "RED", reasons: ["missing_session"] });
    expect(rows.get("CVX 2024-07-05")).toMatchObject({ rows: 1, rawRows: 2, status: "AMBER", reasons: ["duplicates"] });
    expect(rows.get("XOM 2024-07-03")).toMatchObject({ status: "GREEN", reasons: [] }); // daily bars ignore early closes
    expect(rows.has("XOM 2024-07-04")).toBe(false);
    // The part spans a weekend and a holiday (placed by its min/max statistics): a re-run must read nothing.
    const rerun = await auditTarget(lake.store, DAILY, { through: "2024-07-08", now: fixedNow });
    expect(rerun).toMatchObject({ committed: false, sessionsReaudited: 0, partsRead: 0 });
  });

  it("stops expecting sessions after a symbol's end date", async () => {
    await seedMinuteLake(lake);
    await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow, symbolEnd: { BBB: "2024-07-01" } });
    const rows = await readLedgerRows(lake.store, { symbol: "BBB" });
    // BBB's later bars are still audited (they exist), but its missing 2024-07-02 is no longer expected.
    expect(rows.map((row) => row.session)).not.toContain("2024-07-02");
  });

  it("summarises coverage per table and refuses bad thresholds", async () => {
    await seedMinuteLake(lake);
    await auditTarget(lake.store, MINUTE, { through: "2024-07-09", now: fixedNow });
    expect(await coverageSummary(lake.store)).toEqual([
      { source: "alpaca", table: "equities_minute", symbols: 2, partitions: 12, green: 8, amber: 2, red: 2, greenShare: 8 / 12, firstSession: "2024-07-01", lastSession: "2024-07-09" },
    ]);
    await expect(auditTarget(lake.store, MINUTE, { through: "2024-07-09", qc: { ...DEFAULT_QC, rowsLowRatio: 0.99 } })).rejects.toThrow(/rows_low_ratio/);
  });
});

describe("audit: GREEN-window readiness gate", () => {
  let lake: FixtureLake;
  beforeEach(async () => {
    lake = await createFixtureLake();
  });
  afterEach(async () => {
    await lake.dispose();
  });

  function weekdays(from: string, to: string): string[] {
    const out: string[] = [];
    for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
      const day = new Date(t).getUTCDay();
      if (day !== 0 && day !== 6) out.push(new Date(t).toISOString().slice(0, 10));
    }
    return out;
  }

  it("passes when the window is covered at the required share and fails otherwise", async () => {
    // Writing a bar for every weekday (holidays included; the audit ignores those) covers every session.
    const days = weekdays("2021-06-01", "2024-06-28");
    await lake.putDailyBars("raw/alpaca/equities_eod", [
      ...days.map((date) => ({ symbol: "XOM", date })),
      ...days.filter((date) => date !== "2023-03-01" && date !== "2023-03-02").map((date) => ({ symbol: "CVX", date })),
    ]);
    await auditTarget(lake.store, DAILY, { through: "2024-06-28", now: fixedNow });

    const ready = await greenWindow(lake.store, { table: "equities_eod", years: 2, minRatio: 0.98 });
    expect(ready.ok).toBe(true);
    expect(ready.through).toBe("2024-06-28");
    expect(ready.from).toBe("2022-06-28");
    expect(ready.partitions).toBe(2 * ready.sessions);
    expect(ready.green).toBe(ready.partitions - 2);

    const strict = await greenWindow(lake.store, { table: "equities_eod", years: 2, minRatio: 1 });
    expect(strict.ok).toBe(false);
    expect(strict.reasons.join(" ")).toMatch(/GREEN share/);

    const tooLong = await greenWindow(lake.store, { table: "equities_eod", years: 5, minRatio: 0.98 });
    expect(tooLong.ok).toBe(false);
    expect(tooLong.reasons.join(" ")).toMatch(/history starts 2021-06-01/);

    const unknown = await greenWindow(lake.store, { table: "options_chains", years: 1, minRatio: 0.98 });
    expect(unknown.ok).toBe(false);
  });
});
