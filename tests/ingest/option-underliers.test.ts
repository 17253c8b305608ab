// Collecting the same session twice adds no option rows: a session's option underliers are chosen once (the
// top-ADV symbols at the time) and kept, even when the daily bars that land later would rank others first. The
// demo did exactly this on a fresh lake (options ranked before any bar, then by ADV on the second run).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rankByAdv, underlierChoiceKey } from "../../src/ingest/adv.ts";
import { runCollection } from "../../src/ingest/collector.ts";
import { ParquetWriter } from "../../src/ingest/parquet-writer.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readManifest } from "../../src/lake/manifest.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";
import { tempDir } from "./helpers.ts";

const TODAY = "2026-11-20";
const UNIVERSE = ["IWM", "QQQ", "MSFT", "AAPL", "NVDA", "SPY"];
let sim: Simulator;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, universe: UNIVERSE });
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  for (const c of cleanups) await c();
});

function collect(store: LocalStore, datasets: { vendor: string; dataset: string }[]) {
  const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 120) });
  return runCollection({
    store, origin: "simulated", connectors: simConnectors(sim, governor), governor, universe: UNIVERSE, datasets, today: TODAY, historyDays: 30,
    optionUnderliers: 2, tuning: { optionExpiryDays: 14, maxContractsPerUnderlying: 50 }, workers: 2, holder: "t",
  });
}

async function optionRows(store: LocalStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ["raw/alpaca/options_chains", "raw/polygon/options_contracts"]) out[table] = ((await readManifest(store, table))?.files ?? []).reduce((n, f) => n + f.rows, 0);
  return out;
}

describe("option underliers", () => {
  it("are chosen once per session: a second pass over the same session adds no option rows", async () => {
    const t = await tempDir("trademl-underliers-");
    cleanups.push(t.cleanup);
    const store = new LocalStore({ root: t.dir });
    const options = [{ vendor: "alpaca", dataset: "options_chains" }, { vendor: "polygon", dataset: "options_contracts" }];
    // A fresh lake has no bars to rank by: the universe's own order stands.
    expect((await collect(store, options)).failed).toBe(0);
    const first = await optionRows(store);
    expect(Object.values(first).every((n) => n > 0)).toBe(true);
    const choice = JSON.parse(new TextDecoder().decode((await store.get(underlierChoiceKey("2026-11-19")))?.body)) as { underliers: string[] };
    expect(choice.underliers).toEqual(["IWM", "QQQ"]);

    expect((await collect(store, [{ vendor: "alpaca", dataset: "equities_bars" }])).failed).toBe(0);
    // The bars now rank other symbols first, so ranking again would pick other underliers.
    const writer = new ParquetWriter(store);
    const ranked = await rankByAdv(store, writer, UNIVERSE);
    await writer.close();
    expect(ranked.slice(0, 2)).not.toEqual(["IWM", "QQQ"]);

    expect((await collect(store, options)).failed).toBe(0);
    expect(await optionRows(store)).toEqual(first);
  });
});
