/** The manifest suite shared by LocalStore and S3Store test files. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { manifestKey, newPartKey } from "../../src/lake/keys.ts";
import { commitChange, commitParts, listTables, readManifest } from "../../src/lake/manifest.ts";
import type { Manifest, ObjectStore, PartFile } from "../../src/lake/types.ts";

export const part = (prefix: string, rows = 1): PartFile => ({ key: newPartKey(prefix), rows, bytes: 10 });

/** Reads every manifest 1..latest and checks the chain: linear parents, each snapshot = previous + its change. */
export async function verifyChain(store: ObjectStore, table: string): Promise<Manifest[]> {
  const latest = await readManifest(store, table);
  const chain: Manifest[] = [];
  for (let seq = 1; seq <= (latest?.seq ?? 0); seq++) {
    const manifest = await readManifest(store, table, { seq });
    if (manifest === undefined) throw new Error(`seq ${seq} missing`);
    expect(manifest.parent).toBe(seq === 1 ? null : seq - 1);
    const previous = chain[seq - 2]?.files.map((f) => f.key) ?? [];
    const keys = manifest.files.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of previous) if (!manifest.removed.includes(key)) expect(keys).toContain(key);
    chain.push(manifest);
  }
  return chain;
}

/** N concurrent in-process workers × M commits each; returns what each worker committed. */
async function raceInProcess(store: ObjectStore, table: string, workers: number, commits: number): Promise<string[]> {
  const committed: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < commits; i++) {
        const p = part(`raw/race/${table}/w=${w}`);
        await commitParts(store, table, [p], { writer: `w${w}` });
        committed.push(p.key);
      }
    }),
  );
  return committed;
}

