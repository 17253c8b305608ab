// The audit ledger is kept one part per (source, table, year): a daily audit re-derives and rewrites only the
// years whose inputs changed (normally the current one), the result always equals an audit from scratch, and a
// ledger written before the split (one part for every year) is replaced by year parts on the next audit. The
// audit never rates a session that has not finished.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessions } from "../../src/domain/calendar/index.ts";
import { DuckSession } from "../../src/db/session.ts";
import { PartWriter } from "../../src/db/part-writer.ts";
import { readManifest } from "../../src/lake/manifest.ts";
import { auditTarget } from "../../src/quality/audit/audit.ts";
import { readLedgerRows } from "../../src/quality/audit/coverage.ts";
import { LEDGER_TABLE } from "../../src/quality/audit/ledger.ts";
import type { AuditTarget, PartitionStatusRow } from "../../src/quality/audit/types.ts";
import { createFixtureLake, type FixtureLake } from "./audit-lake-fixture.ts";

const DAILY: AuditTarget = { source: "alpaca", table: "equities_eod", lakeTable: "raw/alpaca/equities_bars", granularity: "daily" };
const now = () => new Date("2024-12-31T12:00:00Z");

let lake: FixtureLake;
beforeEach(async () => {
  lake = await createFixtureLake();
});
afterEach(async () => {
  await lake.dispose();
});

/** Daily bars of `symbols` on every session in [from, to], one raw part per month (as the collector writes them). */
async function putMonths(symbols: readonly string[], from: string, to: string, skip: ReadonlySet<string> = new Set()): Promise<void> {
  const byMonth = new Map<string, { symbol: string; date: string }[]>();
  for (const { date } of sessions(from, to)) {
    for (const symbol of symbols) {
      if (skip.has(`${symbol} ${date}`)) continue;
      byMonth.set(date.slice(0, 7), [...(byMonth.get(date.slice(0, 7)) ?? []), { symbol, date }]);
    }
  }
  for (const rows of byMonth.values()) await lake.putDailyBars(DAILY.lakeTable, rows);
}

const strip = (rows: readonly PartitionStatusRow[]) => rows.map(({ source: _source, ...rest }) => rest);

async function equalsScratch(label: string, through: string): Promise<void> {
  await auditTarget(lake.store, { ...DAILY, source: label }, { through, now });
  expect(strip(await readLedgerRows(lake.store, { source: "alpaca" }))).toEqual(strip(await readLedgerRows(lake.store, { source: label })));
}

async function yearParts(source = "alpaca"): Promise<Map<number, string>> {
  const files = (await readManifest(lake.store, LEDGER_TABLE))?.files ?? [];
  return new Map(files.filter((f) => f.min?.["source"] === source).map((f) => [f.ledger?.year ?? 0, f.key]));
}

