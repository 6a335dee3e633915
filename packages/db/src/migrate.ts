import { Kysely, Migrator, MysqlDialect, type MigrationResultSet } from "kysely";
import { createConnection, createPool } from "mysql2/promise";
import { poolOptions, splitDatabaseUrl } from "./connection";
import { migrations } from "./migrations";

/** Creates the database named in the URL when it is missing (first run on a fresh machine). */
export async function ensureDatabase(url: string): Promise<void> {
  const { serverUrl, database } = splitDatabaseUrl(url);
  const conn = await createConnection({ uri: serverUrl, connectTimeout: 5000 });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { serverUrl, database } = splitDatabaseUrl(url);
  const conn = await createConnection({ uri: serverUrl, connectTimeout: 5000 });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await conn.end();
  }
}

async function withMigrator(url: string, fn: (m: Migrator) => Promise<MigrationResultSet>): Promise<void> {
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createPool(poolOptions(url, 2)).pool }),
  });
  try {
    const { error, results } = await fn(new Migrator({ db, provider: { getMigrations: async () => migrations } }));
    const failed = results?.find((r) => r.status === "Error");
    if (error || failed) {
      throw new Error(`migration ${failed?.migrationName ?? ""} failed: ${String((error as Error)?.message ?? error)}`);
    }
  } finally {
    await db.destroy();
  }
}

export async function migrateToLatest(url: string): Promise<void> {
  await ensureDatabase(url);
  await withMigrator(url, (m) => m.migrateToLatest());
}

export async function migrateDownAll(url: string): Promise<void> {
  await withMigrator(url, async (m) => {
    let last: MigrationResultSet = { results: [] };
    for (;;) {
      last = await m.migrateDown();
      if (last.error || !last.results?.length) return last;
    }
  });
}
