import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLease, readLease, withLease } from "../../src/lake/lease.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import { newPartKey } from "../../src/lake/keys.ts";
import { commitParts, readManifest } from "../../src/lake/manifest.ts";
import type { LeaseHandle, ObjectStore } from "../../src/lake/types.ts";
import { sleep } from "../../src/domain/sleep.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";

const part = () => ({ key: newPartKey("curated/leased"), rows: 1, bytes: 1 });

/** A zombie's view of a lost lease: same job and epoch, but it has not noticed (its own abort is bypassed). */
function believer(lease: LeaseHandle): LeaseHandle {
  return { job: lease.job, holder: lease.holder, epoch: lease.epoch, signal: new AbortController().signal, assertHeld: () => undefined, renew: () => lease.renew(), release: () => lease.release() };
}

function leaseSuite(makeStore: () => Promise<ObjectStore>, ttlMs: number): void {
  let store: ObjectStore;
  beforeAll(async () => {
    store = await makeStore();
  });
  afterAll(async () => {
    await store.close();
  });

  it("only one of several simultaneous acquirers gets the lease", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => acquireLease(store, "solo", { holder: `h${i}`, ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false })));
    const held = results.filter((lease) => lease !== undefined);
    expect(held).toHaveLength(1);
    await held[0]?.release();
  });

  it("takeover: a paused holder loses the lease after its TTL, the successor gets epoch+1, and the zombie's late commit is refused", async () => {
    const a = await acquireLease(store, "takeover", { holder: "A", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    if (a === undefined) throw new Error("A could not acquire");
    await commitParts(store, "leased", [part()], { lease: a });
    expect(await acquireLease(store, "takeover", { holder: "B", ttlMs, autoRenew: false, renewMs: Math.floor(ttlMs / 3) })).toBeUndefined();
    await sleep(ttlMs + 1_200); // A is "paused" (no renewals) past its TTL, as judged on the store's clock
    expect(a.signal.aborted).toBe(true); // A's own deadline fired: it stops work without being told
    const b = await acquireLease(store, "takeover", { holder: "B", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    if (b === undefined) throw new Error("B could not take over");
    expect(b.epoch).toBe(a.epoch + 1);
    await commitParts(store, "leased", [part()], { lease: b });
    // The zombie, ignoring its own signal, tries to commit with its old epoch: fenced by the table.
    await expect(commitParts(store, "leased", [part()], { lease: believer(a) })).rejects.toMatchObject({ code: "stale_epoch" });
    await expect(commitParts(store, "leased", [part()], { lease: a })).rejects.toThrow();
    const latest = await readManifest(store, "leased");
    expect([latest?.files.length, latest?.fences?.["takeover"]]).toEqual([2, b.epoch]);
    // A renewal from the zombie fails and says so.
    await expect(a.renew()).rejects.toMatchObject({ code: "lease_lost" });
    await b.release();
  }, 30_000);

  it("the lease fence refuses a commit as soon as a successor holds a newer epoch, before the table has seen it", async () => {
    const a = await acquireLease(store, "fence2", { holder: "A", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    if (a === undefined) throw new Error("A could not acquire");
    await sleep(ttlMs + 1_200);
    const b = await acquireLease(store, "fence2", { holder: "B", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    expect(b?.epoch).toBe(a.epoch + 1);
    // Bypass A's own abort to show the store-side check: a handle that still believes it is held.
    await expect(commitParts(store, "fence2tbl", [part()], { lease: believer(a) })).rejects.toMatchObject({ code: "stale_epoch" });
    await b?.release();
  }, 30_000);

  it("auto-renewal keeps a lease alive well past its TTL; release keeps the epoch and the next holder gets epoch+1", async () => {
    const a = await acquireLease(store, "renewed", { holder: "A", ttlMs, renewMs: Math.floor(ttlMs / 4) });
    if (a === undefined) throw new Error("A could not acquire");
    await sleep(ttlMs * 2 + 500);
    expect(a.signal.aborted).toBe(false);
    expect(await acquireLease(store, "renewed", { holder: "B", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false })).toBeUndefined();
    await a.release();
    expect(a.signal.aborted).toBe(true);
    const record = await readLease(store, "renewed");
    expect([record?.released, record?.epoch, record?.holder]).toEqual([true, a.epoch, "A"]);
    const b = await acquireLease(store, "renewed", { holder: "B", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    expect(b?.epoch).toBe(a.epoch + 1);
    await b?.release();
  }, 30_000);

  it("fences each lease job on its own, so two jobs can append to one table while a zombie of either is refused", async () => {
    const edge = await acquireLease(store, "edge-collector", { holder: "pi", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    await sleep(10);
    let backfill = await acquireLease(store, "backfill", { holder: "pc", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    await backfill?.release();
    backfill = await acquireLease(store, "backfill", { holder: "pc", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    if (edge === undefined || backfill === undefined) throw new Error("no lease");
    expect([edge.epoch, backfill.epoch]).toEqual([1, 2]);
    await commitParts(store, "shared_raw", [part()], { lease: backfill });
    await commitParts(store, "shared_raw", [part()], { lease: edge }); // epoch 1 < 2, but another job: fine
    await commitParts(store, "shared_raw", [part()]); // no lease at all: fine
    const zombie = believer(backfill);
    await backfill.release();
    const next = await acquireLease(store, "backfill", { holder: "pc2", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    if (next === undefined) throw new Error("no lease");
    await commitParts(store, "shared_raw", [part()], { lease: next });
    await expect(commitParts(store, "shared_raw", [part()], { lease: zombie })).rejects.toMatchObject({ code: "stale_epoch" });
    expect((await readManifest(store, "shared_raw"))?.fences).toEqual({ "backfill": next.epoch, "edge-collector": 1 });
    await next.release();
    await edge.release();
  });

  it("withLease runs the work once and reports the other holder otherwise", async () => {
    const holder = await acquireLease(store, "busy", { holder: "X", ttlMs, renewMs: Math.floor(ttlMs / 3), autoRenew: false });
    const skipped = await withLease(store, "busy", { holder: "Y", ttlMs, renewMs: Math.floor(ttlMs / 3) }, async () => "ran");
    expect(skipped).toEqual({ ran: false, holder: "X" });
    await holder?.release();
    const ran = await withLease(store, "busy", { holder: "Y", ttlMs, renewMs: Math.floor(ttlMs / 3) }, async (lease) => lease.epoch);
    expect(ran).toEqual({ ran: true, value: 2 });
  });
}

describe("leases on LocalStore", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "trademl-lease-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  leaseSuite(async () => new LocalStore({ root }), 1_500);

  it("expiry is judged on the store's clock, not this machine's", async () => {
    // A store whose clock runs one hour ahead of this machine: a lease taken "now" by the store's clock
    // must still be live for another holder checking a few ms later, though local time is an hour behind.
    class AheadStore extends LocalStore {
      offset = 3_600_000;
      override async serverTime(): Promise<Date> {
        return new Date(Date.now() + this.offset);
      }
    }
    const store = new AheadStore({ root: join(root, "ahead") });
    const a = await acquireLease(store, "clock", { holder: "A", ttlMs: 60_000, renewMs: 20_000, autoRenew: false });
    expect(a).toBeDefined();
    expect(await acquireLease(store, "clock", { holder: "B", ttlMs: 60_000, renewMs: 20_000, autoRenew: false })).toBeUndefined();
    store.offset += 61_000; // the store's clock passes the TTL; local time did not move
    const b = await acquireLease(store, "clock", { holder: "B", ttlMs: 60_000, renewMs: 20_000, autoRenew: false });
    expect(b?.epoch).toBe(2);
    await b?.release();
    await a?.release();
  });

  it("rejects a renew interval not shorter than the TTL, and a corrupt lease names its key", async () => {
    const store = new LocalStore({ root });
    await expect(acquireLease(store, "bad", { holder: "A", ttlMs: 1000, renewMs: 1000 })).rejects.toMatchObject({ code: "invalid_lease_timing" });
    await store.put("leases/corrupt.json", "{");
    await expect(acquireLease(store, "corrupt", { holder: "A" })).rejects.toMatchObject({ code: "lease_corrupt", message: expect.stringContaining("leases/corrupt.json") });
  });
});

describeWithMinio("leases on S3Store (real MinIO, server clock from the Date header)", () => {
  leaseSuite(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    const store = new S3Store({ bucket: uniqueBucketName("leases"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await store.ensureBucket();
    return store;
  }, 2_500);
});

describe("lease holder names", () => {
  it("are unique per call and name the host and process", async () => {
    const { defaultLeaseHolder } = await import("../../src/lake/lease.ts");
    const a = defaultLeaseHolder();
    expect(a).not.toBe(defaultLeaseHolder());
    expect(a).toContain(`:${process.pid}:`);
  });
});
