import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share one migrated database (isolated by tenant); two workers suit the 2-core machine.
    pool: "forks",
    maxWorkers: 2,
  },
});
