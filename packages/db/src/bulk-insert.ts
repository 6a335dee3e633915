import { CompiledQuery, type Insertable } from "kysely";
import { escape, raw } from "mysql2";
import { SQL_TIMEZONE } from "./connection";
import type { Database } from "./schema";

/**
 * Multi-row INSERTs rendered straight to SQL text, for the bulk writes of an import chunk (tens
 * of thousands of rows): Kysely would build, freeze and visit a node per value and mysql2 would
 * then interpolate every placeholder when the statement is sent; here each value is escaped once,
 * by mysql2's own escaper with the connection's time zone, so the text is what mysql2 would have
 * sent. Rendering needs no connection, so a chunk's statements can be built before its
 * transaction, while the previous chunk's run. The rendered VALUES list goes to mysql2 as one
 * raw() parameter of a `?` at its place: mysql2 interpolates the parameters of every query, and
 * with none it would still scan the whole multi-megabyte text for placeholders.
 */

/** Characters per statement: well under the server's max_allowed_packet (16 MB by default) even in 4-byte UTF-8. */
const MAX_STATEMENT_CHARS = 2_000_000;

/** A table's column names in the database's snake_case, as Kysely's CamelCasePlugin maps them. */
export const snakeCase = (column: string) => column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export type BulkInsertOptions<R> = {
  /** INSERT IGNORE: a row whose key is already held is the same row. */
  ignore?: boolean;
  /** Appended as ON DUPLICATE KEY UPDATE … (raw SQL, no values). */
  onDuplicateKeyUpdate?: string;
  /** Sorts the rows by this key first (the table's primary key, so pages fill in order and concurrent writers lock alike). */
  orderBy?: (row: R) => string;
};

/**
 * The statements that insert these rows into a table of the schema, as few as the statement size
 * allows. Columns are every property the rows have (a row without one gets the column's DEFAULT),
 * named as Kysely's CamelCasePlugin names them.
 */
export function bulkInsertQueries<T extends keyof Database & string, R extends Insertable<Database[T]>>(table: T, rows: readonly R[], o: BulkInsertOptions<R> = {}): CompiledQuery[] {
  if (rows.length === 0) return [];
  let ordered = rows;
  if (o.orderBy) {
    const keyed = rows.map((r) => ({ k: o.orderBy!(r), r }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    ordered = keyed.map((x) => x.r);
  }
  const columnSet = new Set<string>();
  for (const row of rows) for (const k in row) columnSet.add(k);
  const columns = [...columnSet];
  const head = `insert ${o.ignore ? "ignore " : ""}into \`${snakeCase(table)}\` (${columns.map((c) => `\`${snakeCase(c)}\``).join(", ")}) values `;
  const tail = o.onDuplicateKeyUpdate ? ` on duplicate key update ${o.onDuplicateKeyUpdate}` : "";
  const out: CompiledQuery[] = [];
  const statement = (values: string[]) => CompiledQuery.raw(`${head}?${tail}`, [raw(values.join(","))]);
  let values: string[] = [];
  let size = 0;
  for (const row of ordered) {
    let tuple = "(";
    for (let i = 0; i < columns.length; i++) {
      tuple += (i ? "," : "") + sqlValue((row as Record<string, unknown>)[columns[i]!], table, columns[i]!);
    }
    tuple += ")";
    if (values.length && size + tuple.length > MAX_STATEMENT_CHARS) {
      out.push(statement(values));
      values = [];
      size = 0;
    }
    values.push(tuple);
    size += tuple.length + 1;
  }
  out.push(statement(values));
  return out;
}

/**
 * One value as SQL text. Only what the text renders faithfully: the escaper would turn a plain
 * object into `col = 'v'` pairs and an array into a list, silently storing something else (JSON
 * columns take JSON.stringify'd text), and NaN/Infinity into text MySQL refuses or misreads.
 */
function sqlValue(v: unknown, table: string, column: string): string {
  if (v === undefined) return "default";
  if (v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) || v instanceof Date || Buffer.isBuffer(v)) {
    return escape(v, false, SQL_TIMEZONE);
  }
  throw new TypeError(`bulkInsertQueries: ${table}.${column} holds a value SQL text cannot carry (${Array.isArray(v) ? "array" : typeof v}${typeof v === "number" ? ` ${v}` : ""})`);
}
