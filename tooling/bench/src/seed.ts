import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { customerNameKeys, phoneGrams, searchTerms } from "@clientele/domain";
import { dropDatabase, migrateToLatest } from "@clientele/db";
import { createPool, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from "mysql2/promise";
import { createRng, CUSTOMER_COLUMNS, customerRow, type CellValue } from "./customer-data";

export type Loader = "infile" | "insert";
export type IndexMode = "keep" | "rebuild" | "auto";

export type SeedOptions = {
  url: string;
  tenantId: string;
  customers: number;
  reseed: boolean;
  loader: Loader;
  parallel: number;
  indexes: IndexMode;
  log: (line: string) => void;
};

export type SeedResult = { seeded: boolean; rows: number; seconds: number; rowsPerSecond: number; loader: Loader; indexesRebuilt: boolean };

const TENANT_SETTINGS = JSON.stringify({ defaultPageSize: 20, maxPageSize: 100 });
// Rows per LOAD DATA statement (one transaction each) and per multi-row INSERT.
const INFILE_CHUNK = 25_000;
const INSERT_CHUNK = 2_000;
// Building the secondary indexes once after the load beats maintaining them row by row from about
// here on (2 cores, 128 MB buffer pool: 100k rows 3.8 s both ways; 300k 12.0 vs 9.6 s; 1M 143 vs 46 s).
const INDEX_REBUILD_THRESHOLD = 100_000;

export function createBenchPool(url: string, connectionLimit: number): Pool {
  return createPool({ uri: url, connectionLimit, timezone: "Z", charset: "utf8mb4", supportBigNumbers: true });
}

/** Migrates the bench database and makes sure the tenant has at least `customers` customers. */
export async function seed(o: SeedOptions): Promise<SeedResult> {
  // The bench database belongs to this tool alone. Loading always starts from a fresh migration,
  // which also repairs a load that was interrupted while its indexes were dropped.
  const fresh = async () => {
    await dropDatabase(o.url);
    await migrateToLatest(o.url);
  };
  if (o.reseed) {
    o.log("seed: --reseed: recreating the database and loading");
    await fresh();
  } else {
    try {
      await migrateToLatest(o.url);
    } catch (error) {
      throw new Error(`${(error as Error).message} (a bench database from before a migration changed? run with --reseed)`);
    }
    const existing = await seededCount(o.url, o.tenantId);
    if (existing !== null && existing >= o.customers) {
      o.log(`seed: tenant '${o.tenantId}' already has ${fmt(existing)} customers (>= ${fmt(o.customers)}), skipping (--reseed forces a reload)`);
      return { seeded: false, rows: existing, seconds: 0, rowsPerSecond: 0, loader: o.loader, indexesRebuilt: false };
    }
    o.log(
      existing === null
        ? "seed: no complete seed found: recreating the database and loading"
        : `seed: tenant has ${fmt(existing)} customers, fewer than asked: recreating the database and loading`,
    );
    await fresh();
  }

  const pool = createBenchPool(o.url, o.parallel + 1);
  try {
    const [[infile]] = await pool.query<RowDataPacket[]>("SELECT @@local_infile AS on_");
    if (o.loader === "infile" && Number(infile?.on_) !== 1) {
      o.log("seed: the server has local_infile off, falling back to multi-row INSERTs");
      o = { ...o, loader: "insert" };
    }
    await pool.query("INSERT INTO tenants (id, name, settings, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))", [
      o.tenantId,
      "Benchmark tenant",
      TENANT_SETTINGS,
    ]);
    const rebuild = o.indexes === "rebuild" || (o.indexes === "auto" && o.customers >= INDEX_REBUILD_THRESHOLD);
    const indexes = rebuild ? await secondaryIndexes(pool) : [];
    if (indexes.length) await pool.query(`ALTER TABLE customers ${indexes.map((i) => `DROP INDEX \`${i.name}\``).join(", ")}`);

    const started = performance.now();
    await load(pool, o);
    const loadSeconds = (performance.now() - started) / 1000;
    o.log(
      `seed: loaded ${fmt(o.customers)} rows in ${loadSeconds.toFixed(1)} s (${fmt(Math.round(o.customers / loadSeconds))} rows/s, ${o.loader}, ${o.parallel} parallel${rebuild ? ", secondary indexes dropped" : ""})`,
    );
    if (indexes.length) {
      const t = performance.now();
      await rebuildIndexes(pool, indexes);
      o.log(`seed: ${indexes.length} secondary indexes rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const tt = performance.now();
    const terms = await loadSearchTerms(pool, o);
    o.log(`seed: ${fmt(terms)} search terms written in ${((performance.now() - tt) / 1000).toFixed(1)} s`);
    const t = performance.now();
    const tk = performance.now();
    const keys = await loadFuzzyKeys(pool, o);
    o.log(`seed: ${fmt(keys.names)} name keys and ${fmt(keys.grams)} phone grams written in ${((performance.now() - tk) / 1000).toFixed(1)} s`);
    await pool.query("ANALYZE TABLE customers, customer_search_terms, customer_name_keys, customer_phone_grams");
    o.log(`seed: ANALYZE TABLE in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    // Written last: its presence marks a complete seed. API creates continue the numbering after it.
    await pool.query("INSERT INTO sequences (tenant_id, name, last_value) VALUES (?, 'customer', ?)", [o.tenantId, o.customers]);
    const seconds = (performance.now() - started) / 1000;
    return { seeded: true, rows: o.customers, seconds, rowsPerSecond: o.customers / seconds, loader: o.loader, indexesRebuilt: rebuild };
  } finally {
    await pool.end();
  }
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The tenant's customer count, or null when no seed ever completed (no sequence row). */
async function seededCount(url: string, tenantId: string): Promise<number | null> {
  const pool = createBenchPool(url, 1);
  try {
    const [seq] = await pool.query<RowDataPacket[]>("SELECT 1 FROM sequences WHERE tenant_id = ? AND name = 'customer'", [tenantId]);
    if (seq.length === 0) return null;
    const [[row]] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM customers WHERE tenant_id = ?", [tenantId]);
    return Number(row?.n ?? 0);
  } finally {
    await pool.end();
  }
}

type IndexDef = { name: string; kind: "INDEX" | "UNIQUE INDEX" | "FULLTEXT INDEX"; columns: string[] };

/** The migration's secondary indexes, read back so they are re-created exactly as defined. */
async function secondaryIndexes(pool: Pool): Promise<IndexDef[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS name, NON_UNIQUE AS nonUnique, INDEX_TYPE AS type, COLUMN_NAME AS col, SUB_PART AS sub, COLLATION AS dir
     FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'customers' AND INDEX_NAME <> 'PRIMARY'
     ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
  );
  const byName = new Map<string, IndexDef>();
  for (const r of rows) {
    const name = String(r.name);
    const kind = r.type === "FULLTEXT" ? "FULLTEXT INDEX" : Number(r.nonUnique) === 0 ? "UNIQUE INDEX" : "INDEX";
    const def = byName.get(name) ?? { name, kind, columns: [] };
    def.columns.push(`\`${String(r.col)}\`${r.sub ? `(${Number(r.sub)})` : ""}${r.dir === "D" ? " DESC" : ""}`);
    byName.set(name, def);
  }
  return [...byName.values()];
}

