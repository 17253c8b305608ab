/**
 * The node's collection universe comes from reference data: the point-in-time members of edge.yml's
 * `universe_indexes` on the collection date, over a lake whose membership changes month to month; edge.yml's
 * list only while the lake has no membership, said in a log line. The last case runs a real node pass against the
 * simulator and checks what it collected.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type TrademlConfig } from "../../src/config/index.ts";
import { packageConfigDir } from "../../src/config/package-config-dir.ts";
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { addDays, todayUtc } from "../../src/domain/calendar/dates.ts";
import { createLogger } from "../../src/domain/logger.ts";
import { passUniverse, runNodePass } from "../../src/ingest/node-pass.ts";
import { readManifest } from "../../src/lake/index.ts";
import { buildReference } from "../../src/reference/index.ts";
import { startSimulator } from "../../src/sim/server.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { createTestLake, type BarRow, type TestLake } from "../curate/lake-fixture.ts";

let config: TrademlConfig;
let t: TestLake;

beforeAll(async () => {
  config = await loadConfig({ configDir: packageConfigDir(), env: {}, envFile: false });
});
beforeEach(async () => {
  t = await createTestLake();
});
afterEach(async () => {
  await t.close();
});
afterAll(async () => {
  await closeHttpPool();
});

function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const day = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (day !== 0 && day !== 6) out.push(d);
  }
  return out;
}

/**
 * Dollar volume per session: C 3000, B 2000 until 2024-02-14 then 100, A 1000, D 500 (delisted 2024-02-20), E 200.
 * With a 3-session window and two large caps: February's members are C and B, March's C and A (B's volume fell).
 */
async function changingMembershipLake(): Promise<void> {
  const rows: BarRow[] = [];
  for (const date of weekdays("2024-01-22", "2024-03-08")) {
    rows.push({ symbol: "A", date, close: 10, volume: 100 });
    rows.push({ symbol: "B", date, close: 20, volume: date < "2024-02-15" ? 100 : 5 });
    rows.push({ symbol: "C", date, close: 30, volume: 100 });
    if (date < "2024-02-20") rows.push({ symbol: "D", date, close: 5, volume: 100 });
    rows.push({ symbol: "E", date, close: 2, volume: 100 });
  }
  await t.putBars("alpaca", rows);
  await t.putDelistings("alpaca", [{ symbol: "D", delist_date: "2024-02-20", reason: "acquired" }]);
  await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
  await buildReference({ lake: t.lake, tickSize: [], advWindow: 3, minSessions: 2, largeCount: 2, smallCount: 3 });
}

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: "info", sink: { write: (line) => lines.push(line) } }) };
}

describe("the node's collection universe", () => {
  it("falls back to edge.yml's list, and says so, while the lake has no reference membership", async () => {
    const { lines, logger } = capture();
    const universe = await passUniverse({ config, store: t.store, asOf: "2024-02-15", logger });
    expect(universe).toEqual({ symbols: config.edge.universe, source: "fallback" });
    expect(lines.join("")).toContain("no reference index membership yet");
  });

  it("follows the point-in-time membership as it changes from month to month", async () => {
    await changingMembershipLake();
    const { lines, logger } = capture();
    const feb = await passUniverse({ config, store: t.store, asOf: "2024-02-15", logger });
    expect(feb).toEqual({ symbols: ["B", "C"], source: "reference" });
    expect(lines.join("")).toContain("collection universe from reference data");
    const mar = await passUniverse({ config, store: t.store, asOf: "2024-03-05" });
    expect(mar).toEqual({ symbols: ["A", "C"], source: "reference" });
    // Both proxies: D was a February member but was delisted on the 20th, so after it there is nothing to collect.
    const both = { ...config, edge: { ...config.edge, universe_indexes: ["large_cap_proxy", "small_cap_proxy"] } };
    expect((await passUniverse({ config: both, store: t.store, asOf: "2024-02-19" })).symbols).toEqual(["A", "B", "C", "D", "E"]);
    expect((await passUniverse({ config: both, store: t.store, asOf: "2024-02-21" })).symbols).toEqual(["A", "B", "C", "E"]);
    // Before the first ranking (January has no earlier sessions) nobody is a member: the fallback again.
    expect((await passUniverse({ config, store: t.store, asOf: "2024-01-25" })).source).toBe("fallback");
    // An explicit list (`node up --symbols`) wins over both.
    expect(await passUniverse({ config, store: t.store, universe: ["SPY"], asOf: "2024-03-05" })).toEqual({ symbols: ["SPY"], source: "given" });
  });

  it("a node pass collects the members of its date, not edge.yml's list", async () => {
    await changingMembershipLake();
    const today = todayUtc();
    const sim = await startSimulator({ today, universe: ["A", "B", "C", "D", "E", ...config.edge.universe] });
    try {
      const loaded = await loadConfig({ configDir: packageConfigDir(), env: { ALPACA_API_KEY_ID: "kid-0000", ALPACA_API_SECRET_KEY: "secret-0000" }, envFile: false });
      const fast = { requests_per_minute: 6000, history_window_days: 5 };
      const keyed = { ...loaded, edge: { ...loaded.edge, tasks: ["alpaca_bars"] }, node: { ...loaded.node, vendors: { ...loaded.node.vendors, alpaca: { ...loaded.node.vendors.alpaca, ...fast } } } };
      const before = new Set((await readManifest(t.store, "raw/alpaca/equities_bars"))?.files.map((f) => f.key));
      const pass = await runNodePass({ config: keyed, store: t.store, asOf: "2024-03-05", baseUrls: { alpaca: sim.baseUrl("alpaca") } });
      expect(pass.universe).toEqual({ symbols: ["A", "C"], source: "reference" });
      expect(pass.report?.failed).toBe(0);
      const added = (await readManifest(t.store, "raw/alpaca/equities_bars"))?.files.filter((f) => !before.has(f.key)) ?? [];
      expect(added.length).toBeGreaterThan(0);
      expect([...new Set(added.flatMap((f) => f.symbols ?? []))].sort()).toEqual(["A", "C"]);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
