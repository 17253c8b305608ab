import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitChange, commitParts, readManifest } from "../../src/lake/manifest.ts";
import { stored, storeSuite, verifyChain } from "./manifest-suite.ts";
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
    await commitParts(store, "ft", [await stored(store, "curated/ft")]);
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
    const { expireManifests } = await import("../../src/lake/retention.ts");
    const { collectGarbage } = await import("../../src/lake/gc.ts");
    const root = await mkdtemp(join(tmpdir(), "trademl-expire-"));
    const store = new LocalStore({ root });
    const a = await stored(store, "curated/hist"), b = await stored(store, "curated/hist");
    await commitParts(store, "hist", [a, b]);
    const merged = await stored(store, "curated/hist", 2);
    await commitChange(store, "hist", { kind: "replace", operation: "compact", add: [merged], remove: [a.key, b.key] });
    for (let i = 0; i < 3; i++) await commitParts(store, "hist", [await stored(store, "curated/hist")]);
    const dry = await expireManifests(store, "hist", { keepLast: 2, olderThanMs: 0 });
    expect(dry.expired).toEqual([1, 2, 3]);
    expect((await readManifest(store, "hist", { seq: 1 }))?.seq).toBe(1); // dry run deleted nothing
    const applied = await expireManifests(store, "hist", { keepLast: 2, olderThanMs: 0, apply: true });
    expect(applied).toEqual({ expired: [1, 2, 3], kept: 2, pinned: [] });
    await expect(readManifest(store, "hist", { seq: 1 })).rejects.toMatchObject({ code: "manifest_missing" });
    expect((await readManifest(store, "hist"))?.seq).toBe(5);
    expect((await commitParts(store, "hist", [await stored(store, "curated/hist")])).seq).toBe(6);
    const gc = await collectGarbage(store, { graceMs: 0, apply: true });
    expect(gc.orphans.map((o) => o.key).sort()).toEqual([a.key, b.key].sort());
    expect(await store.head(merged.key)).toBeDefined();
    // Recent manifests are never expired, whatever keepLast says.
    expect((await expireManifests(store, "hist", { keepLast: 1, olderThanMs: 3_600_000, apply: true })).expired).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });

  it("a pinned seq survives expiry, and its parts survive compaction and gc, until the pin goes", async () => {
    const { expireManifests } = await import("../../src/lake/retention.ts");
    const { collectGarbage } = await import("../../src/lake/gc.ts");
    const { listPins, pinSnapshots, removePin, pinKey } = await import("../../src/lake/pins.ts");
    const root = await mkdtemp(join(tmpdir(), "trademl-pins-"));
    const store = new LocalStore({ root });
    const a = await stored(store, "curated/pinned"), b = await stored(store, "curated/pinned");
    await commitParts(store, "pinned", [a, b]);
    // A backtest read seq 1; later a compaction replaces both parts and more commits follow.
    const pin = await pinSnapshots(store, { kind: "backtest", id: "bt-2024-review", tables: { pinned: 1 }, note: "review" });
    expect(pin.tables).toEqual({ pinned: [1] });
    const merged = await stored(store, "curated/pinned", 2);
    await commitChange(store, "pinned", { kind: "replace", operation: "compact", add: [merged], remove: [a.key, b.key] });
    for (let i = 0; i < 3; i++) await commitParts(store, "pinned", [await stored(store, "curated/pinned")]);

    const expired = await expireManifests(store, "pinned", { keepLast: 2, olderThanMs: 0, apply: true });
    expect(expired).toEqual({ expired: [2, 3], kept: 3, pinned: [1] });
    expect((await readManifest(store, "pinned", { seq: 1 }))?.files.map((f) => f.key)).toEqual([a.key, b.key]);
    const gc = await collectGarbage(store, { graceMs: 0, apply: true });
    expect(gc.deleted).toBe(0);
    for (const key of [a.key, b.key, merged.key]) expect(await store.head(key), key).toBeDefined();
    // Commits still go on top of the newest seq, whatever holes expiry left below it.
    expect((await commitParts(store, "pinned", [await stored(store, "curated/pinned")])).seq).toBe(6);

    // Pinning a seq that has expired is refused, naming table and seq, and leaves nothing pinned for it.
    await expect(pinSnapshots(store, { kind: "backtest", id: "bt-2024-review", tables: { pinned: [2] } })).rejects.toMatchObject({ code: "manifest_missing", message: expect.stringContaining('table "pinned" has no manifest seq 2') });
    expect((await listPins(store)).map((p) => p.tables)).toEqual([{ pinned: [1] }]);

    // An expired pin keeps nothing; neither does a removed one.
    await pinSnapshots(store, { kind: "model_run", id: "old-run", tables: { pinned: 4 }, expiresAt: new Date(Date.now() - 1000) });
    expect(await removePin(store, "backtest", "bt-2024-review")).toBe(true);
    expect(await store.head(pinKey("backtest", "bt-2024-review"))).toBeUndefined();
    expect((await expireManifests(store, "pinned", { keepLast: 2, olderThanMs: 0, apply: true })).expired).toEqual([1, 4]);
    const after = await collectGarbage(store, { graceMs: 0, apply: true });
    expect(after.orphans.map((o) => o.key).sort()).toEqual([a.key, b.key].sort());
    await rm(root, { recursive: true, force: true });
  });
});
