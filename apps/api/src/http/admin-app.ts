import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";

/** Where `pnpm --filter @clientele/admin build` writes the admin app (apps/admin/dist). */
export const DEFAULT_ADMIN_DIR = fileURLToPath(new URL("../../../admin/dist", import.meta.url));

export const ADMIN_PATH = "/admin";

/**
 * The built admin app, served from this process so `npm start` needs no second server: hashed
 * assets cached for a year, every other GET answered with index.html (client-side routes).
 * Null when the app has not been built, so the API starts without it.
 */
export function adminAppRouter(dir: string = DEFAULT_ADMIN_DIR): Router | null {
  const index = join(dir, "index.html");
  if (!existsSync(index)) return null;
  const router = express.Router();
  router.use("/assets", express.static(join(dir, "assets"), { immutable: true, maxAge: "365d", fallthrough: false }));
  router.use(express.static(dir, { index: false }));
  router.get(/.*/, (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
  return router;
}