/**
 * B-tree indexes in one ALTER (one sorted build each), then the full-text index as the migration
 * builds it: stopwords off, a setting read at build time, so on the same connection.
 */
async function rebuildIndexes(pool: Pool, indexes: IndexDef[]): Promise<void> {
  const btree = indexes.filter((i) => i.kind !== "FULLTEXT INDEX");
  if (btree.length) await pool.query(`ALTER TABLE customers ${btree.map((i) => `ADD ${i.kind} \`${i.name}\` (${i.columns.join(", ")})`).join(", ")}`);
  const conn = await pool.getConnection();
  try {
    await conn.query("SET SESSION innodb_ft_enable_stopword = OFF");
    for (const i of indexes.filter((x) => x.kind === "FULLTEXT INDEX")) {
      await conn.query(`CREATE FULLTEXT INDEX \`${i.name}\` ON customers (${i.columns.join(", ")})`);
    }
  } finally {
    conn.release();
  }
}

async function load(pool: Pool, o: SeedOptions): Promise<void> {
  // Random v4 ids like the API's, inserted in key order: appending to the clustered index
  // instead of splitting random pages keeps the load fast when the table outgrows the buffer pool.
  const ids = Array.from({ length: o.customers }, () => randomUUID()).sort();
  const now = Date.now();
  const chunk = o.loader === "infile" ? INFILE_CHUNK : INSERT_CHUNK;
  const chunks = Math.ceil(o.customers / chunk);
  let next = 0;
  let done = 0;
  let reported = 0;
  const started = performance.now();

  const rowsOf = function* (c: number) {
    const rng = createRng(c + 1);
    const end = Math.min(o.customers, (c + 1) * chunk);
    for (let i = c * chunk; i < end; i++) yield customerRow(rng, o.tenantId, ids[i]!, i + 1, o.customers, now);
  };

  const worker = async () => {
    const conn = await pool.getConnection();
    try {
      // Safe here: rows are generated unique, the table has no foreign keys, nothing else writes to it.
      await conn.query("SET SESSION unique_checks = 0, foreign_key_checks = 0");
      for (let c = next++; c < chunks; c = next++) {
        const n = Math.min(o.customers, (c + 1) * chunk) - c * chunk;
        await (o.loader === "infile" ? loadInfile(conn, rowsOf(c)) : loadInsert(conn, [...rowsOf(c)]));
        done += n;
        if (done - reported >= o.customers / 10 || done === o.customers) {
          reported = done;
          const s = (performance.now() - started) / 1000;
          o.log(`seed: ${done.toLocaleString("en-US")}/${o.customers.toLocaleString("en-US")} (${Math.round(done / s).toLocaleString("en-US")} rows/s)`);
        }
      }
    } finally {
      conn.release();
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, chunks) }, worker));
}

