/**
 * Crash safety: a writer process is SIGKILLed at random points while writing parts and committing manifests,
 * many times over. After every kill, the lake must show no partial file, a readable linear manifest chain,
 * and every commit the writer reported; the next writer continues from there. Then orphan GC cleans up.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/lake/gc.ts";
import { newPartKey } from "../../src/lake/keys.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitParts, readManifest } from "../../src/lake/manifest.ts";
import { runTrademl } from "../helpers/cli.ts";
import { collect, spawnWorker, workerPath } from "./workers/spawn-worker.ts";

const RUNS = Number(process.env["TRADEML_CRASH_RUNS"] ?? 40);
const DAY = 86_400_000;
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
    expect(applied.staleTemps).toEqual(before.staleTemps);
    expect(await store.staleTempFiles(0)).toEqual([]);
  }, 120_000);
});

describe("orphan garbage collection", () => {
  it("is a dry run unless applied, keeps young and referenced parts, reports foreign files and never deletes them", async () => {
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
    const dry = await collectGarbage(store, { graceMs: DAY });
    expect(dry.orphans.map((o) => o.key)).toEqual([orphan]);
    expect([dry.young, dry.deleted, dry.foreign]).toEqual([1, 0, ["curated/bars/notes.txt"]]);
    expect(await store.head(orphan)).toBeDefined();
    const applied = await collectGarbage(store, { graceMs: DAY, apply: true });
    expect(applied.deleted).toBe(1);
    expect(await store.head(orphan)).toBeUndefined();
    for (const key of [committed, young, "curated/bars/notes.txt"]) expect(await store.head(key)).toBeDefined();
  });

  it("refuses to delete anything while a manifest is unreadable, naming it", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-gc2-"));
    roots.push(root);
    const store = new LocalStore({ root });
    const good = newPartKey("curated/good");
    await store.put(good, "x");
    await commitParts(store, "good", [{ key: good, rows: 1, bytes: 1 }]);
    await mkdir(join(root, "manifests", "bad"), { recursive: true });
    await writeFile(join(root, "manifests", "bad", "00000000000000000001.json"), "{trunc");
    await expect(collectGarbage(store, { graceMs: 0, apply: true })).rejects.toMatchObject({ code: "gc_refused", message: expect.stringContaining("manifests/bad/00000000000000000001.json") });
  });
});

/** Sets a file's times to `ms` ago. */
async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

