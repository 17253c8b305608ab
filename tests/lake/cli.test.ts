import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPartKey } from "../../src/lake/keys.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitParts } from "../../src/lake/manifest.ts";
import { runTrademl } from "../helpers/cli.ts";

let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "trademl-lakecli-"));
  env = { LAKE_ROOT: root };
  const store = new LocalStore({ root });
  for (let i = 0; i < 3; i++) await commitParts(store, "curated/bars", [{ key: newPartKey("curated/bars/date=2024-01-02"), rows: 10 + i, bytes: 100 }]);
  await store.put(newPartKey("curated/bars/date=2024-01-02"), "never committed");
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

  it("gc is a dry run unless --apply, and refuses while a manifest is unreadable", async () => {
    const dry = await runTrademl(["lake", "gc", "--grace-hours", "0"], env, root);
    expect(dry.code).toBe(3);
    expect(dry.stderr).toContain("manifests/broken/00000000000000000001.json");
    await new LocalStore({ root }).delete("manifests/broken/00000000000000000001.json");
    const again = await runTrademl(["lake", "gc", "--grace-hours", "0"], env, root);
    expect(again.stdout).toMatch(/would delete \(dry run; --apply to delete\): 1 orphan/);
    const applied = await runTrademl(["lake", "gc", "--grace-hours", "0", "--apply"], env, root);
    expect(applied.stdout).toMatch(/deleted: 1 orphan/);
    const after = await runTrademl(["lake", "gc", "--grace-hours", "0"], env, root);
    expect(after.stdout).toMatch(/: 0 orphan/);
  });

  it("expire trims manifest history only with --apply and keeps the newest", async () => {
    const dry = await runTrademl(["lake", "expire", "curated/bars", "--keep", "1", "--older-than-days", "0"], env, root);
    expect(dry.stdout).toMatch(/would expire .* 2 manifest\(s\) \(seq 1\.\.2\); 1 kept/);
    const applied = await runTrademl(["lake", "expire", "curated/bars", "--keep", "1", "--older-than-days", "0", "--apply"], env, root);
    expect(applied.stdout).toMatch(/expired 2 manifest\(s\)/);
    const show = await runTrademl(["lake", "show", "curated/bars", "--json"], env, root);
    expect((JSON.parse(show.stdout) as { seq: number }).seq).toBe(3);
    expect((await runTrademl(["lake", "expire", "curated/bars", "--keep", "-3"], env, root)).code).toBe(2);
  });
});
