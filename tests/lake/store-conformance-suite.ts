/**
 * The ONE conformance suite every ObjectStore must pass (LocalStore and S3Store against real MinIO run the
 * same tests). Each test uses its own key prefix, so the suite can share a store.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { probeStore } from "../../src/lake/probe.ts";
import type { ObjectStore } from "../../src/lake/types.ts";
import { uuidv7 } from "../../src/lake/keys.ts";

const text = (body: Uint8Array | undefined): string => new TextDecoder().decode(body);

export interface ConformanceOptions {
  /** What the store does with DELETE + wrong If-Match; stores differ and the probe must report the truth. */
  readonly conditionalDelete: "honoured" | "ignored";
}

export function defineConformanceSuite(makeStore: () => Promise<ObjectStore>, options: ConformanceOptions): void {
  let store: ObjectStore;
  let scratch: string;
  const prefix = (): string => `conf/${uuidv7()}`;

  beforeAll(async () => {
    store = await makeStore();
    scratch = await mkdtemp(join(tmpdir(), "trademl-conf-"));
  });
  afterAll(async () => {
    await store.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("round-trips bytes and reports a missing key as undefined", async () => {
    const key = `${prefix()}/a.bin`;
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const put = await store.put(key, bytes);
    expect(put.ok).toBe(true);
    const got = await store.get(key);
    expect(got && Array.from(got.body)).toEqual([0, 1, 2, 250, 255]);
    expect(got?.etag).toBe(put.ok ? put.etag : "");
    const head = await store.head(key);
    expect(head?.size).toBe(5);
    expect(head?.etag).toBe(got?.etag);
    expect(await store.get(`${prefix()}/nothing`)).toBeUndefined();
    expect(await store.head(`${prefix()}/nothing`)).toBeUndefined();
  });

  it("create-only refuses an existing key and keeps the first body", async () => {
    const key = `${prefix()}/once.json`;
    expect((await store.put(key, "one", { condition: { ifNoneMatch: "*" } })).ok).toBe(true);
    expect(await store.put(key, "two", { condition: { ifNoneMatch: "*" } })).toEqual({ ok: false, reason: "precondition_failed" });
    expect(text((await store.get(key))?.body)).toBe("one");
  });

  it("compare-and-swap accepts the current ETag only, and never creates a missing key", async () => {
    const key = `${prefix()}/cas.json`;
    const first = await store.put(key, "v1");
    if (!first.ok) throw new Error("unconditional put refused");
    const second = await store.put(key, "v2", { condition: { ifMatch: first.etag } });
    expect(second.ok).toBe(true);
    expect(await store.put(key, "v3", { condition: { ifMatch: first.etag } })).toEqual({ ok: false, reason: "precondition_failed" });
    expect(text((await store.get(key))?.body)).toBe("v2");
    const missing = `${prefix()}/ghost.json`;
    expect((await store.put(missing, "x", { condition: { ifMatch: second.ok ? second.etag : "" } })).ok).toBe(false);
    expect(await store.head(missing)).toBeUndefined();
  });

  it("of 8 concurrent create-only writes exactly one wins, and its body is what readers see", async () => {
    const key = `${prefix()}/race.json`;
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => store.put(key, `w${i}`, { condition: { ifNoneMatch: "*" } })));
    const winners = outcomes.map((o, i) => (o.ok ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(1);
    expect(text((await store.get(key))?.body)).toBe(`w${winners[0]}`);
  });

  it("of 8 concurrent compare-and-swaps from one ETag exactly one wins", async () => {
    const key = `${prefix()}/counter.json`;
    const base = await store.put(key, "0");
    if (!base.ok) throw new Error("put refused");
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => store.put(key, `v${i}`, { condition: { ifMatch: base.etag } })));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
  });

  it("deletes, then allows create-only again; deleting a missing key is fine", async () => {
    const key = `${prefix()}/del.json`;
    await store.put(key, "a");
    expect((await store.delete(key)).ok).toBe(true);
    expect(await store.get(key)).toBeUndefined();
    expect((await store.delete(key)).ok).toBe(true);
    expect((await store.put(key, "b", { condition: { ifNoneMatch: "*" } })).ok).toBe(true);
    expect(text((await store.get(key))?.body)).toBe("b");
  });

  it("lists keys under a prefix in lexicographic order, across pages, excluding deleted ones", async () => {
    const base = prefix();
    const names = ["b/2", "a", "b/1", "b-x", "c/d/e"];
    for (const name of names) await store.put(`${base}/${name}`, name);
    await store.put(`${base}/gone`, "x");
    await store.delete(`${base}/gone`);
    await store.put(`${base}x/outside`, "x");
    const listed: string[] = [];
    for await (const entry of store.list(`${base}/`, { pageSize: 2 })) listed.push(entry.key.slice(base.length + 1));
    expect(listed).toEqual([...names].sort());
    const partial: string[] = [];
    for await (const entry of store.list(`${base}/b`)) partial.push(entry.key.slice(base.length + 1));
    expect(partial).toEqual(["b-x", "b/1", "b/2"]);
  });

  it("uploads and downloads files, honouring create-only on putFile", async () => {
    const key = `${prefix()}/file.bin`;
    const source = join(scratch, "src.bin");
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);
    await writeFile(source, bytes);
    expect((await store.putFile(key, source, { condition: { ifNoneMatch: "*" } })).ok).toBe(true);
    expect((await store.putFile(key, source, { condition: { ifNoneMatch: "*" } })).ok).toBe(false);
    const dest = join(scratch, "out", "dest.bin");
    const head = await store.getToFile(key, dest);
    expect(head?.size).toBe(bytes.length);
    expect(Buffer.compare(await readFile(dest), Buffer.from(bytes))).toBe(0);
    expect(await store.getToFile(`${prefix()}/none`, join(scratch, "none.bin"))).toBeUndefined();
  });

  it("reports its clock close to this machine's", async () => {
    const server = await store.serverTime();
    expect(Math.abs(server.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it("rejects keys that could escape the lake or collide with store internals", async () => {
    for (const bad of ["", "/abs", "a//b", "a/../b", "a/./b", ".hidden", "a/@v00000000000000000001", "sp ace", "t/10:00"]) {
      await expect(store.put(bad, "x"), bad).rejects.toMatchObject({ code: "invalid_key" });
    }
  });

  it("passes the conformance probe, and the probe tells the truth about conditional DELETE", async () => {
    const report = await probeStore(store);
    const byName = Object.fromEntries(report.checks.map((check) => [check.name, check]));
    expect(report.multiWriterSafe).toBe(true);
    for (const name of ["create_only_twice", "wrong_etag", "cas_missing_key", "concurrent_create_only"]) expect(byName[name]?.status).toBe("pass");
    expect(byName["conditional_delete"]?.detail).toMatch(options.conditionalDelete === "honoured" ? /^honoured/ : /^ignored/);
    expect(Math.abs(report.clockSkewMs)).toBeLessThan(5_000);
  });
}
