import { it } from "vitest";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync } from "node:fs";
import { request } from "undici";
import { runCollection } from "../../src/ingest/collector.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";
it("poly", async () => {
  const P = policiesFromLimits(undefined, 1 / 12);
  const UNIVERSE = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY", "QQQ", "IWM", "TSLA", "META", "GOOGL"];
  const opts = { today: "2026-11-20", universe: UNIVERSE, limits: { polygon: P.polygon.rules } };
  const proc = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../../src/sim/standalone.ts", import.meta.url)), JSON.stringify(opts)], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((res) => proc.stdout.once("data", (d: Buffer) => res((JSON.parse(d.toString().split("\n")[0] ?? "{}") as { url: string }).url)));
  const governor = new RateGovernor({ policies: P });
  const sim = { today: "2026-11-20", baseUrl: (v: string) => `${url}/${v}` };
  await runCollection({ store: new LocalStore({ root: mkdtempSync("/tmp/budgets-poly-") }), origin: "simulated", connectors: simConnectors(sim, governor), governor, universe: UNIVERSE,
    datasets: [{ vendor: "polygon", dataset: "equities_bars" }], today: "2026-11-20", historyDays: 360, chunkDaysByVendor: { polygon: 730 }, batchSize: 1, workers: 4, holder: "b" });
  const log = JSON.parse(await (await request(`${url}/_sim/log`)).body.text()) as { atMs: number; earliestMs: number; status: number; path: string; fault?: string }[];
  for (const e of log) console.log(e.atMs.toFixed(0), e.earliestMs.toFixed(0), e.status, e.fault ?? "", e.path.slice(0, 60));
  console.log(governor.usage("polygon"));
  proc.kill(); await closeHttpPool();
}, 120000);