const COLUMN_LIST = CUSTOMER_COLUMNS.join(", ");

const TERM_COLUMNS = "tenant_id, term, customer_id, is_deleted, status, type, segment, company_name, customer_number, created_at, last_modified_at";

/**
 * Fills customer_search_terms from the loaded customers with the API's own tokenizer
 * (searchTerms), reading the customers back in key order and loading the words with LOAD DATA.
 */
async function loadSearchTerms(pool: Pool, o: SeedOptions): Promise<number> {
  const conn = await pool.getConnection();
  let total = 0;
  try {
    await conn.query("SET SESSION unique_checks = 0, foreign_key_checks = 0");
    let after = "";
    for (;;) {
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT id, tenant_id, company_name, primary_email, is_deleted, status, type, segment, customer_number, created_at, last_modified_at FROM customers WHERE id > ? ORDER BY id LIMIT 50000",
        [after],
      );
      if (rows.length === 0) break;
      const termRows = rows.flatMap((r) =>
        searchTerms(String(r.company_name), String(r.primary_email)).map((term): CellValue[] => [
          String(r.tenant_id),
          term,
          String(r.id),
          Number(r.is_deleted),
          String(r.status),
          String(r.type),
          String(r.segment),
          String(r.company_name),
          String(r.customer_number),
          (r.created_at as Date).toISOString().slice(0, 23).replace("T", " "),
          r.last_modified_at ? (r.last_modified_at as Date).toISOString().slice(0, 23).replace("T", " ") : null,
        ]),
      );
      if (o.loader === "infile") await loadInfile(conn, termRows, "customer_search_terms", TERM_COLUMNS);
      else for (let i = 0; i < termRows.length; i += INSERT_CHUNK) await conn.query(`INSERT INTO customer_search_terms (${TERM_COLUMNS}) VALUES ?`, [termRows.slice(i, i + INSERT_CHUNK)]);
      total += termRows.length;
      after = String(rows.at(-1)!.id);
    }
  } finally {
    conn.release();
  }
  return total;
}

