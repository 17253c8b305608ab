// Backfill against the vendor simulator and a real local lake. Expected task orders and ranges follow from
// the rules in configs/backfill.yml (priority, then recency, chunk_days) worked out by hand below.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { createAlpaca } from "../../src/vendors/alpaca.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { todayUtc } from "../../src/domain/calendar/dates.ts";
import { auditTarget } from "../../src/quality/audit/audit.ts";
import { coverageSummary } from "../../src/quality/audit/coverage.ts";
import { runBackfill, planBackfill } from "../../src/quality/backfill/backfill.ts";
import { alpacaActionsFetcher, alpacaBarsFetcher } from "../../src/quality/backfill/fetchers.ts";
import { readManifest } from "../../src/lake/manifest.ts";
import { budgetUsed, lakeBudgetStore } from "../../src/quality/backfill/lake-budget-store.ts";
import { readMarks } from "../../src/quality/backfill/marks.ts";
import type { BackfillTarget, BackfillTask } from "../../src/quality/backfill/types.ts";
import { EntitlementError } from "../../src/vendors/errors.ts";
import type { ObjectStore } from "../../src/lake/types.ts";
import { createFixtureLake, type FixtureLake } from "./audit-lake-fixture.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ today: "2024-07-10", seed: 3 });
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
});

