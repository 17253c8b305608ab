import { mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPartKey } from "../../src/lake/keys.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitParts } from "../../src/lake/manifest.ts";
import { runTrademl } from "../helpers/cli.ts";

let root: string;
let env: Record<string, string>;
let orphan: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "trademl-lakecli-"));
  env = { LAKE_ROOT: root };
  const store = new LocalStore({ root });
  for (let i = 0; i < 3; i++) {
    const key = newPartKey("curated/bars/date=2024-01-02");
    await store.put(key, "committed");
    await commitParts(store, "curated/bars", [{ key, rows: 10 + i, bytes: 100 }]);
  }
  orphan = newPartKey("curated/bars/date=2024-01-02");
  await store.put(orphan, "never committed");
  // Two hours old: past a one-hour grace.
  const path = await store.resolvePath(orphan);
  const old = new Date(Date.now() - 2 * 3_600_000);
  if (path !== undefined) await utimes(path, old, old);
  await store.put("manifests/broken/00000000000000000001.json", "{");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("trademl lake", () => {
  it("tables lists every table and flags the broken one without hiding the rest (exit 3)", async () => {
    const run = await runTrademl(["lake", "tables"], env, root);
    expect(run.stdout).toMatch(/curated\/bars\tseq 3\t3 files\t33 rows/);
    expect(run.stdout).toMatch(/broken\tERROR .*manifests\/broken\/00000000000000000001\.json/);
    expect(run.code).toBe(3);
  });

  it("show prints a pinned seq, and refuses a bad --seq", async () => {
    const run = await runTrademl(["lake", "show", "curated/bars", "--seq", "2", "--json"], env, root);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(run.stdout) as { seq: number; files: unknown[] };
    expect([manifest.seq, manifest.files.length]).toEqual([2, 2]);
    expect((await runTrademl(["lake", "show", "curated/bars", "--seq", "zero"], env, root)).code).toBe(2);
    expect((await runTrademl(["lake", "show"], env, root)).code).toBe(2);
  });

  it("probe reports every check and exits 0 on a conforming store", async () => {
    const run = await runTrademl(["lake", "probe"], env, root);
    expect(run.code).toBe(0);
    for (const name of ["create_only_twice", "wrong_etag", "cas_missing_key", "concurrent_create_only", "clock_skew", "conditional_delete"]) expect(run.stdout).toContain(name);
    expect(run.stdout).toContain("safe for multi-writer work");
  });

  it("gc is a dry run listing every path unless --apply, and refuses while a manifest is unreadable", async () => {
    const dry = await runTrademl(["lake", "gc", "--grace-hours", "1"], env, root);
    expect(dry.code).toBe(3);
    expect(dry.stderr).toContain("manifests/broken/00000000000000000001.json");
    await new LocalStore({ root }).delete("manifests/broken/00000000000000000001.json");
    const again = await runTrademl(["lake", "gc", "--grace-hours", "1"], env, root);
    expect(again.stdout).toMatch(/would delete \(dry run; --apply to delete\): 1 orphan/);
    expect(again.stdout).toContain(`  ${orphan}\t`);
    const applied = await runTrademl(["lake", "gc", "--grace-hours", "1", "--apply"], env, root);
    expect(applied.stdout).toMatch(/deleted: 1 orphan/);
    const after = await runTrademl(["lake", "gc", "--grace-hours", "1"], env, root);
    expect(after.stdout).toMatch(/: 0 orphan/);
  });

  it("gc refuses a grace shorter than the longest lease TTL (curator.yml / node.yml: 120 s), saying the minimum", async () => {
    const run = await runTrademl(["lake", "gc", "--grace-hours", "0.01", "--apply"], env, root);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/shorter than the TTL of the configured leases \(120 s\).*at least 120 s/);
  });

  it("expire trims manifest history only with --apply and keeps the newest", async () => {
    const dry = await runTrademl(["lake", "expire", "curated/bars", "--keep", "1", "--older-than-days", "0"], env, root);
    expect(dry.stdout).toMatch(/would expire .* 2 manifest\(s\) \(seq 1, 2\); 1 kept/);
    const applied = await runTrademl(["lake", "expire", "curated/bars", "--keep", "1", "--older-than-days", "0", "--apply"], env, root);
    expect(applied.stdout).toMatch(/expired 2 manifest\(s\)/);
    const show = await runTrademl(["lake", "show", "curated/bars", "--json"], env, root);
    expect((JSON.parse(show.stdout) as { seq: number }).seq).toBe(3);
    expect((await runTrademl(["lake", "expire", "curated/bars", "--keep", "-3"], env, root)).code).toBe(2);
  });

  it("pin keeps a seq through expire until unpin; pins lists it; a missing seq cannot be pinned", async () => {
    const store = new LocalStore({ root });
    for (let i = 0; i < 3; i++) {
      const key = newPartKey("curated/kept");
      await store.put(key, "x");
      await commitParts(store, "curated/kept", [{ key, rows: 1, bytes: 1 }]);
    }
    const pin = await runTrademl(["lake", "pin", "curated/kept", "--seq", "1", "--id", "review-2024", "--note", "the 2024 review"], env, root);
    expect(pin.code, pin.stderr).toBe(0);
    expect(pin.stdout).toContain('remove with "trademl lake unpin manual/review-2024"');
    expect((await runTrademl(["lake", "pins"], env, root)).stdout).toBe("manual/review-2024\tcurated/kept@1\tthe 2024 review\n");
    const expired = await runTrademl(["lake", "expire", "curated/kept", "--keep", "1", "--older-than-days", "0", "--apply"], env, root);
    expect(expired.stdout).toBe("curated/kept: expired 1 manifest(s) (seq 2); 2 kept, of which pinned: seq 1\n");
    const missing = await runTrademl(["lake", "pin", "curated/kept", "--seq", "2", "--id", "review-2024"], env, root);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('table "curated/kept" has no manifest seq 2');
    expect((await runTrademl(["lake", "unpin", "manual/review-2024"], env, root)).stdout).toBe("removed pin manual/review-2024\n");
    expect((await runTrademl(["lake", "unpin", "nonsense"], env, root)).code).toBe(2);
    const again = await runTrademl(["lake", "expire", "curated/kept", "--keep", "1", "--older-than-days", "0", "--apply"], env, root);
    expect(again.stdout).toBe("curated/kept: expired 1 manifest(s) (seq 1); 1 kept\n");
  });
});
