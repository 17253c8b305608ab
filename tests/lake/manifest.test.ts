import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitChange, commitParts, readManifest } from "../../src/lake/manifest.ts";
import { part, storeSuite, verifyChain } from "./manifest-suite.ts";
import { collect, spawnWorker, workerPath } from "./workers/spawn-worker.ts";

describe("manifests on LocalStore", () => {
  const roots: string[] = [];
  afterAll(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });
  storeSuite(async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-manifest-"));
    roots.push(root);
    return new LocalStore({ root });
  });

  it("a foreign plain file where a manifest folder is expected is named in the error", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-foreign-"));
    roots.push(root);
    const store = new LocalStore({ root });
    await commitParts(store, "ft", [part("curated/ft")]);
    await mkdir(join(root, "manifests", "ft"), { recursive: true });
    await writeFile(join(root, "manifests", "ft", "00000000000000000002.json"), "{ not json");
    await expect(readManifest(store, "ft")).rejects.toMatchObject({ code: "manifest_corrupt", message: expect.stringContaining("manifests/ft/00000000000000000002.json") });
  });

  it("8 separate OS processes × 50 commits → exactly 400 commits, one chain, every reported commit present", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-procs-"));
    roots.push(root);
    const script = workerPath("commit-worker.ts");
    const outputs = await Promise.all(Array.from({ length: 8 }, (_, w) => collect(spawnWorker(script, [root, "procrace", `w${w}`, "50"]))));
    for (const output of outputs) expect(output.code, output.stderr).toBe(0);
    const reported = outputs.flatMap((o) => o.stdout.trim().split("\n").map((line) => line.split(" ")[1] ?? ""));
    expect(reported).toHaveLength(400);
    const store = new LocalStore({ root });
    const chain = await verifyChain(store, "procrace");
    expect(chain).toHaveLength(400);
    expect(new Set(chain[399]?.files.map((f) => f.key))).toEqual(new Set(reported));
  }, 90_000);
});

describe("manifest history expiry", () => {
  it("keeps the newest manifests, expires old ones, and GC then collects files only they referenced", async () => {
    const { expireManifests } = await import("../../src/lake/manifest.ts");
    const { collectGarbage } = await import("../../src/lake/gc.ts");
    const root = await mkdtemp(join(tmpdir(), "trademl-expire-"));
    const store = new LocalStore({ root });
    const a = part("curated/hist"), b = part("curated/hist");
    for (const p of [a, b]) await store.put(p.key, "x");
    await commitParts(store, "hist", [a, b]);
    const merged = part("curated/hist", 2);
    await store.put(merged.key, "xx");
    await commitChange(store, "hist", { kind: "replace", operation: "compact", add: [merged], remove: [a.key, b.key] });
    for (let i = 0; i < 3; i++) await commitParts(store, "hist", [part("curated/hist")]);
    const dry = await expireManifests(store, "hist", { keepLast: 2, olderThanMs: 0 });
    expect(dry.expired).toEqual([1, 2, 3]);
    expect((await readManifest(store, "hist", { seq: 1 }))?.seq).toBe(1); // dry run deleted nothing
    const applied = await expireManifests(store, "hist", { keepLast: 2, olderThanMs: 0, apply: true });
    expect(applied).toEqual({ expired: [1, 2, 3], kept: 2 });
    await expect(readManifest(store, "hist", { seq: 1 })).rejects.toMatchObject({ code: "manifest_missing" });
    expect((await readManifest(store, "hist"))?.seq).toBe(5);
    expect((await commitParts(store, "hist", [part("curated/hist")])).seq).toBe(6);
    const gc = await collectGarbage(store, { graceMs: 0, apply: true });
    expect(gc.orphans.map((o) => o.key).sort()).toEqual([a.key, b.key].sort());
    expect(await store.head(merged.key)).toBeDefined();
    // Recent manifests are never expired, whatever keepLast says.
    expect((await expireManifests(store, "hist", { keepLast: 1, olderThanMs: 3_600_000, apply: true })).expired).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });
});
