import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropDatabase, migrateToLatest } from "@clientele/db";
import type { TestProject } from "vitest/node";

/** Each run creates and migrates its own database, and drops it afterwards. */
export default async function setup(project: TestProject) {
  const server = process.env.TEST_DATABASE_SERVER_URL ?? "mysql://root@127.0.0.1:3306";
  const url = `${server}/clientele_test_${process.pid}_${Date.now().toString(36)}`;
  await migrateToLatest(url);
  project.provide("databaseUrl", url);
  project.provide("streamPrefix", `test-${process.pid}-${Date.now().toString(36)}:`);
  project.provide("queuePrefix", `test-${process.pid}-${Date.now().toString(36)}`);
  const filesDir = mkdtempSync(join(tmpdir(), "clientele-files-"));
  project.provide("filesDir", filesDir);
  return async () => {
    await dropDatabase(url);
    rmSync(filesDir, { recursive: true, force: true });
  };
}
