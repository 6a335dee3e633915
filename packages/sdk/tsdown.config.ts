import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  platform: "neutral",
  target: "es2022",
  outDir: "dist",
  clean: true,
  tsconfig: "tsconfig.build.json",
  dts: { tsconfig: "tsconfig.build.json", resolver: "tsc" },
  // The package.json's publishConfig already names the dist files; tsdown must not rewrite it.
  exports: false,
});
