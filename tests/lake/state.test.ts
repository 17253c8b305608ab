import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { acquireLease } from "../../src/lake/lease.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { newPartKey } from "../../src/lake/keys.ts";
import { commitParts } from "../../src/lake/manifest.ts";
import { advanceBookmark, advanceMark, readBookmark, readState, updateState } from "../../src/lake/state.ts";

let root: string;
let store: LocalStore;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "trademl-state-"));
  store = new LocalStore({ root });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("CAS state objects", () => {
  it("16 concurrent increments of one counter lose no update", async () => {
    const schema = z.strictObject({ n: z.number().int() });
    await Promise.all(Array.from({ length: 16 }, () => updateState(store, "state/test/counter.json", schema, (current) => ({ n: (current?.n ?? 0) + 1 }))));
    expect((await readState(store, "state/test/counter.json", schema))?.value.n).toBe(16);
  });

  it("a bookmark moves only after the data it covers is committed, and never backwards", async () => {
    const args = { vendor: "alpaca", dataset: "bars_1d", table: "raw_alpaca_bars", through: "2024-01-05" };
    await expect(advanceBookmark(store, { ...args, manifestSeq: 1 })).rejects.toMatchObject({ code: "manifest_missing" });
    expect(await readBookmark(store, "alpaca", "bars_1d")).toBeUndefined();
    const key = newPartKey("raw/alpaca/bars_1d/date=2024-01-05");
    await store.put(key, "bars");
    const m = await commitParts(store, "raw_alpaca_bars", [{ key, rows: 10, bytes: 100 }]);
    expect((await advanceBookmark(store, { ...args, manifestSeq: m.seq })).value.through).toBe("2024-01-05");
    await advanceBookmark(store, { ...args, through: "2024-01-03", manifestSeq: m.seq });
    expect((await readBookmark(store, "alpaca", "bars_1d"))?.value.through).toBe("2024-01-05");
  });

  it("marks advance monotonically and add counters from concurrent writers", async () => {
    await Promise.all(["2024-01-02", "2024-01-09", "2024-01-04"].map((through) => advanceMark(store, { name: "equities_minute", through, counters: { requests: 2 } })));
    const mark = await readState(store, "state/marks/equities_minute.json", z.object({ through: z.string(), counters: z.record(z.string(), z.number()) }));
    expect(mark?.value).toMatchObject({ through: "2024-01-09", counters: { requests: 6 } });
  });

  it("a corrupt state object is a DataError naming its key", async () => {
    await store.put("state/bookmarks/finnhub/news.json", '{"format":1,"vendor":');
    await expect(readBookmark(store, "finnhub", "news")).rejects.toMatchObject({ code: "state_corrupt", message: expect.stringContaining("state/bookmarks/finnhub/news.json") });
  });

  it("a holder whose auto-renewal fails (lease changed under it) stops: its signal aborts", async () => {
    const lease = await acquireLease(store, "auto", { holder: "A", ttlMs: 3_000, renewMs: 200 });
    if (lease === undefined) throw new Error("no lease");
    // Someone forcibly rewrites the lease (an operator, or a takeover): A's next CAS renewal must fail.
    const current = await store.get("leases/auto.json");
    const record = JSON.parse(new TextDecoder().decode(current?.body)) as Record<string, unknown>;
    await store.put("leases/auto.json", JSON.stringify({ ...record, holder: "B", epoch: lease.epoch + 1 }));
    const aborted = await new Promise<boolean>((resolve) => {
      lease.signal.addEventListener("abort", () => resolve(true), { once: true });
      setTimeout(() => resolve(lease.signal.aborted), 2_000);
    });
    expect(aborted).toBe(true);
    expect(() => lease.assertHeld()).toThrow(/lost/);
  });
});
