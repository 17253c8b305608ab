// Manifests written before parts had fields of their own for unit ranges and ledger facts (format 1 kept them in
// `min`/`max`) are read correctly: upgraded on read, so a lake's coverage and its audit fast path survive the
// change, and the next commit writes the current format.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { coverageOf } from "../../src/ingest/coverage.ts";
import { manifestKey } from "../../src/lake/keys.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitParts, readManifest } from "../../src/lake/manifest.ts";

let root: string;
let store: LocalStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "trademl-manifest-format-"));
  store = new LocalStore({ root });
});
afterEach(async () => {
  await store.close();
  await rm(root, { recursive: true, force: true });
});

const base = { format: 1, seq: 1, parent: null, writer_epoch: 0, max_epoch: 0, operation: "create", removed: [], created: "2026-01-01T00:00:00.000Z" };

describe("format-1 manifests", () => {
  it("move a collected part's unit range and cursor out of min/max into `unit`", async () => {
    const table = "raw/polygon/tickers";
    await store.put(manifestKey(table, 1), JSON.stringify({
      ...base, table,
      files: [
        { key: `${table}/date=2026-01-05/part-a.parquet`, rows: 10, bytes: 100, min: { unit_start: "2026-01-05", as_of: "2026-01-05" }, max: { unit_end: "2026-01-05", as_of: "2026-01-05", cursor_next: "abc" }, symbols: ["*"] },
        { key: `${table}/date=2026-01-02/part-b.parquet`, rows: 0, bytes: 50, min: { unit_start: "2026-01-02" }, max: { unit_end: "2026-01-02", cursor_next: "" }, symbols: ["*"] },
      ],
    }));
    const manifest = await readManifest(store, table);
    expect(manifest?.format).toBe(2);
    expect(manifest?.files[0]).toEqual({
      key: `${table}/date=2026-01-05/part-a.parquet`, rows: 10, bytes: 100, min: { as_of: "2026-01-05" }, max: { as_of: "2026-01-05" }, symbols: ["*"],
      unit: { start: "2026-01-05", end: "2026-01-05", cursor_next: "abc" },
    });
    expect(manifest?.files[1]).toEqual({ key: `${table}/date=2026-01-02/part-b.parquet`, rows: 0, bytes: 50, symbols: ["*"], unit: { start: "2026-01-02", end: "2026-01-02", cursor_next: "" } });
    // The collector's planning sees the same coverage and cursor as before the upgrade; the page with a cursor after
    // it is part of an unfinished listing, which does not cover its day yet.
    expect(coverageOf(manifest)).toEqual({
      bySeries: new Map([["*", [{ start: "2026-01-02", end: "2026-01-02" }]]]),
      cursors: new Map([["*", { asOf: "2026-01-05", next: "abc" }]]),
      cursor: { asOf: "2026-01-05", next: "abc" },
    });
    // The next commit writes the current format, with the upgraded entries.
    // A commit refuses parts that are not in the lake, so the part exists (its bytes do not matter here).
    await store.put(`${table}/date=2026-01-06/part-c.parquet`, "x");
    const next = await commitParts(store, table, [{ key: `${table}/date=2026-01-06/part-c.parquet`, rows: 1, bytes: 1 }]);
    const stored = JSON.parse(new TextDecoder().decode((await store.get(manifestKey(table, 2)))?.body)) as { format: number; files: { unit?: unknown; min?: unknown }[] };
    expect(stored.format).toBe(2);
    expect(stored.files[0]).toMatchObject({ unit: { start: "2026-01-05", end: "2026-01-05", cursor_next: "abc" }, min: { as_of: "2026-01-05" } });
    expect(next.files).toHaveLength(3);
  });

  it("move an audit ledger part's inputs, thresholds and counts into `ledger`, keeping its column bounds", async () => {
    const table = "qc/partition_status";
    await store.put(manifestKey(table, 1), JSON.stringify({
      ...base, table,
      files: [{
        key: `${table}/source=alpaca/table=equities_eod/part-a.parquet`, rows: 12, bytes: 900,
        min: { source: "alpaca", table_name: "equities_eod", session: "2024-01-02", inputs: "f00d", qc: "0.98/0.9/1.2/true", green: 10, amber: 1, red: 1 },
        max: { source: "alpaca", table_name: "equities_eod", session: "2024-01-19" },
      }],
    }));
    const [part] = (await readManifest(store, table))?.files ?? [];
    expect(part).toEqual({
      key: `${table}/source=alpaca/table=equities_eod/part-a.parquet`, rows: 12, bytes: 900,
      min: { source: "alpaca", table_name: "equities_eod", session: "2024-01-02" },
      max: { source: "alpaca", table_name: "equities_eod", session: "2024-01-19" },
      ledger: { inputs: "f00d", qc: "0.98/0.9/1.2/true", counts: { green: 10, amber: 1, red: 1 } },
    });
  });

  it("leaves a current-format part's column bounds alone, even for columns named like the old facts", async () => {
    const table = "curated/odd_names";
    await store.put(`${table}/part-a.parquet`, "x");
    await commitParts(store, table, [{ key: `${table}/part-a.parquet`, rows: 1, bytes: 1, min: { unit_start: "2024-01-01", green: 1, amber: 2, red: 3 }, max: { unit_end: "2024-01-02" } }]);
    const [part] = (await readManifest(store, table))?.files ?? [];
    expect(part).toEqual({ key: `${table}/part-a.parquet`, rows: 1, bytes: 1, min: { unit_start: "2024-01-01", green: 1, amber: 2, red: 3 }, max: { unit_end: "2024-01-02" } });
  });
});
