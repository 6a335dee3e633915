import { expireExports } from "@clientele/db";
import type { JobDeps } from "./job-deps";
import { EXPORT_PREFIXES } from "./tabular-export.runner";

const FILE_RETENTION_DAYS = 7;

/** Removes import uploads and export files older than 7 days (REQ-CUS-040) and expires their exports. */
export async function runFileRetention(deps: JobDeps): Promise<{ deletedFiles: number; expiredExports: number }> {
  const cutoff = new Date(deps.now().getTime() - FILE_RETENTION_DAYS * 24 * 3600 * 1000);
  let deletedFiles = 0;
  for (const prefix of [...Object.values(EXPORT_PREFIXES), "contact-imports/", "customer-imports/"]) deletedFiles += await deps.storage.deleteOlderThan(prefix, cutoff);
  const expiredExports = await expireExports(deps.db, cutoff);
  deps.log.info({ deletedFiles, expiredExports }, "file retention done");
  return { deletedFiles, expiredExports };
}