function node(store: ObjectStore, dailyBudget: number) {
  const governor = new RateGovernor({
    policies: { alpaca: { rules: [{ limit: 1000, windowMs: 1000 }], maxInflight: 4, dailyBudget, maxRetries: 2, backoffBaseMs: 5, backoffCapMs: 20 } },
    budgets: lakeBudgetStore(store),
    random: () => 0.5,
  });
  const alpaca = createAlpaca({ governor, baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec" });
  return alpacaBarsFetcher(alpaca);
}

function actionsNode(store: ObjectStore) {
  const governor = new RateGovernor({
    policies: { alpaca: { rules: [{ limit: 1000, windowMs: 1000 }], maxInflight: 4, dailyBudget: 10_000 } },
    budgets: lakeBudgetStore(store),
    random: () => 0.5,
  });
  return alpacaActionsFetcher(createAlpaca({ governor, baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec" }));
}

const EOD: BackfillTarget = {
  source: "alpaca", table: "equities_eod", lakeTable: "raw/alpaca/equities_eod", granularity: "daily",
  priority: 90, earliest: "2024-05-01", chunkDays: 14, symbols: ["MSFT", "AAPL"], batchSize: 10,
};
const MINUTE: BackfillTarget = {
  source: "alpaca", table: "equities_minute", lakeTable: "raw/alpaca/equities_minute", granularity: "minute",
  priority: 80, earliest: "2024-07-03", chunkDays: 1, symbols: ["AAPL"],
};

interface LoggedRequest { timeframe: string; symbols: string; start: string }
function alpacaRequests(from: number): LoggedRequest[] {
  return sim.log.slice(from).filter((entry) => entry.vendor === "alpaca").map((entry) => {
    const query = new URLSearchParams(entry.path.split("?")[1] ?? "");
    return { timeframe: query.get("timeframe") ?? "", symbols: query.get("symbols") ?? "", start: (query.get("start") ?? "").slice(0, 10) };
  });
}

describe("backfill", () => {
  let lake: FixtureLake;
  beforeEach(async () => {
    lake = await createFixtureLake();
  });
  afterEach(async () => {
    await lake.dispose();
  });

  it("fills tables in priority order, newest chunks first, and never fetches the same range twice", async () => {
    const fetcher = node(lake.store, 10_000);
    const before = sim.log.length;
    const report = await runBackfill(lake.store, { targets: [MINUTE, EOD], fetcherFor: () => fetcher, holder: "node-a", through: "2024-07-09" });
    expect(report).toMatchObject({ ran: true, planned: 9, stoppedBy: undefined });

    // Daily (priority 90) before minute (80). 14-day chunks back from 2024-07-09 to 2024-05-01, newest first,
    // both symbols in one request (same range, batch of 10); then one-day minute chunks 07-09, 07-08, 07-05,
    // 07-03 (07-04 holiday, 07-06/07 weekend have no session and are not requested).
    const eodStarts = ["2024-06-26", "2024-06-12", "2024-05-29", "2024-05-15", "2024-05-01"];
    expect(alpacaRequests(before)).toEqual([
      ...eodStarts.map((start) => ({ timeframe: "1Day", symbols: "AAPL,MSFT", start })),
      ...["2024-07-09", "2024-07-08", "2024-07-05", "2024-07-03"].map((start) => ({ timeframe: "1Min", symbols: "AAPL", start })),
    ]);

    const coverage = await coverageSummary(lake.store);
    const eod = coverage.find((row) => row.table === "equities_eod");
    const minute = coverage.find((row) => row.table === "equities_minute");
    // 2024-05-01..2024-07-09 has 47 NYSE sessions: 22 in May (Memorial Day closed), 19 in June (Juneteenth),
    // 6 in July (the 4th closed).
    expect(eod).toMatchObject({ symbols: 2, partitions: 94, green: 94, red: 0, firstSession: "2024-05-01", lastSession: "2024-07-09" });
    expect(minute).toMatchObject({ symbols: 1, partitions: 4, green: 4 });

    const marks = await readMarks(lake.store, "alpaca", "equities_eod");
    expect(marks.get("AAPL")).toEqual({ complete: [["2024-05-01", "2024-07-09"]], unavailable: [] });

    const again = sim.log.length;
    const rerun = await runBackfill(lake.store, { targets: [MINUTE, EOD], fetcherFor: () => fetcher, holder: "node-a", through: "2024-07-09" });
    expect(rerun).toMatchObject({ ran: true, planned: 0, tasks: [] });
    expect(sim.log.length).toBe(again);
  });

  it("fetches corporate actions first (priority 100) and marks their whole range complete", async () => {
    const fetcherFor = (target: BackfillTarget) => (target.granularity === "events" ? actionsNode(lake.store) : node(lake.store, 10_000));
    const CORP: BackfillTarget = {
      source: "alpaca", table: "corp_actions", lakeTable: "raw/alpaca/corporate_actions", granularity: "events",
      priority: 100, earliest: "2022-07-10", chunkDays: 365, symbols: ["MSFT", "AAPL"], batchSize: 10,
    };
    const before = sim.log.length;
    const report = await runBackfill(lake.store, { targets: [EOD, CORP], fetcherFor, holder: "node-a", through: "2024-07-09" });
    expect(report).toMatchObject({ ran: true, planned: 7 }); // 2 yearly action chunks + 5 daily chunks
    const paths = sim.log.slice(before).filter((entry) => entry.vendor === "alpaca").map((entry) => entry.path.split("?")[0]);
    expect(paths.slice(0, 2)).toEqual(["/alpaca/v1/corporate-actions", "/alpaca/v1/corporate-actions"]);
    expect(paths.slice(2).every((path) => path === "/alpaca/v2/stocks/bars")).toBe(true);

    // What landed is exactly what the vendor lists for those symbols and dates.
    const direct = await createAlpaca({ governor: new RateGovernor({ policies: { alpaca: { rules: [{ limit: 1000, windowMs: 1000 }], maxInflight: 1 } } }), baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec" })
      .corporateActions({ symbols: ["AAPL", "MSFT"], start: "2022-07-10", end: "2024-07-09" });
    const manifest = await readManifest(lake.store, "raw/alpaca/corporate_actions");
    expect((manifest?.files ?? []).reduce((sum, part) => sum + part.rows, 0)).toBe(direct.rows.length);
    expect(direct.rows.length).toBeGreaterThan(0);
    const marks = await readMarks(lake.store, "alpaca", "corp_actions");
    // 365-day chunks back from 2024-07-09: 2023-07-11.., 2022-07-11..; the last one-day chunk (Sunday
    // 2022-07-10) holds no session, so it is neither fetched nor marked.
    expect(marks.get("AAPL")).toEqual({ complete: [["2022-07-11", "2024-07-09"]], unavailable: [] });
    expect(await planBackfill(lake.store, [CORP], "2024-07-09")).toEqual([]);
  });

  it("fills a gap inside the held history with one request for just the missing sessions", async () => {
    // AAPL held from 2024-06-03 (= earliest, so no history task) with 2024-06-20 and 06-21 missing.
    const held: { symbol: string; date: string }[] = [];
    for (let t = Date.parse("2024-06-03T00:00:00Z"); t <= Date.parse("2024-07-09T00:00:00Z"); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      const day = new Date(t).getUTCDay();
      if (day !== 0 && day !== 6 && date !== "2024-06-20" && date !== "2024-06-21") held.push({ symbol: "AAPL", date });
    }
    await lake.putDailyBars(EOD.lakeTable, held);
    await auditTarget(lake.store, { source: "alpaca", table: "equities_eod", lakeTable: EOD.lakeTable, granularity: "daily" }, { through: "2024-07-09" });

    const target: BackfillTarget = { ...EOD, earliest: "2024-06-03", symbols: ["AAPL"] };
    const plan = await planBackfill(lake.store, [target], "2024-07-09");
    expect(plan.map((t) => [t.kind, t.start, t.end, t.sessions])).toEqual([["gap", "2024-06-20", "2024-06-21", 2]]);
    const before = sim.log.length;
    const report = await runBackfill(lake.store, { targets: [target], fetcherFor: () => node(lake.store, 10_000), holder: "node-a", through: "2024-07-09" });
    expect(report).toMatchObject({ ran: true, planned: 1 });
    expect(alpacaRequests(before)).toEqual([{ timeframe: "1Day", symbols: "AAPL", start: "2024-06-20" }]);
    const [coverage] = await coverageSummary(lake.store);
    expect(coverage).toMatchObject({ red: 0, amber: 0, firstSession: "2024-06-03", lastSession: "2024-07-09" });
  });

  it("marks history the vendor does not have as unavailable and does not ask for it again", async () => {
    // The simulator's market starts on 2018-01-02: the chunk before it comes back empty.
    const target: BackfillTarget = { ...EOD, earliest: "2017-12-18", chunkDays: 30, symbols: ["AAPL"] };
    const fetcher = node(lake.store, 10_000);
    const report = await runBackfill(lake.store, { targets: [target], fetcherFor: () => fetcher, holder: "node-a", through: "2018-01-31" });
    expect(report.ran && report.tasks.map((t) => [t.task.start, t.task.end, t.rows, t.unavailable])).toEqual([
      ["2018-01-02", "2018-01-31", 21, 0],
      ["2017-12-18", "2018-01-01", 0, 9], // 9 sessions: Dec 18–22, 26–29 (Christmas and New Year closed)
    ]);
    const marks = await readMarks(lake.store, "alpaca", "equities_eod");
    expect(marks.get("AAPL")?.unavailable).toEqual([["2017-12-18", "2018-01-01"]]);
    expect(await planBackfill(lake.store, [target], "2018-01-31")).toEqual([]);
  });

  it("marks ranges the vendor's plan does not cover as unavailable and goes on with the rest", async () => {
    // A plan that only serves history from 2024-06-01: older requests are refused with 403 (EntitlementError).
    const real = node(lake.store, 10_000);
    const limited = async (task: BackfillTask, signal?: AbortSignal) => {
      if (task.start < "2024-06-01") throw new EntitlementError({ vendor: "alpaca", path: "/v2/stocks/bars", status: 403 }, "subscription does not permit querying this range");
      return real(task, signal);
    };
    const target: BackfillTarget = { ...EOD, symbols: ["AAPL"] };
    const report = await runBackfill(lake.store, { targets: [target], fetcherFor: () => limited, holder: "node-a", through: "2024-07-09" });
    expect(report.ran && report.tasks.map((t) => [t.task.start, t.error ?? "ok"])).toEqual([
      ["2024-06-26", "ok"], ["2024-06-12", "ok"], ["2024-05-29", "vendor_not_entitled"], ["2024-05-15", "vendor_not_entitled"], ["2024-05-01", "vendor_not_entitled"],
    ]);
    const marks = await readMarks(lake.store, "alpaca", "equities_eod");
    expect(marks.get("AAPL")?.unavailable).toEqual([["2024-05-01", "2024-06-11"]]);
    expect(await planBackfill(lake.store, [target], "2024-07-09")).toEqual([]);
  });

  it("stops at the daily budget and keeps it spent across a restart and a second node", async () => {
    const before = sim.log.length;
    const first = await runBackfill(lake.store, { targets: [EOD], fetcherFor: () => node(lake.store, 3), holder: "node-a", through: "2024-07-09" });
    expect(first).toMatchObject({ ran: true, planned: 5, stoppedBy: "budget", budgetVendor: "alpaca" });
    expect(first.ran && first.tasks).toHaveLength(3);
    expect(alpacaRequests(before)).toHaveLength(3);
    expect(await budgetUsed(lake.store, "alpaca", todayUtc())).toBe(3);

    // A restart (fresh governor, same lake) and another node both find the budget spent: no request is made.
    const restarted = await runBackfill(lake.store, { targets: [EOD], fetcherFor: () => node(lake.store, 3), holder: "node-a", through: "2024-07-09" });
    const otherNode = await runBackfill(lake.store, { targets: [EOD], fetcherFor: () => node(lake.store, 3), holder: "node-b", through: "2024-07-09" });
    expect(restarted).toMatchObject({ ran: true, planned: 2, tasks: [], stoppedBy: "budget" });
    expect(otherNode).toMatchObject({ ran: true, planned: 2, tasks: [], stoppedBy: "budget" });
    expect(alpacaRequests(before)).toHaveLength(3);
  });

  it("lets only one node run at a time", async () => {
    const fetcher = node(lake.store, 10_000);
    const options = { targets: [EOD], fetcherFor: () => fetcher, through: "2024-07-09" } as const;
    const [a, b] = await Promise.all([runBackfill(lake.store, { ...options, holder: "node-a" }), runBackfill(lake.store, { ...options, holder: "node-b" })]);
    const ran = [a, b].filter((report) => report.ran);
    const refused = [a, b].filter((report) => !report.ran);
    expect(ran).toHaveLength(1);
    expect(refused).toHaveLength(1);
  });

  it("never grants more than the daily budget to concurrent reservations from two nodes", async () => {
    const nodeA = lakeBudgetStore(lake.store);
    const nodeB = lakeBudgetStore(lake.store);
    const grants = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).reserve("polygon", "2024-07-10", 3, 20)));
    expect(grants.reduce((sum, granted) => sum + granted, 0)).toBe(20);
    expect(await budgetUsed(lake.store, "polygon", "2024-07-10")).toBe(20);
  });
});
