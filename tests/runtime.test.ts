// Pre-test: proves which JavaScript runtime runs the suite, so a Deno run cannot silently fall back to Node.
import { describe, expect, it } from "vitest";

describe("runtime", () => {
  it("is the runtime the test command asked for", () => {
    const expected = process.env["TRADEML_EXPECT_RUNTIME"] ?? "node";
    const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
    expect(isDeno ? "deno" : "node").toBe(expected);
  });
});
