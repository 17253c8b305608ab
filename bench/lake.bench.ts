/**
 * The lake's costs, each against a baseline measured in the same run:
 *   1. commit latency: `commitParts` (create-only manifest, full snapshot) vs a plain unconditional write of the
 *      same bytes — LocalStore (baseline: fs.writeFile) and MinIO (baseline: unconditional PutObject);
 *   2. commit throughput with 4 concurrent writers on one table (lost races, rebase, retry);
 *   3. a 1M-row table (10 parts) read through DuckDB from MinIO: cold (read cache empty: download + query) vs
 *      cached (ETag hits) vs the baseline of DuckDB reading the same Parquet files from local disk directly;
 *      peak RSS of the process after each phase.
 * MinIO is started with scripts/test-services.sh (skipped, with a note, when it cannot start).
 * Run: npx tsx bench/lake.bench.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { ReadCache } from "../src/lake/read-cache.ts";
import { createTableView, writeParquetPart } from "../src/db/lake-tables.ts";
import { DuckSession, sqlList } from "../src/db/session.ts";
import { newPartKey } from "../src/lake/keys.ts";
import { LocalStore } from "../src/lake/local-store.ts";
import { commitParts } from "../src/lake/manifest.ts";
import { S3Store } from "../src/lake/s3-store.ts";
import type { ObjectStore } from "../src/lake/types.ts";

const root = await mkdtemp(join(tmpdir(), "trademl-lake-bench-"));
const runDir = join(root, "services");
const rssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function startMinio(): Promise<S3Store | undefined> {
  try {
    execFileSync("bash", ["scripts/test-services.sh", "start", "minio"], { env: { ...process.env, TRADEML_SERVICES_RUN_DIR: runDir }, stdio: "ignore" });
    const state = JSON.parse(await readFile(join(runDir, "minio.json"), "utf8")) as { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
    const store = new S3Store({ bucket: `bench-${Date.now().toString(36)}`, endpoint: state.endpoint, region: state.region, accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey });
    await store.ensureBucket();
    return store;
  } catch (error) {
    console.log(`MinIO unavailable, S3 rows skipped: ${String(error)}`);
    return undefined;
  }
}

const local = new LocalStore({ root: join(root, "lake") });
const minio = await startMinio();
const manifestSized = JSON.stringify({ files: Array.from({ length: 50 }, () => ({ key: newPartKey("curated/bench"), rows: 1000, bytes: 10_000 })) });

// 1. Commit latency (sequential, one writer). Each commit grows the table by one file.
const bench = new Bench({ time: 1_500, warmupTime: 200 });
let n = 0;
bench.add("local: fs.writeFile of manifest-sized JSON (baseline)", async () => {
  await writeFile(join(root, `plain-${n++ % 50}.json`), manifestSized);
});
bench.add("local: commitParts (create-only snapshot manifest)", async () => {
  await commitParts(local, "bench_seq", [{ key: newPartKey("curated/bench_seq"), rows: 1000, bytes: 10_000 }]);
});
if (minio !== undefined) {
  bench.add("minio: unconditional PutObject (baseline)", async () => {
    await minio.put(`plain/${n++ % 50}.json`, manifestSized);
  });
  bench.add("minio: commitParts (If-None-Match: * manifest)", async () => {
    await commitParts(minio, "bench_seq", [{ key: newPartKey("curated/bench_seq"), rows: 1000, bytes: 10_000 }]);
  });
}
await bench.run();
const rows: string[] = [];
const mean = (name: string): number => {
  const task = bench.tasks.find((t) => t.name === name);
  const result = task?.result;
  return result !== undefined && "latency" in result ? result.latency.mean : NaN;
};
for (const [baseline, subject] of [
  ["local: fs.writeFile of manifest-sized JSON (baseline)", "local: commitParts (create-only snapshot manifest)"],
  ["minio: unconditional PutObject (baseline)", "minio: commitParts (If-None-Match: * manifest)"],
] as const) {
  if (Number.isNaN(mean(subject))) continue;
  rows.push(`| ${baseline} | ${mean(baseline).toFixed(2)} ms | 1.00x |`);
  rows.push(`| ${subject} | ${mean(subject).toFixed(2)} ms | ${(mean(subject) / mean(baseline)).toFixed(2)}x |`);
}

// 2. Throughput with contention: 4 writers × 50 commits to one fresh table.
async function contended(store: ObjectStore, table: string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 50; i++) await commitParts(store, table, [{ key: newPartKey(`curated/${table}/w=${w}`), rows: 1, bytes: 1 }]);
    }),
  );
  return 200 / ((performance.now() - started) / 1000);
}
const throughput = [`| local | ${(await contended(local, "bench_race")).toFixed(0)} commits/s |`];
if (minio !== undefined) throughput.push(`| minio | ${(await contended(minio, "bench_race")).toFixed(0)} commits/s |`);

// 3. 1M rows through DuckDB: cold vs cached vs local files.
const readRows: string[] = [];
if (minio !== undefined) {
  const session = await DuckSession.create({ threads: 2, kernels: false });
  const parts = [];
  for (let p = 0; p < 10; p++) {
    parts.push(
      await writeParquetPart(
        session,
        minio,
        `SELECT 'S' || lpad(((range + ${p}) % 500)::VARCHAR, 3, '0') AS symbol, TIMESTAMP '2024-01-02 09:30:00' + INTERVAL (range) SECOND AS ts, 100 + (range % 997) / 10.0 AS price, (range % 1000)::BIGINT AS volume FROM range(${p * 100_000}, ${(p + 1) * 100_000})`,
        { prefix: `curated/bench_1m/p=${p}` },
      ),
    );
  }
  await commitParts(minio, "bench_1m", parts);
  const query = "SELECT symbol, count(*) AS n, sum(price * volume) AS notional FROM bench_1m GROUP BY symbol ORDER BY notional DESC LIMIT 5";
  const cache = new ReadCache({ dir: join(root, "cache"), maxBytes: 1024 ** 3 });
  const t0 = performance.now();
  const view = await createTableView(session, minio, "bench_1m", { cache });
  await session.rows(query);
  const cold = performance.now() - t0;
  const rssCold = rssMiB();
  const cachedTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await createTableView(session, minio, "bench_1m", { cache });
    await session.rows(query);
    cachedTimes.push(performance.now() - t);
  }
  const cached = cachedTimes.reduce((a, b) => a + b, 0) / cachedTimes.length;
  const directTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await session.rows(query.replace("FROM bench_1m", `FROM read_parquet(${sqlList(view.paths)})`));
    directTimes.push(performance.now() - t);
  }
  const direct = directTimes.reduce((a, b) => a + b, 0) / directTimes.length;
  readRows.push(`| baseline: DuckDB over the same local Parquet files | ${direct.toFixed(1)} ms | 1.00x |`);
  readRows.push(`| lake, cached (manifest + ETag hits + query) | ${cached.toFixed(1)} ms | ${(cached / direct).toFixed(2)}x |`);
  readRows.push(`| lake, cold (manifest + download 10 parts + query) | ${cold.toFixed(1)} ms | ${(cold / direct).toFixed(2)}x |`);
  readRows.push(`\nParts: ${parts.length}, ${(parts.reduce((s, p) => s + p.bytes, 0) / 1024 ** 2).toFixed(1)} MiB zstd Parquet; peak RSS after the cold read ${rssCold} MiB, at the end ${rssMiB()} MiB (DuckDB memory_limit 768MB, 2 threads).`);
  session.close();
}

console.log("\n### commit latency (one writer)\n\n| task | mean | vs baseline |\n|---|---|---|");
console.log(rows.join("\n"));
console.log("\n### commit throughput, 4 concurrent writers on one table\n\n| store | throughput |\n|---|---|");
console.log(throughput.join("\n"));
if (readRows.length > 0) console.log(`\n### 1M-row table through DuckDB (MinIO)\n\n| read | mean | vs baseline |\n|---|---|---|\n${readRows.join("\n")}`);
console.log(`\npeak RSS of the whole run: ${rssMiB()} MiB`);

await minio?.close();
try {
  execFileSync("bash", ["scripts/test-services.sh", "stop", "minio"], { env: { ...process.env, TRADEML_SERVICES_RUN_DIR: runDir }, stdio: "ignore" });
} catch {
  // already stopped
}
await rm(root, { recursive: true, force: true });
