import { CamelCasePlugin, Kysely, MysqlDialect, type Transaction } from "kysely";
import { createPool, type Pool, type PoolOptions } from "mysql2";
import type { Database } from "./schema";

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbOrTrx = Db | Trx;

export type DbOptions = { url: string; poolSize?: number };

/** The connection's time zone for instants (UTC); bulk-insert.ts renders dates with the same. */
export const SQL_TIMEZONE = "Z";

export function poolOptions(url: string, poolSize = 20): PoolOptions {
  return {
    uri: url,
    connectionLimit: poolSize,
    // Keep instants in UTC whatever the server's zone; decimals stay strings (money).
    timezone: SQL_TIMEZONE,
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    enableKeepAlive: true,
    connectTimeout: 5000,
  };
}

export function createDb({ url, poolSize }: DbOptions): { db: Db; pool: Pool } {
  const pool = createPool(poolOptions(url, poolSize));
  pool.on("connection", (conn) => {
    // MySQL 8 cuts GROUP_CONCAT at 1,024 bytes (MariaDB allows 1 MB): tag lists and id groups would be truncated.
    conn.query("SET time_zone = '+00:00', group_concat_max_len = 1048576");
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }), plugins: [new CamelCasePlugin()] });
  return { db, pool };
}

/** Splits `mysql://u:p@h:port/name` into a server URL and the database name (for CREATE DATABASE). */
export function splitDatabaseUrl(url: string): { serverUrl: string; database: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`DATABASE_URL must name a database ([A-Za-z0-9_]), got "${database}"`);
  parsed.pathname = "/";
  return { serverUrl: parsed.toString(), database };
}
