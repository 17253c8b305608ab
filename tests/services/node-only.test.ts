// Browser and Prefect suites run on Node only: vitest.config.ts leaves `*.node.test.ts` out exactly when Deno runs
// vitest, so CI's Deno run does not drive Chromium or a Prefect server a second time (docs/testing.md).
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import config, { NODE_ONLY_TESTS } from "../../vitest.config.ts";

const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

describe("node-only test files", () => {
  it("are excluded under Deno and included under Node", () => {
    const exclude = config.test?.exclude ?? [];
    expect(exclude.includes(NODE_ONLY_TESTS)).toBe(onDeno);
  });

  it("include the Chromium and Prefect smoke tests", () => {
    expect(NODE_ONLY_TESTS).toBe("tests/**/*.node.test.ts");
    const files = readdirSync(new URL("..", import.meta.url), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".node.test.ts"));
    expect(files).toEqual(expect.arrayContaining(["services/chromium.node.test.ts", "services/prefect.node.test.ts"]));
  });
});
