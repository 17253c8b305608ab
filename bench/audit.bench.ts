/**
 * What the audit's incrementality buys: a local lake of daily bars for 500 symbols over 5 years (one Parquet
 * part per month, committed through a manifest), audited
 *   - from scratch (baseline: every part downloaded and counted, the whole ledger written),
 *   - incrementally after one new session arrives (one part read, the ledger carried over and re-committed),
 *   - again with nothing changed (no part read, no commit).
 * Run: npx tsx bench/audit.bench.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Bench } from "tinybench";
import { nextSession, sessions } from "../src/domain/calendar/index.ts";
import { newPartKey } from "../src/lake/keys.ts";
import { LocalStore } from "../src/lake/local-store.ts";
import { commitChange } from "../src/lake/manifest.ts";
import type { PartFile } from "../src/lake/types.ts";
import { auditTarget } from "../src/ssot/audit/audit.ts";

const SYMBOLS = 500;
const FROM = "2019-07-01";
const THROUGH = "2024-06-28";
const LAKE_TABLE = "raw/bench/equities_bars";

const root = await mkdtemp(join(tmpdir(), "trademl-audit-bench-"));
const store = new LocalStore({ root: join(root, "lake") });
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();

async function putDays(days: readonly string[], name: string): Promise<PartFile> {
  const path = join(root, `${name}.parquet`);
  const list = days.map((day) => `DATE '${day}'`).join(",");
  await connection.run(`COPY (SELECT 'S' || lpad(s::VARCHAR, 4, '0') AS symbol, d AS date, 100.0 + s AS close
    FROM range(${SYMBOLS}) r(s), unnest([${list}]) u(d)) TO '${path}' (FORMAT parquet)`);
  const key = newPartKey(LAKE_TABLE);
  const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" } });
  if (!put.ok) throw new Error("part exists");
  return { key, rows: days.length * SYMBOLS, bytes: 0, etag: put.etag, min: { date: days[0] ?? null }, max: { date: days[days.length - 1] ?? null } };
}

const all = sessions(FROM, THROUGH).map((s) => s.date);
const byMonth = new Map<string, string[]>();
for (const day of all) byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
const parts: PartFile[] = [];
for (const [month, days] of byMonth) parts.push(await putDays(days, month));
await commitChange(store, LAKE_TABLE, { kind: "append", add: parts });
console.log(`${SYMBOLS} symbols x ${all.length} sessions = ${(SYMBOLS * all.length).toLocaleString()} daily bars in ${parts.length} parts`);

const target = { table: "equities_eod", lakeTable: LAKE_TABLE, granularity: "daily" as const };
let fullRun = 0;
let through = THROUGH;
const incremental = { source: "incremental", ...target };
await auditTarget(store, incremental, { through });

const bench = new Bench({ iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 });
bench
  .add("baseline: full audit (empty ledger)", async () => {
    fullRun += 1;
    const result = await auditTarget(store, { source: `full${fullRun}`, ...target }, { through: THROUGH });
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
        await commitChange(store, LAKE_TABLE, { kind: "append", add: [await putDays([through], through)] });
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
for (const { name, mean } of means) {
  console.log(`${name.padEnd(38)} ${mean.toFixed(0).padStart(8)} ms/op   ${(mean / baseline).toFixed(3)}x baseline`);
}
connection.closeSync();
instance.closeSync();
await store.close();
await rm(root, { recursive: true, force: true });
for (const task of bench.tasks) if (task.result.state === "errored") console.log(task.name, task.result.error);
