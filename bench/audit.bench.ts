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
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Bench } from "tinybench";
import { nextSession, sessionOn, sessions } from "../src/domain/calendar/index.ts";
import { newPartKey } from "../src/lake/keys.ts";
import { LocalStore } from "../src/lake/local-store.ts";
import { commitChange } from "../src/lake/manifest.ts";
import type { PartFile } from "../src/lake/types.ts";
import { auditTarget } from "../src/quality/audit/audit.ts";
import type { Granularity } from "../src/quality/audit/types.ts";

const root = await mkdtemp(join(tmpdir(), "trademl-audit-bench-"));
const store = new LocalStore({ root: join(root, "lake") });
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
let fileNo = 0;

async function putDays(lakeTable: string, granularity: Granularity, symbols: number, days: readonly string[]): Promise<PartFile> {
  fileNo += 1;
  const path = join(root, `f${fileNo}.parquet`);
  if (granularity === "daily") {
    const list = days.map((day) => `DATE '${day}'`).join(",");
    await connection.run(`COPY (SELECT 'S' || lpad(s::VARCHAR, 4, '0') AS symbol, d AS date, 100.0 + s AS close
      FROM range(${symbols}) r(s), unnest([${list}]) u(d)) TO '${path}' (FORMAT parquet)`);
  } else {
    const list = days.map((day) => `{'open_ms': ${sessionOn(day)?.openMs ?? 0}, 'minutes': ${sessionOn(day)?.minutes ?? 0}}`).join(",");
    await connection.run(`COPY (SELECT 'S' || lpad(s::VARCHAR, 4, '0') AS symbol, make_timestamptz((u.d.open_ms + m * 60000) * 1000) AS bar_time, 100.0 AS close
      FROM range(${symbols}) r(s), unnest([${list}]) u(d), range(u.d.minutes) t(m)) TO '${path}' (FORMAT parquet)`);
  }
  const key = newPartKey(lakeTable);
  const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" } });
  if (!put.ok) throw new Error("part exists");
  const column = granularity === "daily" ? "date" : "bar_time";
  const first = days[0] ?? "";
  const last = days[days.length - 1] ?? "";
  const lo = granularity === "daily" ? first : new Date(sessionOn(first)?.openMs ?? 0).toISOString();
  const hi = granularity === "daily" ? last : new Date((sessionOn(last)?.closeMs ?? 0) - 60_000).toISOString();
  return { key, rows: 0, bytes: 0, etag: put.etag, min: { [column]: lo }, max: { [column]: hi } };
}

async function scenario(name: string, granularity: Granularity, symbols: number, from: string, through0: string): Promise<void> {
  const lakeTable = `raw/bench/${name}`;
  const all = sessions(from, through0).map((s) => s.date);
  const byMonth = new Map<string, string[]>();
  for (const day of all) byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
  const parts: PartFile[] = [];
  for (const days of byMonth.values()) parts.push(await putDays(lakeTable, granularity, symbols, days));
  await commitChange(store, lakeTable, { kind: "append", add: parts });
  const bars = granularity === "daily" ? symbols * all.length : all.reduce((sum, day) => sum + symbols * (sessionOn(day)?.minutes ?? 0), 0);
  console.log(`\n${name}: ${symbols} symbols x ${all.length} sessions = ${bars.toLocaleString("en-US")} bars in ${parts.length} parts`);

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
          await commitChange(store, lakeTable, { kind: "append", add: [await putDays(lakeTable, granularity, symbols, [through])] });
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
connection.closeSync();
instance.closeSync();
await store.close();
await rm(root, { recursive: true, force: true });
