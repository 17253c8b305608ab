/**
 * Compaction after the curate passes (src/curate/compact-curation.ts), on a real local lake with real DuckDB:
 * after N daily passes the adjusted tables' delta parts and the consumed raw minute parts are few, every row is
 * kept, the commits are `compact` (so a step whose inputs were only compacted need not re-run), the minute
 * bookmark follows the swap (merged parts are not curated again), pinned seqs keep their parts through expiry
 * and gc, and a re-run changes nothing. Run on a LocalStore and on an S3Store against real MinIO.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { curatorSchema, type CuratorConfig } from "../../src/config/schemas/curator.ts";
import { readCurateBookmark } from "../../src/curate/curate-state.ts";
import { CURATE_TABLES, MINUTE_BOOKMARK_KEY, MINUTE_TABLES } from "../../src/curate/curate-tables.ts";
import { runCuration, type CurationRun } from "../../src/curate/run-curation.ts";
import { contentChangedSince } from "../../src/lake/content-changes.ts";
import { collectGarbage } from "../../src/lake/gc.ts";
import { pinSnapshots } from "../../src/lake/pins.ts";
import { expireManifests } from "../../src/lake/retention.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import type { ObjectStore } from "../../src/lake/types.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";
import { createTestLake, type BarRow, type TestLake } from "./lake-fixture.ts";

const SYMBOLS = ["AAA", "BBB", "CCC"];
const DAYS = ["2024-06-03", "2024-06-04", "2024-06-05", "2024-06-06", "2024-06-07", "2024-06-10"];
const RAW_MINUTE = "raw/polygon/equities_bars_minute";

let t: TestLake;

function config(compaction: Record<string, unknown>): CuratorConfig {
  // Short leases, so that gc below may run with a grace of a few seconds (it refuses one shorter than a lease TTL).
  return curatorSchema.parse({ source_priority: ["alpaca", "polygon"], leases: { lease_seconds: 2, renew_seconds: 1 }, compaction });
}

/** One session's data as the collector leaves it: one daily part, and one minute part per symbol (per unit). */
async function collect(day: string, index: number): Promise<void> {
  await t.putBars("alpaca", SYMBOLS.map((symbol, s) => ({ symbol, date: day, close: 10 * (s + 1) + index })));
  for (const [s, symbol] of SYMBOLS.entries()) {
    const bars: BarRow[] = [0, 1].map((m) => ({ symbol, date: day, close: 10 * (s + 1) + index + m / 10, ts: `${day} 13:3${m}:00` }));
    await t.putBars("polygon", bars, "equities_bars_minute");
  }
}

async function curate(cfg: CuratorConfig): Promise<Extract<CurationRun, { ran: true }>> {
  const run = await runCuration(t.store, cfg, { holder: "compaction-test" });
  if (!run.ran) throw new Error("the curate lease was held");
  return run;
}

async function keys(table: string, seq?: number): Promise<string[]> {
  return ((await t.lake.readManifest(table, seq))?.files ?? []).map((f) => f.key);
}

/** (symbol, minute or date, close) of every row of `table` at `seq`, sorted. */
async function rows(table: string, seq?: number): Promise<string[]> {
  const paths = await t.partPaths(table, seq);
  if (paths.length === 0) return [];
  const list = paths.map((p) => `'${p}'`).join(", ");
  const time = table.startsWith("raw/") ? "ts" : table === MINUTE_TABLES.adjusted ? "bar_time" : "date::TIMESTAMP";
  const found = await t.query<{ r: string }>(
    `SELECT symbol || ' ' || strftime(${time}, '%Y-%m-%d %H:%M') || ' ' || close::VARCHAR AS r
     FROM read_parquet([${list}], hive_partitioning = false, union_by_name = true) ORDER BY r`,
  );
  return found.map((row) => row.r);
}

/** Every (symbol, time, close) the collector delivered for the first `n` days: what the curated tables must hold. */
function expected(n: number, minute: boolean): string[] {
  const out: string[] = [];
  DAYS.slice(0, n).forEach((day, index) => {
    SYMBOLS.forEach((symbol, s) => {
      if (!minute) out.push(`${symbol} ${day} 00:00 ${(10 * (s + 1) + index).toFixed(1)}`);
      else for (const m of [0, 1]) out.push(`${symbol} ${day} 13:3${m} ${(10 * (s + 1) + index + m / 10).toFixed(1)}`);
    });
  });
  return out.sort();
}

async function listed(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of t.store.list(prefix)) out.push(entry.key);
  return out;
}

const deltas = (list: readonly string[]): string[] => list.filter((key) => key.includes("/delta/"));

