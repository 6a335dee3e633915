import { defineConfig } from "vitest/config";

// Unit tests of the UI's logic; the browser tests have their own config (e2e/vitest.config.ts).
export default defineConfig({ test: { include: ["src/**/*.test.ts"] } });
