import { defineConfig } from "tsdown";

/**
 * Production JavaScript: `node dist/main.js`, `node dist/migrate.js`, `node dist/token.js`.
 * This app's own dependencies stay external (resolved from its node_modules, e.g. swagger-ui-dist
 * serves its assets from there); the workspace packages are inlined together with the npm
 * packages only they depend on, which pnpm does not link into this app's node_modules.
 */
export default defineConfig({
  entry: { main: "src/main.ts", migrate: "../../packages/db/src/scripts/migrate.ts", token: "src/scripts/token.ts" },
  outDir: "dist",
  format: "esm",
  platform: "node",
  target: "node20",
  fixedExtension: false,
  dts: false,
  deps: { alwaysBundle: [/^@clientele\//], onlyBundle: false },
});
