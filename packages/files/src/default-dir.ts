import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `<repository>/var/files`, found by walking up to the workspace root, so the default is the same
 * whether this runs from source (tsx) or bundled into apps/<app>/dist. Outside a checkout it is
 * var/files under the working directory.
 */
export function defaultFilesDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return join(dir, "var", "files");
    if (dirname(dir) === dir) return join(process.cwd(), "var", "files");
  }
}