/** The advanced search's key tables. */
const KEY_TABLES = [
  { table: "customer_name_keys", columns: "tenant_id, name_key, customer_id" },
  { table: "customer_phone_grams", columns: "tenant_id, gram, customer_id" },
] as const;

/**
 * Fills customer_name_keys and customer_phone_grams from the loaded customers with the API's own
 * key derivation (customerNameKeys, phoneGrams), each batch's rows in primary-key order. (Their
 * customer_id indexes stay: the foreign keys need them.)
 */
async function loadFuzzyKeys(pool: Pool, o: SeedOptions): Promise<{ names: number; grams: number }> {
  const conn = await pool.getConnection();
  const totals = { names: 0, grams: 0 };
  try {
    await conn.query("SET SESSION unique_checks = 0, foreign_key_checks = 0");
    const byKey = (a: CellValue[], b: CellValue[]) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : a[2]! < b[2]! ? -1 : 1);
    let after = "";
    for (;;) {
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT id, tenant_id, first_name, last_name, company_name, primary_phone, secondary_phone FROM customers WHERE id > ? ORDER BY id LIMIT 50000",
        [after],
      );
      if (rows.length === 0) break;
      const names: CellValue[][] = [];
      const grams: CellValue[][] = [];
      for (const r of rows) {
        const id = String(r.id);
        const tenant = String(r.tenant_id);
        for (const k of customerNameKeys({ firstName: r.first_name as string | null, lastName: r.last_name as string | null, companyName: String(r.company_name) })) names.push([tenant, k, id]);
        for (const g of phoneGrams([r.primary_phone as string, r.secondary_phone as string | null])) grams.push([tenant, g, id]);
      }
      for (const [k, values] of [[KEY_TABLES[0], names.sort(byKey)], [KEY_TABLES[1], grams.sort(byKey)]] as const) {
        if (o.loader === "infile") await loadInfile(conn, values, k.table, k.columns);
        else for (let i = 0; i < values.length; i += INSERT_CHUNK) await conn.query(`INSERT INTO ${k.table} (${k.columns}) VALUES ?`, [values.slice(i, i + INSERT_CHUNK)]);
      }
      totals.names += names.length;
      totals.grams += grams.length;
      after = String(rows.at(-1)!.id);
    }
  } finally {
    conn.release();
  }
  return totals;
}

async function loadInsert(conn: PoolConnection, rows: CellValue[][]): Promise<void> {
  await conn.query(`INSERT INTO customers (${COLUMN_LIST}) VALUES ?`, [rows]);
}

// LOAD DATA's default text format: tab-separated, backslash escapes, \N for NULL.
const tsvCell = (v: CellValue) =>
  v === null ? "\\N" : typeof v === "number" ? String(v) : v.replace(/[\\\t\n\r]/g, (m) => (m === "\\" ? "\\\\" : m === "\t" ? "\\t" : m === "\n" ? "\\n" : "\\r"));

async function loadInfile(conn: PoolConnection, rows: Iterable<CellValue[]>, table = "customers", columns = COLUMN_LIST): Promise<void> {
  const batches = function* () {
    let buf = "";
    let n = 0;
    for (const row of rows) {
      buf += row.map(tsvCell).join("\t") + "\n";
      if (++n === 500) {
        yield Buffer.from(buf);
        buf = "";
        n = 0;
      }
    }
    if (buf) yield Buffer.from(buf);
  };
  const [result] = await conn.query<ResultSetHeader>({
    sql: `LOAD DATA LOCAL INFILE '${table}.tsv' INTO TABLE ${table} CHARACTER SET utf8mb4 (${columns})`,
    infileStreamFactory: () => Readable.from(batches(), { objectMode: false }),
  });
  // LOCAL turns data errors into warnings; a truncated value must fail the seed, not pass silently.
  if (result.warningStatus > 0) {
    const [warnings] = await conn.query<RowDataPacket[]>("SHOW WARNINGS LIMIT 3");
    throw new Error(`LOAD DATA reported ${result.warningStatus} warnings, e.g. ${warnings.map((w) => String(w.Message)).join("; ")}`);
  }
}