export function storeSuite(makeStore: () => Promise<ObjectStore>): void {
  let store: ObjectStore;
  beforeAll(async () => {
    store = await makeStore();
  });
  afterAll(async () => {
    await store.close();
  });

  it("commits snapshots: seq 1..n, each listing every file so far, and pins any seq", async () => {
    const a = part("curated/t1"), b = part("curated/t1"), c = part("curated/t1");
    expect(await readManifest(store, "t1")).toBeUndefined();
    const m1 = await commitParts(store, "t1", [a]);
    const m2 = await commitParts(store, "t1", [b, c]);
    expect([m1.seq, m2.seq, m2.parent]).toEqual([1, 2, 1]);
    expect((await readManifest(store, "t1"))?.files.map((f) => f.key)).toEqual([a.key, b.key, c.key]);
    expect((await readManifest(store, "t1", { seq: 1 }))?.files.map((f) => f.key)).toEqual([a.key]);
    await expect(readManifest(store, "t1", { seq: 9 })).rejects.toMatchObject({ code: "manifest_missing" });
    expect(await listTables(store)).toContain("t1");
  });

  it("8 concurrent workers × 50 commits → exactly 400 commits in one chain, no file lost or duplicated", async () => {
    const committed = await raceInProcess(store, "race8", 8, 50);
    const chain = await verifyChain(store, "race8");
    expect(chain).toHaveLength(400);
    const final = chain[chain.length - 1]?.files.map((f) => f.key) ?? [];
    expect(final).toHaveLength(400);
    expect(new Set(final)).toEqual(new Set(committed));
  }, 60_000);

  it("fencing: after a commit at epoch 3, a commit at epoch 2 is refused and changes nothing", async () => {
    await commitParts(store, "fenced", [part("curated/fenced")], { epoch: 2 });
    await commitParts(store, "fenced", [part("curated/fenced")], { epoch: 3 });
    await expect(commitParts(store, "fenced", [part("curated/fenced")], { epoch: 2 })).rejects.toMatchObject({ code: "stale_epoch" });
    await expect(commitParts(store, "fenced", [part("curated/fenced")])).rejects.toMatchObject({ code: "stale_epoch" });
    const latest = await readManifest(store, "fenced");
    expect([latest?.seq, latest?.max_epoch, latest?.files.length]).toEqual([2, 3, 2]);
  });

  it("replace refuses when a file to remove is gone (a racing compaction), and never reuses a part key", async () => {
    const a = part("curated/rep"), b = part("curated/rep");
    await commitParts(store, "rep", [a, b]);
    const merged = part("curated/rep", 2);
    const m = await commitChange(store, "rep", { kind: "replace", operation: "compact", add: [merged], remove: [a.key, b.key] });
    expect(m.files.map((f) => f.key)).toEqual([merged.key]);
    expect(m.removed).toEqual([a.key, b.key]);
    expect(m.operation).toBe("compact");
    await expect(commitChange(store, "rep", { kind: "replace", add: [part("curated/rep")], remove: [a.key] })).rejects.toMatchObject({ code: "replace_conflict" });
    await expect(commitParts(store, "rep", [merged, part("curated/rep")])).rejects.toMatchObject({ code: "duplicate_part" });
  });

  it("re-committing exactly the parts already committed is idempotent (an ambiguous retry)", async () => {
    const p = part("curated/idem");
    const first = await commitParts(store, "idem", [p]);
    const again = await commitParts(store, "idem", [p]);
    expect(again.seq).toBe(first.seq);
  });

  it("a corrupt or truncated manifest is a DataError naming its key; other tables are unaffected", async () => {
    await commitParts(store, "healthy", [part("curated/healthy")]);
    await commitParts(store, "broken", [part("curated/broken")]);
    const good = await store.get(manifestKey("broken", 1));
    const text = new TextDecoder().decode(good?.body);
    await store.put(manifestKey("broken", 2), text.slice(0, text.length / 2));
    await expect(readManifest(store, "broken")).rejects.toMatchObject({ code: "manifest_corrupt", message: expect.stringContaining(manifestKey("broken", 2)) });
    await store.put(manifestKey("broken", 2), JSON.stringify({ format: 1, table: "broken", seq: 2 }));
    await expect(readManifest(store, "broken")).rejects.toMatchObject({ code: "manifest_corrupt", message: expect.stringContaining("schema") });
    await expect(commitParts(store, "broken", [part("curated/broken")])).rejects.toMatchObject({ code: "manifest_corrupt" });
    expect((await readManifest(store, "healthy"))?.seq).toBe(1);
    expect(await listTables(store)).toEqual(expect.arrayContaining(["healthy", "broken"]));
  });

  it("a foreign file among manifests is ignored for seq resolution", async () => {
    await commitParts(store, "withjunk", [part("curated/withjunk")]);
    await store.put("manifests/withjunk/README.txt", "notes");
    await store.put("manifests/withjunk/99999999999999999999.json.bak", "{}");
    expect((await readManifest(store, "withjunk"))?.seq).toBe(1);
    expect((await commitParts(store, "withjunk", [part("curated/withjunk")])).seq).toBe(2);
  });

  it("bad input: invalid table names, part keys and epochs are usage errors", async () => {
    await expect(commitParts(store, "Bad Name", [part("curated/x")])).rejects.toMatchObject({ code: "invalid_table" });
    await expect(commitParts(store, "ok", [{ key: "../etc/passwd", rows: 1, bytes: 1 }])).rejects.toMatchObject({ code: "invalid_key" });
    await expect(commitParts(store, "ok", [{ key: "curated/ok/a.parquet", rows: -1, bytes: 1 }])).rejects.toMatchObject({ code: "invalid_part" });
    await expect(commitParts(store, "ok", [part("curated/ok")], { epoch: -1 })).rejects.toMatchObject({ code: "invalid_epoch" });
    await expect(commitParts(store, "ok", [{ key: "manifests/ok/x.json", rows: 1, bytes: 1 }])).rejects.toMatchObject({ code: "invalid_part" });
  });
}

