import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The 50,000-row export tests write real files; give them room on a 2-core machine.
    testTimeout: 60_000,
  },
});