async function waitForLine(output: { stdout: string }, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output.stdout);
    if (match !== null) return match;
    if (performance.now() > deadline) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout so far: ${output.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A worker whose stdout is readable while it runs. */
function start(script: string, args: readonly string[]): { output: { stdout: string }; done: ReturnType<typeof collect> } {
  const child = spawnWorker(script, args);
  const output = { stdout: "" };
  child.stdout?.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  return { output, done: collect(child) };
}

describe("gc and the jobs it races (real processes, the real CLI)", () => {
  it("keeps the parts of a job whose lease is live, however old, so a long curate commits what it wrote", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-gc-lease-"));
    roots.push(root);
    const store = new LocalStore({ root });
    const seed = newPartKey("curated/seed");
    await store.put(seed, "x");
    await commitParts(store, "seed", [{ key: seed, rows: 1, bytes: 1 }]);
    // Short leases in the configuration so the test need not wait minutes for a part to outgrow the grace.
    const configDir = `${root}-configs`;
    roots.push(configDir);
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, "curator.yml"), "leases:\n  lease_seconds: 4\n  renew_seconds: 1\n");
    await writeFile(join(configDir, "node.yml"), "lake:\n  lease_seconds: 4\n  renew_seconds: 1\n");
    const go = join(configDir, "go");
    const job = start(workerPath("lease-writer.ts"), [root, "curate", "4000", "raw_leased", go]);
    const key = (await waitForLine(job.output, /^wrote (\S+)$/m, 60_000))[1] ?? "";
    // The part is now older than a 7.2 s grace; the curate still runs (its lease is renewed) and will commit it.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const gc = await runTrademl(["lake", "gc", "--apply", "--grace-hours", "0.002", "--config-dir", configDir], { LAKE_ROOT: root }, root);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/deleted: 0 orphan/);
    expect(gc.stdout).toMatch(/kept: 1 unreferenced part\(s\) written while a live lease's job may still commit them/);
    expect(gc.stdout).toContain(`  ${key}\t`);
    expect(gc.stdout).toMatch(/lease "curate" held by .*, process \d+ on this host, still running/);
    expect(await store.head(key)).toBeDefined();
    await writeFile(go, "");
    const finished = await job.done;
    expect(finished.code, finished.stderr).toBe(0);
    const manifest = await readManifest(store, "raw_leased");
    expect(manifest?.files.map((f) => f.key)).toEqual([key]);
    expect(await store.head(key)).toBeDefined();
  }, 120_000);

  it("a commit of a part deleted after it was written fails loudly and commits nothing", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-gc-hole-"));
    roots.push(root);
    const store = new LocalStore({ root });
    const go = `${root}.go`;
    roots.push(go);
    const job = start(workerPath("lease-writer.ts"), [root, "curate", "30000", "raw_holed", go]);
    const key = (await waitForLine(job.output, /^wrote (\S+)$/m, 60_000))[1] ?? "";
    await store.delete(key); // an external cleaner
    await writeFile(go, "");
    const finished = await job.done;
    expect(finished.code).toBe(3);
    const error = JSON.parse(finished.stderr.trim().split("\n").at(-1) ?? "{}") as { code?: string; message?: string };
    expect(error.code).toBe("part_missing");
    expect(error.message).toContain(`part "${key}"`);
    expect(error.message).toContain('table "raw_holed"');
    expect(await readManifest(store, "raw_holed")).toBeUndefined();
  }, 120_000);

  it("refuses outside a lake and deletes nothing there, not even files named like its own temp files", async () => {
    const folder = await mkdtemp(join(tmpdir(), "trademl-notalake-"));
    roots.push(folder);
    const mine = [join(folder, ".tmp-notes.txt"), join(folder, "raw", ".tmp-6f1c2a34-1b2c-4d3e-8f40-123456789abc"), join(folder, "raw", "x", "part-0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b.parquet")];
    for (const path of mine) {
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, "the user's own file");
      await age(path, 3 * DAY);
    }
    const run = await runTrademl(["lake", "gc", "--apply", "--grace-hours", "1"], { LAKE_ROOT: folder }, folder);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a trademl lake \(no state\/lake-origin\.json and no manifests\/\)/);
    for (const path of mine) expect(await readFile(path, "utf8"), path).toBe("the user's own file");
    const dry = await runTrademl(["lake", "gc", "--grace-hours", "1"], { LAKE_ROOT: folder }, folder);
    expect(dry.code).toBe(2);
  });

  it("in a lake, the dry run lists the stale temp files it would delete by path, and leaves other dot files alone", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-gc-temps-"));
    roots.push(root);
    const store = new LocalStore({ root });
    await store.put("state/lake-origin.json", JSON.stringify({ format: 1, origin: "simulated", created_at: new Date().toISOString(), note: "test" }));
    const stale = join(root, "raw", "test", "k", ".tmp-6f1c2a34-1b2c-4d3e-8f40-123456789abc");
    const notes = join(root, "raw", "test", "k", ".tmp-notes");
    for (const path of [stale, notes]) {
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, "half a part");
      await age(path, 3 * DAY);
    }
    const dry = await runTrademl(["lake", "gc", "--grace-hours", "1"], { LAKE_ROOT: root }, root);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would delete \(dry run; --apply to delete\): 0 orphan part\(s\), 0 B, 1 stale temp file\(s\)/);
    expect(dry.stdout).toContain(`  ${stale}\n`);
    expect(dry.stdout).not.toContain(notes);
    const applied = await runTrademl(["lake", "gc", "--apply", "--grace-hours", "1"], { LAKE_ROOT: root }, root);
    expect(applied.code, applied.stderr).toBe(0);
    await expect(readFile(stale)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readFile(notes, "utf8")).toBe("half a part");
  });
});
