// The option-contract allowance of a session: the day's cap across underliers and each underlier's cap, less what
// the manifest already lists for the session and what pages in flight have reserved.
import { describe, expect, it } from "vitest";
import { ContractAllowance } from "../../src/ingest/contract-allowance.ts";
import type { Manifest } from "../../src/lake/types.ts";

const part = (key: string, rows: number, start: string, symbol: string, cursorNext?: string): Manifest["files"][number] => ({
  key, rows, bytes: 1, symbols: [symbol], unit: { start, end: start, ...(cursorNext === undefined ? {} : { cursor_next: cursorNext }) },
});

describe("ContractAllowance", () => {
  it("counts the session's committed contracts, reserves for pages in flight and gives back what they did not use", () => {
    const manifest = {
      files: [part("a", 40, "2026-11-19", "SPY", "c1"), part("b", 30, "2026-11-19", "SPY", "c2"), part("c", 500, "2026-11-18", "SPY", "")],
    } as unknown as Manifest;
    const allowance = ContractAllowance.fromManifest(manifest, "2026-11-19", { perDay: 150, perSeries: 100 });
    // SPY holds 70 of its 100 today (yesterday's 500 do not count); the day has 80 left.
    expect(allowance.reserve("SPY")).toBe(30);
    expect(allowance.reserve("QQQ")).toBe(50);
    expect(allowance.dayExhausted).toBe(true);
    expect(allowance.reserve("IWM")).toBe(0);
    allowance.settle("QQQ", 50, 20);
    expect(allowance.dayExhausted).toBe(false);
    expect(allowance.reserve("IWM")).toBe(30);
    // A restarted listing's old pages leave the table: SPY may list its 100 again (the day holds QQQ's 20 and
    // IWM's 30 reserved).
    allowance.settle("SPY", 30, 0);
    allowance.forget("SPY", 70);
    expect(allowance.reserve("SPY")).toBe(100);
  });
});