/** The suite on the store `makeStore` gives (a LocalStore when undefined). */
function compactionSuite(makeStore: (() => Promise<ObjectStore>) | undefined): void {
  let store: ObjectStore | undefined;
  beforeEach(async () => {
    store = makeStore === undefined ? undefined : await makeStore();
    t = await createTestLake(store === undefined ? {} : { store });
  });
  afterEach(async () => {
    await t.close();
    await store?.close();
  });

  it("keeps few parts and every row over N daily passes, follows the minute bookmark, and a re-run changes nothing", async () => {
    const cfg = config({ min_parts: 3, raw_min_parts: 2 });
    let pinnedSeq = 0;
    let pinnedRows: string[] = [];
    for (const [index, day] of DAYS.entries()) {
      if (index === 3) {
        // A backtest pins the adjusted table as it stands before the first delta compaction.
        pinnedSeq = (await t.lake.readManifest(CURATE_TABLES.adjusted))?.seq ?? 0;
        pinnedRows = await rows(CURATE_TABLES.adjusted, pinnedSeq);
        await pinSnapshots(t.store, { kind: "backtest", id: "before-compaction", tables: { [CURATE_TABLES.adjusted]: pinnedSeq } });
      }
      await collect(day, index);
      const run = await curate(cfg);
      // Each day's minute parts were consumed by the minute pass, then merged into one.
      expect(run.minute.newRawParts).toBe(SYMBOLS.length);
      expect(run.compaction.tables[RAW_MINUTE]?.partsRemoved).toBe(SYMBOLS.length);
    }
    const raw = await keys(RAW_MINUTE);
    expect(raw).toHaveLength(DAYS.length); // one part per session instead of one per symbol and session
    expect(deltas(await keys(CURATE_TABLES.adjusted)).length).toBeLessThan(3);
    expect(deltas(await keys(MINUTE_TABLES.adjusted)).length).toBeLessThan(3);

    // Every row is kept, none doubled: merged raw parts were not curated a second time.
    expect(await rows(CURATE_TABLES.adjusted)).toEqual(expected(DAYS.length, false));
    expect(await rows(MINUTE_TABLES.adjusted)).toEqual(expected(DAYS.length, true));
    expect(await rows(RAW_MINUTE)).toEqual(expected(DAYS.length, true));

    // The minute bookmark lists the merged parts, not the ones they replaced.
    const bookmark = await readCurateBookmark(t.lake, MINUTE_BOOKMARK_KEY);
    for (const key of raw) expect(bookmark.state.consumed.bars).toContain(key);
    const allRawKeys = new Set((await t.lake.readManifest(RAW_MINUTE))?.files.map((f) => f.key));
    expect(bookmark.state.consumed.bars.filter((key) => key.startsWith(`${RAW_MINUTE}/`) && !allRawKeys.has(key))).toEqual([]);

    // The compactions are content-preserving commits: nothing changed since the last curate commit.
    for (const table of [CURATE_TABLES.adjusted, MINUTE_TABLES.adjusted, RAW_MINUTE]) {
      const latest = await t.lake.readManifest(table);
      expect(latest?.operation, table).toBe("compact");
      expect(await contentChangedSince(t.store, table, (latest?.seq ?? 1) - 1), table).toBe(false);
      expect(await contentChangedSince(t.store, table, (latest?.seq ?? 1) - 2), table).toBe(true);
    }

    // Re-run without new data: no curate commit, no compaction, no new manifest anywhere.
    const seqs = async (): Promise<(number | undefined)[]> =>
      Promise.all([CURATE_TABLES.adjusted, MINUTE_TABLES.adjusted, RAW_MINUTE].map(async (table) => (await t.lake.readManifest(table))?.seq));
    const before = await seqs();
    const again = await curate(cfg);
    expect(again.daily.commits).toEqual({});
    expect(again.minute.commits).toEqual({});
    expect(again.compaction.tables).toEqual({});
    expect(await seqs()).toEqual(before);

    // Expiry keeps only the newest manifest and the pinned one; gc (parts aged past the grace) deletes the parts
    // no remaining manifest lists, and none of the pinned seq's.
    const expired = await expireManifests(t.store, CURATE_TABLES.adjusted, { keepLast: 1, olderThanMs: 0, apply: true });
    expect(expired.pinned).toEqual([pinnedSeq]);
    const pinnedKeys = await keys(CURATE_TABLES.adjusted, pinnedSeq);
    expect(deltas(pinnedKeys).length).toBe(2); // the deltas of passes 2 and 3, since merged away
    const currentKeys = new Set(await keys(CURATE_TABLES.adjusted));
    const grace = cfg.leases.lease_seconds * 1000;
    await new Promise((resolve) => setTimeout(resolve, grace + 1000)); // every part is now older than the grace
    const gc = await collectGarbage(t.store, { graceMs: grace, leaseTtlMs: grace, apply: true });
    expect(gc.deleted).toBeGreaterThan(0);
    const left = new Set(await listed(`${CURATE_TABLES.adjusted}/`));
    for (const key of pinnedKeys) expect(left.has(key), key).toBe(true);
    for (const key of currentKeys) expect(left.has(key), key).toBe(true);
    expect([...left].filter((key) => !pinnedKeys.includes(key) && !currentKeys.has(key))).toEqual([]);
    expect(await rows(CURATE_TABLES.adjusted, pinnedSeq)).toEqual(pinnedRows);
    expect(pinnedRows).toEqual(expected(3, false));
  }, 240_000); // seven curate jobs; on MinIO each pass makes many small requests

  it("does nothing when disabled, and below the thresholds", async () => {
    for (const [index, day] of DAYS.slice(0, 3).entries()) {
      await collect(day, index);
      expect((await curate(config({ enabled: false, min_parts: 2, raw_min_parts: 2 }))).compaction.tables).toEqual({});
    }
    expect(await keys(RAW_MINUTE)).toHaveLength(3 * SYMBOLS.length);
    expect(deltas(await keys(CURATE_TABLES.adjusted))).toHaveLength(2);
    await collect(DAYS[3] ?? "", 3);
    // Defaults: 20 delta parts, 4 raw parts per group: nothing reaches them yet.
    expect((await curate(config({}))).compaction.tables).toEqual({});
  }, 120_000);
}

describe("compaction after the curate passes (LocalStore)", () => compactionSuite(undefined));

describeWithMinio("compaction after the curate passes (S3Store on real MinIO)", () =>
  compactionSuite(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    const s3 = new S3Store({
      bucket: uniqueBucketName("compact"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId,
      secretAccessKey: minio.secretAccessKey,
    });
    await s3.ensureBucket();
    return s3;
  }));
