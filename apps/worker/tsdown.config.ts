import { defineConfig } from "tsdown";

/**
 * Production JavaScript: `node dist/main.js`. As in apps/api: this app's dependencies stay external,
 * the workspace packages are inlined with the npm packages only they depend on (pnpm links those
 * into their own node_modules, not this app's).
 */
export default defineConfig({
  entry: { main: "src/main.ts" },
  outDir: "dist",
  format: "esm",
  platform: "node",
  target: "node20",
  fixedExtension: false,
  dts: false,
  deps: { alwaysBundle: [/^@clientele\//], onlyBundle: false },
});