describe("audit ledger by year", () => {
  it("keeps one part per year and re-derives only the years whose inputs changed", async () => {
    await putMonths(["AAA", "BBB"], "2022-01-03", "2024-06-28", new Set(["BBB 2023-03-15"]));
    const first = await auditTarget(lake.store, DAILY, { through: "2024-06-28", now });
    expect(first.committed).toBe(true);
    const parts = await yearParts();
    expect([...parts.keys()].sort()).toEqual([2022, 2023, 2024]);
    expect((await readLedgerRows(lake.store, { symbol: "BBB", statuses: ["RED"] })).map((r) => r.session)).toEqual(["2023-03-15"]);

    // One new session: only 2024 is re-derived and rewritten; 2022 and 2023 stand, nothing of theirs is read.
    await lake.putDailyBars(DAILY.lakeTable, [{ symbol: "AAA", date: "2024-07-01" }, { symbol: "BBB", date: "2024-07-01" }]);
    const daily = await auditTarget(lake.store, DAILY, { through: "2024-07-01", now });
    expect(daily).toMatchObject({ committed: true, sessionsReaudited: 1, partsRead: 1 });
    const after = await yearParts();
    expect(after.get(2022)).toBe(parts.get(2022));
    expect(after.get(2023)).toBe(parts.get(2023));
    expect(after.get(2024)).not.toBe(parts.get(2024));
    expect(await auditTarget(lake.store, DAILY, { through: "2024-07-01", now })).toMatchObject({ committed: false, partsRead: 0 });
    await equalsScratch("scratch1", "2024-07-01");

    // Older history of a new symbol arrives for 2022: that year and every later one are re-derived (the symbol is
    // expected on every session after its first), and the result is what a full audit gives.
    await putMonths(["CCC"], "2022-11-01", "2022-11-30");
    const backfilled = await auditTarget(lake.store, DAILY, { through: "2024-07-01", now });
    expect(backfilled.committed).toBe(true);
    expect((await readLedgerRows(lake.store, { symbol: "CCC", statuses: ["RED"], from: "2024-07-01", to: "2024-07-01" })).length).toBe(1);
    await equalsScratch("scratch2", "2024-07-01");
  });

  it("a daily run on a long history places only the current year's parts, and equals an audit from scratch", async () => {
    await putMonths(["AAA", "BBB"], "2013-01-02", "2024-06-28", new Set(["AAA 2016-05-10"]));
    const first = await auditTarget(lake.store, DAILY, { through: "2024-06-28", now });
    expect(first).toMatchObject({ committed: true, partsPlaced: 138 });

    // 2024 holds six monthly parts plus the new session's: those seven are placed, not the 138 of 2013-2024.
    await lake.putDailyBars(DAILY.lakeTable, [{ symbol: "AAA", date: "2024-07-01" }, { symbol: "BBB", date: "2024-07-01" }]);
    const daily = await auditTarget(lake.store, DAILY, { through: "2024-07-01", now });
    expect(daily).toMatchObject({ committed: true, sessionsReaudited: 1, partsRead: 1, partsPlaced: 7 });
    expect(await auditTarget(lake.store, DAILY, { through: "2024-07-01", now })).toMatchObject({ committed: false, partsPlaced: 0 });
    await equalsScratch("scratch", "2024-07-01");
    expect((await readLedgerRows(lake.store, { source: "alpaca", statuses: ["RED"] })).map((r) => `${r.symbol} ${r.session}`)).toEqual(["AAA 2016-05-10"]);
  });

  it("replaces a ledger written before the split (one part for every year) with year parts", async () => {
    await putMonths(["AAA"], "2023-10-02", "2024-02-29", new Set(["AAA 2024-01-10"]));
    await auditTarget(lake.store, DAILY, { through: "2024-02-29", now });
    // Rewrite the ledger as the old writer kept it: one part, no year.
    const before = (await readManifest(lake.store, LEDGER_TABLE))?.files ?? [];
    const session = await DuckSession.create({ threads: 1, kernels: false });
    const writer = new PartWriter({ session, store: lake.store });
    const paths = await Promise.all(before.map(async (f) => (await lake.store.resolvePath(f.key)) ?? ""));
    const legacy = await writer.writeQuery(`SELECT * FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}], hive_partitioning = false) ORDER BY symbol, session`, {
      folder: `${LEDGER_TABLE}/source=alpaca/table=equities_eod`,
      facts: { rows: before.reduce((n, f) => n + f.rows, 0), min: { source: "alpaca", table_name: "equities_eod", session: "2023-10-02" }, max: { source: "alpaca", table_name: "equities_eod", session: "2024-02-29" } },
      ledger: { inputs: "old", qc: "0.98/0.9/1.2/true", counts: { green: 0, amber: 0, red: 0 } },
    });
    await writer.commit(LEDGER_TABLE, { kind: "replace", add: [legacy], remove: before.map((f) => f.key) });
    await writer.close();
    session.close();
    const rows = await readLedgerRows(lake.store);

    const upgraded = await auditTarget(lake.store, DAILY, { through: "2024-02-29", now });
    expect(upgraded.committed).toBe(true);
    expect([...(await yearParts()).keys()].sort()).toEqual([2023, 2024]);
    expect(await readLedgerRows(lake.store)).toEqual(rows);
    expect(await auditTarget(lake.store, DAILY, { through: "2024-02-29", now })).toMatchObject({ committed: false, partsRead: 0 });
  });

  it("never rates sessions that have not finished: --through a future date audits through the last finished one", async () => {
    await putMonths(["AAA"], "2024-12-02", "2024-12-30");
    const result = await auditTarget(lake.store, DAILY, { through: "2025-06-30", now });
    // 2024-12-31 12:00 UTC: the 31st has not closed yet, so the 30th is the last session that can be rated.
    expect(result.through).toBe("2024-12-30");
    const rows = await readLedgerRows(lake.store);
    expect(rows.at(-1)?.session).toBe("2024-12-30");
    expect(rows.filter((row) => row.status === "RED")).toEqual([]);
    expect([...(await yearParts()).keys()]).toEqual([2024]);
  });
});
