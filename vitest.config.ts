import { configDefaults, defineConfig } from "vitest/config";

// Browser (Chromium) and Prefect suites run once, on Node: under Deno they would only repeat a slow run of the
// same external program (docs/testing.md, "Node-only suites"). The config itself runs in the runtime that runs
// vitest, so it can tell Deno apart without trusting an environment variable.
const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
export const NODE_ONLY_TESTS = "tests/**/*.node.test.ts";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: onDeno ? [...configDefaults.exclude, NODE_ONLY_TESTS] : [...configDefaults.exclude],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    reporters: ["default"],
    // Starts MinIO/MLflow/Prefect/Chromium only when a selected test file needs them; see docs/testing.md.
    globalSetup: ["tests/setup/global-services.ts"],
    // The AWS SDK warns on every worker that its 2027 releases will need Node 22; we pin today's release in
    // package-lock.json, so in test logs the warning is noise that buries real failures.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
