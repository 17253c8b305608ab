/**
 * Borrow tiers: a user's list is parsed strictly (a bad line names its line), imported through the lake write path
 * with its provenance, and wins over the liquidity approximation where it covers a symbol and day.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { borrowSchema } from "../../src/config/schemas/borrow.ts";
import { DataError } from "../../src/domain/errors.ts";
import { borrowTiersFrom, importBorrowTiers, loadBorrowTiers, parseBorrowCsv, BORROW_TABLE } from "../../src/reference/index.ts";
import { createTestLake, type TestLake } from "../curate/lake-fixture.ts";

const config = borrowSchema.parse({});

describe("borrow tiers", () => {
  it("parses a list and refuses bad lines with their line number", () => {
    const rows = parseBorrowCsv("symbol,tier,from,to\nGME,htb,2026-01-02,2026-03-31\naapl,gc,2026-01-02,\n", "b.csv");
    expect(rows).toEqual([
      { symbol: "AAPL", validFrom: "2026-01-02", validTo: undefined, tier: "gc" },
      { symbol: "GME", validFrom: "2026-01-02", validTo: "2026-03-31", tier: "htb" },
    ]);
    expect(() => parseBorrowCsv("symbol,tier,from\nGME,hot,2026-01-02\n", "b.csv")).toThrow(/b\.csv:2: tier "hot"/);
    expect(() => parseBorrowCsv("symbol,tier,from\nGME,htb,2026-02-30\n", "b.csv")).toThrow(/b\.csv:2: from/);
    expect(() => parseBorrowCsv("name,tier\n", "b.csv")).toThrow(DataError);
    expect(() => parseBorrowCsv("symbol,tier,from,to\nGME,htb,2026-01-02,2026-03-31\nGME,gc,2026-03-01,\n", "b.csv")).toThrow(/overlapping/);
  });

  it("approximates by the month's liquidity rank and lets an imported row win", () => {
    const shares = new Map(Array.from({ length: 10 }, (_, i) => [`S${i}`, i / 10]));
    const tiers = borrowTiersFrom(config, [{ symbol: "S9", validFrom: "2026-02-01", validTo: undefined, tier: "htb" }], [
      { from: "2026-01-02", to: "2026-01-31", liquidityShare: shares },
      { from: "2026-02-02", to: undefined, liquidityShare: shares },
    ]);
    expect(tiers.rateOf("S0", "2026-01-15")).toEqual({ tier: "htb", bpsPerYear: config.tiers.htb, source: "approximation" });
    expect(tiers.rateOf("S2", "2026-01-15").tier).toBe("warm");
    expect(tiers.rateOf("S3", "2026-01-15").tier).toBe("gc");
    expect(tiers.rateOf("NEW", "2026-01-15").tier).toBe(config.approximation.unranked);
    expect(tiers.rateOf("S9", "2026-01-15").tier).toBe("gc");
    expect(tiers.rateOf("S9", "2026-02-10")).toEqual({ tier: "htb", bpsPerYear: config.tiers.htb, source: "imported" });
    // Before the first ranked month nothing is known: the unranked tier.
    expect(tiers.rateOf("S9", "2025-12-31").tier).toBe(config.approximation.unranked);
    // A fee is bps per year over the day basis, per calendar day.
    expect(tiers.dailyFee("S0", "2026-01-15", 3)).toBeCloseTo((config.tiers.htb / 10_000 / config.days_per_year) * 3, 18);
  });

  describe("import into a lake", () => {
    let lake: TestLake;
    let dir: string;
    beforeAll(async () => {
      lake = await createTestLake();
      dir = await mkdtemp(join(tmpdir(), "trademl-borrow-"));
    });
    afterAll(async () => {
      await lake.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("commits the list with provenance, replaces it on a new import, and the lookup reads it", async () => {
      const file = join(dir, "broker-borrow.csv");
      await writeFile(file, "symbol,tier,from\nGME,htb,2026-01-02\nAMC,warm,2026-01-02\n");
      const first = await importBorrowTiers(lake.lake, file, { now: new Date("2026-02-01T00:00:00Z") });
      expect(first).toMatchObject({ rows: 2, symbols: 2, seq: 1 });
      const rows = await lake.query<{ symbol: string; tier: string; source_file: string; source_sha256: string }>(
        `SELECT symbol, tier, source_file, source_sha256 FROM read_parquet([${(await lake.partPaths(BORROW_TABLE)).map((p) => `'${p}'`).join(", ")}]) ORDER BY symbol`,
      );
      expect(rows).toEqual([
        { symbol: "AMC", tier: "warm", source_file: "broker-borrow.csv", source_sha256: first.sourceSha256 },
        { symbol: "GME", tier: "htb", source_file: "broker-borrow.csv", source_sha256: first.sourceSha256 },
      ]);
      await writeFile(file, "symbol,tier,from\nGME,gc,2026-01-02\n");
      const second = await importBorrowTiers(lake.lake, file);
      expect(second.seq).toBe(2);
      const tiers = await loadBorrowTiers(lake.lake, config);
      expect(tiers.rateOf("GME", "2026-03-02")).toMatchObject({ tier: "gc", source: "imported" });
      expect(tiers.rateOf("AMC", "2026-03-02")).toMatchObject({ source: "approximation" });
      expect(tiers.snapshot[BORROW_TABLE]).toBe(2);
    });
  });
});
