import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    reporters: ["default"],
    // Starts MinIO/MLflow only when a selected test file needs them; see docs/testing.md.
    globalSetup: ["tests/setup/global-services.ts"],
    // The AWS SDK warns on every worker that its 2027 releases will need Node 22; we pin today's release in
    // package-lock.json, so in test logs the warning is noise that buries real failures.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
