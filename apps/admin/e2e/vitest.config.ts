import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["e2e/**/*.test.ts"],
    // The API's own setup: a freshly migrated database for this run, dropped afterwards.
    globalSetup: [fileURLToPath(import.meta.resolve("@clientele/api/test/global-setup"))],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // One browser and one API for the run; the files run one after another on the 2-core machine.
    fileParallelism: false,
    pool: "forks",
  },
});
