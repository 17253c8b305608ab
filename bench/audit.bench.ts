/**
 * What the audit's incrementality buys. Two local lakes, each audited
 *   - from scratch (baseline: every raw part downloaded and counted, the whole ledger written),
 *   - incrementally after one new session arrives (only that session's part read; the ledger is carried
 *     over, re-derived and re-committed),
 *   - again with nothing changed (answered from the ledger part's recorded inputs: nothing read).
 * Daily: 500 symbols x 5 years (629k bars; the ledger is as large as the raw data, so ledger upkeep
 * dominates). Minute: 40 symbols x 1 year (3.9M bars; the ledger is 390x smaller than the raw data).
 * Run: npx tsx bench/audit.bench.ts
 */
import { Bench } from "tinybench";
import { nextSession } from "../src/domain/calendar/index.ts";
import { auditTarget } from "../src/quality/audit/audit.ts";
import type { Granularity } from "../src/quality/audit/types.ts";
import { createAuditBenchLake } from "./audit-lake.ts";

const lake = await createAuditBenchLake();
const store = lake.store;

async function scenario(name: string, granularity: Granularity, symbols: number, from: string, through0: string): Promise<void> {
  const lakeTable = `raw/bench/${name}`;
  const { parts, bars, sessions } = await lake.putHistory(lakeTable, granularity, symbols, from, through0);
  console.log(`\n${name}: ${symbols} symbols x ${sessions} sessions = ${bars.toLocaleString("en-US")} bars in ${parts.length} parts`);

  const target = { table: name, lakeTable, granularity };
  let fullRun = 0;
  let through = through0;
  const incremental = { source: "incremental", ...target };
  await auditTarget(store, incremental, { through });

  const bench = new Bench({ iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 });
  bench
    .add("baseline: full audit (empty ledger)", async () => {
      fullRun += 1;
      const result = await auditTarget(store, { source: `full${fullRun}`, ...target }, { through: through0 });
      if (result.partsRead !== parts.length) throw new Error(`full audit read ${result.partsRead} parts`);
    })
    .add(
      "incremental: one new session",
      async () => {
        const result = await auditTarget(store, incremental, { through });
        if (result.sessionsReaudited !== 1 || result.partsRead !== 1 || !result.committed) throw new Error(`incremental audit re-read ${result.sessionsReaudited} sessions`);
      },
      {
        beforeEach: async () => {
          through = nextSession(through);
          await lake.appendDay(lakeTable, granularity, symbols, through);
        },
      },
    )
    .add("unchanged: re-run, nothing to do", async () => {
      const result = await auditTarget(store, incremental, { through });
      if (result.partsRead !== 0 || result.committed) throw new Error("unchanged audit did work");
    });
  await bench.run();
  const means = bench.tasks.map((task) => ({ name: task.name, mean: task.result.state === "completed" ? task.result.latency.mean : Number.NaN }));
  const baseline = means[0]?.mean ?? Number.NaN;
  for (const { name: label, mean } of means) {
    console.log(`${label.padEnd(38)} ${mean.toFixed(0).padStart(8)} ms/op   ${(mean / baseline).toFixed(3)}x baseline`);
  }
  for (const task of bench.tasks) if (task.result.state === "errored") console.log(task.name, task.result.error);
}

await scenario("equities_eod", "daily", 500, "2019-07-01", "2024-06-28");
await scenario("equities_minute", "minute", 40, "2023-07-03", "2024-06-28");
await lake.close();
