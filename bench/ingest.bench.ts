/**
 * Ingestion: how much of each vendor's allowed rate the collector actually uses, and what the governor and the
 * scheduler cost per request.
 *   1. Achieved rate: one collection pass against the simulator with every free-tier limit scaled ×1/12 (a
 *      minute's allowance in 5 s), the simulator enforcing the same limits. Per vendor: requests per second over
 *      its busy span (first to last request) as a share of the allowed rate, and 429s (goal ≥ 95 %, zero 429s).
 *   2. Overhead (tinybench, same run): a bare undici GET of one Alpaca minute page from the simulator (baseline),
 *      the same GET through the governor and connector code (`getJson`, unlimited policy), and the scheduler's
 *      own cost per unit (runScheduler over no-op units).
 *   The collector's event-loop delay during the pass (perf_hooks.monitorEventLoopDelay) and, per vendor, the send
 *   slots the governor offered while a request waited but the loop reached too late ("missed slots") say whether
 *   a shortfall is the collector's CPU or its pacing.
 * Run: npx tsx bench/ingest.bench.ts [compression, default 12] [--rate-only]   (--rate-only skips part 2, e.g.
 * under `node --cpu-prof --import tsx` to profile the pass alone)
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Bench } from "tinybench";
import { Agent, request } from "undici";
import { runCollection } from "../src/ingest/collector.ts";
import { startSimulator } from "../src/sim/server.ts";
import type { Unit } from "../src/ingest/plan.ts";
import { runScheduler, type TableJob } from "../src/ingest/scheduler.ts";
import { simConnectors } from "../src/ingest/sim-connectors.ts";
import { LocalStore } from "../src/lake/local-store.ts";
import { RateGovernor, spacingOf } from "../src/vendors/governor.ts";
import { closeHttpPool, getJson } from "../src/vendors/http.ts";
import { policiesFromLimits } from "../src/vendors/policies.ts";

const SCALE = 1 / Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 12);
const RATE_ONLY = process.argv.includes("--rate-only");
const TODAY = "2026-11-20";
const UNIVERSE = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY", "QQQ", "IWM", "TSLA", "META", "GOOGL"];
// node.yml's free-tier limits (the schema's defaults), compressed in time.
const POLICIES = policiesFromLimits(undefined, SCALE);
const VENDORS = ["alpaca", "polygon", "finnhub", "fred"] as const;
const allowedPerSecond = (vendor: (typeof VENDORS)[number]): number => Math.min(...POLICIES[vendor].rules.map((r) => (r.limit / r.windowMs) * 1000));

// ---- 1. achieved rate -------------------------------------------------------------------------------------
// The simulator runs in its own process, as a vendor would: its CPU does not compete with the collector's loop.
const simOptions = {
  today: TODAY, universe: UNIVERSE,
  limits: { alpaca: POLICIES.alpaca.rules, polygon: POLICIES.polygon.rules, finnhub: POLICIES.finnhub.rules, fred: POLICIES.fred.rules },
};
const simProcess = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../src/sim/standalone.ts", import.meta.url)), JSON.stringify(simOptions)], { stdio: ["ignore", "pipe", "inherit"] });
const simUrl = await new Promise<string>((resolve, reject) => {
  simProcess.stdout.once("data", (d: Buffer) => resolve((JSON.parse(d.toString().split("\n")[0] ?? "{}") as { url: string }).url));
  simProcess.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});
const sim = { today: TODAY, baseUrl: (v: string) => `${simUrl}/${v}` };
const fetchLog = async (): Promise<{ vendor: string; atMs: number; status: number }[]> => JSON.parse(await (await request(`${simUrl}/_sim/log`)).body.text()) as { vendor: string; atMs: number; status: number }[];
const root = await mkdtemp(join(tmpdir(), "trademl-ingest-bench-"));
const governor = new RateGovernor({ policies: POLICIES });
// Workloads sized so every vendor is busy for roughly 5–10 s at its scaled limit.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const cpuBefore = process.cpuUsage();
const report = await runCollection({
  store: new LocalStore({ root: join(root, "lake") }), origin: "simulated", connectors: simConnectors(sim, governor), governor, universe: UNIVERSE,
  datasets: [
    { vendor: "alpaca", dataset: "equities_minute" }, { vendor: "polygon", dataset: "equities_bars" },
    { vendor: "finnhub", dataset: "equities_bars" }, { vendor: "fred", dataset: "treasury_curve" },
  ],
  today: TODAY, minuteDays: 40, historyDays: 360, chunkDays: 30, chunkDaysByVendor: { polygon: 730 }, batchSize: 1, workers: 4, holder: "bench",
});
loopDelay.disable();
const cpu = process.cpuUsage(cpuBefore);
const rateRows: string[] = [];
const simLog = await fetchLog();
for (const vendor of VENDORS) {
  const entries = simLog.filter((e) => e.vendor === vendor);
  const stamps = entries.map((e) => e.atMs);
  const first = stamps[0] ?? 0;
  const last = stamps.at(-1) ?? 0;
  const achieved = stamps.length > 1 ? ((stamps.length - 1) / (last - first)) * 1000 : Number.NaN;
  const allowed = allowedPerSecond(vendor);
  // The governor's own ceiling: spacing widened by its safety margin and jitter allowance.
  const ceiling = 1000 / spacingOf(POLICIES[vendor]);
  const missed = Object.values(governor.usage(vendor)).reduce((n, day) => n + day.missed_slots, 0);
  rateRows.push(`| ${vendor} | ${entries.length} | ${allowed.toFixed(2)}/s | ${ceiling.toFixed(2)}/s | ${achieved.toFixed(2)}/s | ${((achieved / allowed) * 100).toFixed(1)} % | ${((achieved / ceiling) * 100).toFixed(1)} % | ${entries.filter((e) => e.status === 429).length} | ${missed} |`);
}

const ms = (ns: number): string => (ns / 1e6).toFixed(1);
const loopLine = `event-loop delay during the pass: p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms`;
// CPU the collector spent per request (user + system, this process): what a slower CPU has to fit in one spacing.
const cpuLine = `collector CPU: ${((cpu.user + cpu.system) / 1000 / simLog.length).toFixed(1)} ms per request (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s for ${simLog.length})`;
const rateTable = [
  `machine: ${cpus().length} vCPU ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  `pass: ${report.committed}/${report.units} units in ${(report.durationMs / 1000).toFixed(1)} s, limits scaled ×${SCALE.toFixed(4)}`,
  `${loopLine}; ${cpuLine}`,
  "| vendor | requests | allowed | governor ceiling | achieved (busy span) | share of allowed | share of ceiling | 429s | missed slots |\n|---|---|---|---|---|---|---|---|---|",
  ...rateRows,
].join("\n");
if (RATE_ONLY) {
  simProcess.kill("SIGTERM");
  await closeHttpPool();
  await rm(root, { recursive: true, force: true });
  console.log(rateTable);
  process.exit(0);
}

// ---- 2. overhead ------------------------------------------------------------------------------------------
// A second, unlimited simulator in this process: both sides of each ratio pay the same serving cost.
const local = await startSimulator({ today: TODAY, universe: UNIVERSE });
const url = `${local.baseUrl("alpaca")}/v2/stocks/bars?symbols=AAPL&timeframe=1Min&start=2026-11-18T00:00:00Z&end=2026-11-19T00:00:00Z&limit=10000`;
const headers = { "APCA-API-KEY-ID": "k", "APCA-API-SECRET-KEY": "s" };
const open = new RateGovernor({ policies: { alpaca: { rules: [{ limit: 1e9, windowMs: 1000 }], maxInflight: 64 } } });
const UNITS = 2000;
const noopUnits: Unit[] = Array.from({ length: UNITS }, (_, i) => ({ id: `u${i}`, vendor: ["a", "b", "c", "d"][i % 4] ?? "a", dataset: "d", table: "t", series: ["X"], start: TODAY, end: TODAY }));
const jobsFor = (): TableJob[] => ["a", "b", "c", "d"].map((vendor) => ({
  vendor, table: `raw/${vendor}/d`,
  activate: async () => ({ kind: "ready" as const, units: noopUnits.filter((u) => u.vendor === vendor) }),
  run: async () => ({ kind: "done" as const }),
  finish: async () => undefined,
}));

// The same keep-alive pool settings the connectors use (src/vendors/http.ts).
const baselineAgent = new Agent({ keepAliveTimeout: 4_000, connections: 16 });
const bench = new Bench({ time: 2000, warmupTime: 300 });
bench
  .add("baseline: bare undici GET + JSON.parse (390 bars)", async () => {
    const res = await request(url, { headers, dispatcher: baselineAgent });
    JSON.parse(await res.body.text());
  })
  .add("getJson through the governor (unlimited policy)", async () => {
    await getJson({ governor: open, vendor: "alpaca" }, url, { headers });
  })
  .add(`runScheduler over ${UNITS} no-op units (4 vendors, 4 workers)`, async () => {
    await runScheduler(jobsFor(), { workers: 4, maxInflight: {}, isCoolingDown: () => false, leaseWaitMs: 0 });
  });
await bench.run();
const mean = (i: number): number => {
  const r = bench.tasks[i]?.result;
  return r && r.state === "completed" ? r.latency.mean : Number.NaN;
};
const base = mean(0);

simProcess.kill("SIGTERM");
await local.close();
await baselineAgent.close();
await closeHttpPool();
await rm(root, { recursive: true, force: true });

console.log(rateTable);
console.log("\n| task | mean | vs baseline |\n|---|---|---|");
console.log(`| ${bench.tasks[0]?.name} | ${base.toFixed(3)} ms | 1.00x |`);
console.log(`| ${bench.tasks[1]?.name} | ${mean(1).toFixed(3)} ms | ${(mean(1) / base).toFixed(2)}x (governor + connector: ${((mean(1) - base) * 1000).toFixed(0)} µs/request) |`);
console.log(`| ${bench.tasks[2]?.name} | ${mean(2).toFixed(3)} ms | ${((mean(2) / UNITS) * 1000).toFixed(2)} µs per unit |`);
