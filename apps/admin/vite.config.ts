import react from "@vitejs/plugin-react";
import { createRequire } from "node:module";
import { defineConfig, loadEnv, type Plugin } from "vite";

/**
 * The create form validates with the API's own zod schemas (apps/api customer.schemas), whose
 * modules share imports with server code (the domain and db package indexes). Rollup drops what the
 * schemas do not use (moduleSideEffects below). Node's built-ins and the MySQL driver, which those
 * unused modules import, resolve to stand-ins whose every export throws if called, so the dev server
 * (which does not tree-shake) loads the page too, and a server-only call fails loudly, not silently.
 */
const SERVER_ONLY = /^(node:|mysql2(\/|$))/;
const PREFIX = "\0server-only:";
const serverOnlyModules = (): Plugin => ({
  name: "clientele:server-only-modules",
  enforce: "pre",
  resolveId: (id, importer) => (SERVER_ONLY.test(id) && importer ? `${PREFIX}${id}?from=${importer}` : null),
  load(id) {
    if (!id.startsWith(PREFIX)) return null;
    const [name = "", importer = ""] = id.slice(PREFIX.length).split("?from=");
    // The real module's export names (loaded here, in Node), so every named import binds.
    const names = Object.keys(createRequire(importer)(name) as object).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== "default");
    return [
      `const fail = () => { throw new Error(${JSON.stringify(`${name} is server-only and not in the admin bundle`)}); };`,
      ...names.map((n) => `export const ${n} = fail;`),
      "export default fail;",
    ].join("\n");
  },
});

// Workspace server code and its drivers: kept only where the admin imports something from them.
const SERVER_SIDE = /\/packages\/(db|domain)\/|\/node_modules\/.pnpm\/kysely@/;

export default defineConfig(({ mode }) => {
  // Where `pnpm dev:admin` sends API calls: the API `npm start` runs, unless API_URL says otherwise.
  const apiUrl = loadEnv(mode, process.cwd(), "")["API_URL"] ?? "http://127.0.0.1:3000";
  return {
    base: "/admin/",
    plugins: [serverOnlyModules(), react()],
    server: {
      port: 5173,
      strictPort: true,
      // /admin/config.json: the API's runtime config (sign-in through the identity provider or the dev page).
      // /ops: the queue dashboard the header links for Admins.
      proxy: { "/trpc": apiUrl, "/api": apiUrl, "/admin/config.json": apiUrl, "/ops": apiUrl },
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
