import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    reporters: ["default"],
    // Starts MinIO/MLflow only when a selected test file needs them; see docs/testing.md.
    globalSetup: ["tests/setup/global-services.ts"],
  },
});
