/**
 * Crash safety: a writer process is SIGKILLed at random points while writing parts and committing manifests,
 * many times over. After every kill, the lake must show no partial file, a readable linear manifest chain,
 * and every commit the writer reported; the next writer continues from there. Then orphan GC cleans up.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/lake/gc.ts";
import { newPartKey } from "../../src/lake/keys.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitParts, readManifest } from "../../src/lake/manifest.ts";
import { collect, spawnWorker, workerPath } from "./workers/spawn-worker.ts";

const RUNS = Number(process.env["TRADEML_CRASH_RUNS"] ?? 40);
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function assertComplete(store: LocalStore, key: string): Promise<void> {
  const object = await store.get(key);
  if (object === undefined) throw new Error(`${key} vanished`);
  const parsed = JSON.parse(new TextDecoder().decode(object.body)) as { payload: string; sha256: string };
  expect(createHash("sha256").update(parsed.payload).digest("hex"), key).toBe(parsed.sha256);
}

describe("crash safety under SIGKILL (LocalStore, real processes)", () => {
  it(`survives ${RUNS} kills at random points with nothing lost or half-written`, async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-crash-"));
    roots.push(root);
    const store = new LocalStore({ root });
    const script = workerPath("commit-worker.ts");
    const reported: string[] = [];
    let killedMidway = 0;
    for (let run = 0; run < RUNS; run++) {
      const child = spawnWorker(script, [root, "crashy", `r${run}`, "1000"]);
      const done = collect(child);
      // Kill once the child is committing (first line seen) plus a random delay, so kills land at random
      // points: inside a part write, between part and commit, inside a commit, or right after.
      await new Promise<void>((resolve) => {
        const fallback = setTimeout(resolve, 8_000);
        child.stdout?.once("data", () => {
          clearTimeout(fallback);
          setTimeout(resolve, Math.random() * 60);
        });
      });
      child.kill("SIGKILL");
      const output = await done;
      if (output.signal === "SIGKILL") killedMidway++;
      for (const line of output.stdout.split("\n")) {
        const key = /^committed (\S+) \d+$/.exec(line)?.[1];
        if (key !== undefined) reported.push(key);
      }
      // Every manifest parses and chains; every committed part is complete; every reported commit is there.
      const latest = await readManifest(store, "crashy");
      if (latest === undefined) continue;
      for (let seq = 1; seq <= latest.seq; seq++) expect((await readManifest(store, "crashy", { seq }))?.parent).toBe(seq === 1 ? null : seq - 1);
      const keys = new Set(latest.files.map((f) => f.key));
      for (const key of reported) expect(keys.has(key), `reported commit ${key} lost after run ${run}`).toBe(true);
      for (const key of keys) await assertComplete(store, key);
      // No partial file is visible anywhere under the data prefix, committed or not.
      for await (const entry of store.list("raw/test/crashy/")) await assertComplete(store, entry.key);
    }
    expect(killedMidway).toBe(RUNS);
    expect(reported.length).toBeGreaterThan(RUNS);
    console.info(`[crash] ${RUNS} SIGKILLs, ${reported.length} commits reported and all present`);

    // Orphans (parts written but never committed) and temp files of killed writers: GC after the grace period.
    const before = await collectGarbage(store, { graceMs: 0 });
    const latest = await readManifest(store, "crashy");
    const applied = await collectGarbage(store, { graceMs: 0, apply: true });
    expect(applied.deleted).toBe(before.orphans.length);
    for await (const entry of store.list("raw/test/crashy/")) expect(latest?.files.some((f) => f.key === entry.key)).toBe(true);
    expect(applied.staleTemps).toBe(before.staleTemps);
    expect(await store.staleTempFiles(0)).toEqual([]);
  }, 120_000);
});

describe("orphan garbage collection", () => {
  it("is a dry run by default, keeps young and referenced parts, reports foreign files and never deletes them", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-gc-"));
    roots.push(root);
    const store = new LocalStore({ root });
    const committed = newPartKey("curated/bars/date=2024-01-02");
    const orphan = newPartKey("curated/bars/date=2024-01-02");
    const young = newPartKey("curated/bars/date=2024-01-03");
    for (const key of [committed, orphan, young]) await store.put(key, "data", { condition: { ifNoneMatch: "*" } });
    await store.put("curated/bars/notes.txt", "mine");
    await commitParts(store, "bars", [{ key: committed, rows: 1, bytes: 4 }]);
    // Age the orphan (and the committed part) by two days.
    const old = new Date(Date.now() - 2 * 86_400_000);
    for (const key of [orphan, committed]) {
      const path = await store.resolvePath(key);
      if (path !== undefined) await utimes(path, old, old);
    }
    const dry = await collectGarbage(store);
    expect(dry.orphans.map((o) => o.key)).toEqual([orphan]);
    expect([dry.young, dry.deleted, dry.foreign]).toEqual([1, 0, ["curated/bars/notes.txt"]]);
    expect(await store.head(orphan)).toBeDefined();
    const applied = await collectGarbage(store, { apply: true });
    expect(applied.deleted).toBe(1);
    expect(await store.head(orphan)).toBeUndefined();
    for (const key of [committed, young, "curated/bars/notes.txt"]) expect(await store.head(key)).toBeDefined();
  });

  it("refuses to delete anything while a manifest is unreadable, naming it", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-gc2-"));
    roots.push(root);
    const store = new LocalStore({ root });
    await commitParts(store, "good", [{ key: newPartKey("curated/good"), rows: 1, bytes: 1 }]);
    await mkdir(join(root, "manifests", "bad"), { recursive: true });
    await writeFile(join(root, "manifests", "bad", "00000000000000000001.json"), "{trunc");
    await expect(collectGarbage(store, { graceMs: 0, apply: true })).rejects.toMatchObject({ code: "gc_refused", message: expect.stringContaining("manifests/bad/00000000000000000001.json") });
  });
});
