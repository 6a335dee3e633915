import { customerNameKeys, phoneGrams, type Customer } from "@clientele/domain";
import { sql, type ExpressionBuilder, type RawBuilder, type SqlBool, type Expression } from "kysely";
import type { DbOrTrx } from "../connection";
import type { Database } from "../schema";
import { toCustomer } from "./customer.repository";

/**
 * Advanced customer search (issue 10 §2). Names and phones are found through their lookup tables
 * (customer_name_keys, customer_phone_grams), kept by replaceFuzzyKeys in the customer's write
 * transaction; the use case scores the candidates these queries return.
 */

type KeyTable = "customerNameKeys" | "customerPhoneGrams";

/** Replaces one lookup table's rows of a customer by the given values: only the difference is written. */
async function replaceRows(db: DbOrTrx, table: KeyTable, column: "nameKey" | "gram", c: Customer, values: string[]) {
  const old = (await db.selectFrom(table).select(`${column} as v`).where("tenantId", "=", c.tenantId).where("customerId", "=", c.id).execute()).map((r) => String(r.v));
  const keep = new Set(values);
  const gone = old.filter((v) => !keep.has(v));
  const had = new Set(old);
  const added = values.filter((v) => !had.has(v));
  // Exact primary keys, never a range: a range delete would gap-lock neighbours (see replaceSearchTerms).
  if (gone.length) await db.deleteFrom(table).where("tenantId", "=", c.tenantId).where(column, "in", gone).where("customerId", "=", c.id).execute();
  if (added.length) {
    await db
      .insertInto(table)
      .values(added.map((v) => ({ tenantId: c.tenantId, [column]: v, customerId: c.id }) as never))
      .execute();
  }
}

const nameKeyValues = (c: Customer) => customerNameKeys(c);
const phoneGramValues = (c: Customer) => phoneGrams([c.contactInfo.primaryPhone, c.contactInfo.secondaryPhone]);

/** Name keys and phone grams of an updated customer, written in the transaction that writes it (a new one's: newFuzzyKeyRows). */
export async function replaceFuzzyKeys(db: DbOrTrx, c: Customer): Promise<void> {
  await replaceRows(db, "customerNameKeys", "nameKey", c, nameKeyValues(c));
  await replaceRows(db, "customerPhoneGrams", "gram", c, phoneGramValues(c));
}

/** A new customer's name keys and phone grams as rows (written by newCustomerIndexInserts, many customers per insert). */
export function newFuzzyKeyRows(c: Customer) {
  return {
    nameKeys: nameKeyValues(c).map((nameKey) => ({ tenantId: c.tenantId, nameKey, customerId: c.id })),
    phoneGrams: phoneGramValues(c).map((gram) => ({ tenantId: c.tenantId, gram, customerId: c.id })),
  };
}

export const ADVANCED_SORT_FIELDS = {
  companyName: "companyName",
  firstName: "firstName",
  lastName: "lastName",
  customerNumber: "customerNumber",
  createdAt: "createdAt",
  lastModifiedAt: "lastModifiedAt",
  status: "status",
  type: "type",
  segment: "segment",
} as const;
export type AdvancedSortField = keyof typeof ADVANCED_SORT_FIELDS;

export type AdvancedSearchFilters = {
  /** Statuses to include; "Deactivated" includes deactivated customers. Unset: all but Archived and deactivated. */
  statuses?: string[];
  types?: string[];
  segments?: string[];
  /** A prefix of the primary or secondary email, lower case. */
  email?: string;
  /** Every one of these tags (normalized). */
  tags?: string[];
  createdFrom?: Date;
  createdTo?: Date;
  lastActivityFrom?: Date;
  lastActivityTo?: Date;
};

export type AdvancedSort = { field: AdvancedSortField; direction: "asc" | "desc" }[];

type Eb = ExpressionBuilder<Database & { c: Database["customers"] }, "c">;

/** The advanced search's filters as one condition on `customers as c`; exports and bulk jobs select by the same (customerSelectionQuery). */
export function filterConditions(eb: Eb, tenantId: string, f: AdvancedSearchFilters): Expression<SqlBool> {
  const and: Expression<SqlBool>[] = [eb("c.tenantId", "=", tenantId)];
  if (f.statuses?.length) {
    const live = f.statuses.filter((s) => s !== "Deactivated");
    const either: Expression<SqlBool>[] = [];
    if (live.length) either.push(eb.and([eb("c.isDeleted", "=", 0), eb("c.status", "in", live)]));
    if (live.length < f.statuses.length) either.push(eb("c.isDeleted", "=", 1));
    and.push(eb.or(either));
  } else {
    and.push(eb("c.isDeleted", "=", 0), eb("c.status", "<>", "Archived"));
  }
  if (f.types?.length) and.push(eb("c.type", "in", f.types));
  if (f.segments?.length) and.push(eb("c.segment", "in", f.segments));
  if (f.email) {
    const prefix = `${f.email.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    and.push(eb.or([eb("c.primaryEmail", "like", prefix), eb("c.secondaryEmail", "like", prefix)]));
  }
  if (f.createdFrom) and.push(eb("c.createdAt", ">=", f.createdFrom));
  if (f.createdTo) and.push(eb("c.createdAt", "<=", f.createdTo));
  for (const tag of f.tags ?? []) {
    and.push(
      eb.exists(
        eb
          .selectFrom("customerTags as t")
          .select(sql`1`.as("one"))
          .whereRef("t.tenantId", "=", "c.tenantId")
          .whereRef("t.customerId", "=", "c.id")
          .where("t.tag", "=", tag),
      ),
    );
  }
  if (f.lastActivityFrom || f.lastActivityTo) {
    let activity = eb.selectFrom("customerActivity as a").select(sql`1`.as("one")).whereRef("a.customerId", "=", "c.id").whereRef("a.tenantId", "=", "c.tenantId");
    if (f.lastActivityFrom) activity = activity.where("a.lastActivityAt", ">=", f.lastActivityFrom);
    if (f.lastActivityTo) activity = activity.where("a.lastActivityAt", "<=", f.lastActivityTo);
    and.push(eb.exists(activity));
  }
  return eb.and(and);
}

/**
 * A search without a name or phone: the customers table itself, filtered, sorted and paged in
 * SQL, with its count beside it.
 */
export async function filterCustomers(db: DbOrTrx, tenantId: string, f: AdvancedSearchFilters, sort: AdvancedSort, page: { limit: number; offset: number }) {
  const base = db.selectFrom("customers as c").where((eb) => filterConditions(eb, tenantId, f));
  let items = base.selectAll("c");
  for (const { field, direction } of sort) items = items.orderBy(`c.${ADVANCED_SORT_FIELDS[field]}`, direction);
  const [rows, count] = await Promise.all([
    items.orderBy("c.id").limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toCustomer), totalCount: Number(count.n) };
}

/** Customers having a key of every word: each word's best key kind ("w" word > "s" letters > "p" phonetic > "c" skeleton) summed as `pre`. */
function nameMatches(tenantId: string, wordKeys: string[][]): RawBuilder<unknown> {
  const all = [...new Set(wordKeys.flat())];
  const best = wordKeys.map((keys) => sql`MAX(CASE WHEN k.name_key IN (${sql.join(keys)}) THEN LEFT(k.name_key, 1) END)`);
  return sql`SELECT k.customer_id, ${sql.join(
    best.map((b) => sql`FIELD(${b}, 'c', 'p', 's', 'w')`),
    sql` + `,
  )} AS pre FROM customer_name_keys k WHERE k.tenant_id = ${tenantId} AND k.name_key IN (${sql.join(all)}) GROUP BY k.customer_id HAVING ${sql.join(
    best.map((b) => sql`${b} IS NOT NULL`),
    sql` AND `,
  )}`;
}

/** Customers having every one of the phone query's grams (the use case checks the whole digit string). */
function phoneMatches(tenantId: string, grams: string[]): RawBuilder<unknown> {
  const joins = grams.slice(1).map((g, i) => {
    const t = sql.ref(`g${i + 1}`);
    return sql`JOIN customer_phone_grams ${t} ON ${t}.tenant_id = g0.tenant_id AND ${t}.customer_id = g0.customer_id AND ${t}.gram = ${g} `;
  });
  return sql`SELECT g0.customer_id, 0 AS pre FROM customer_phone_grams g0 ${sql.join(joins, sql``)}WHERE g0.tenant_id = ${tenantId} AND g0.gram = ${grams[0]}`;
}

export type SearchCandidate = {
  id: string;
  firstName: string | null;
  lastName: string | null;
  companyName: string;
  primaryPhone: string;
  secondaryPhone: string | null;
  /** How strongly the keys matched (higher first); 0 for phone-only searches. */
  pre: number;
};

/** Filters that may leave few of many key matches: with one of them every key match is filtered, none left out. */
const selective = (f: AdvancedSearchFilters) => Boolean(f.email || f.tags?.length || f.createdFrom || f.createdTo || f.lastActivityFrom || f.lastActivityTo);

export type Candidates = {
  candidates: SearchCandidate[];
  /** Candidates passing the filters among the key matches read (all of them unless `keyMatches` is set). */
  filtered: number;
  /**
   * Set when the key matches were too many to read: only the best `limit` were joined with their
   * customers, out of this many.
   */
  keyMatches?: number;
};

/**
 * Candidates of a name and/or phone search with the filters applied: at most `limit`, best key
 * matches first (`bestFirst`) and/or in the given sort. A broad search (no selective filter, more
 * than `limit` key matches) reads only its best `limit` key matches from the key table, so its
 * cost does not grow with a common name; its count of key matches comes from the key table alone.
 */
export async function searchCandidates(
  db: DbOrTrx,
  tenantId: string,
  q: { nameWordKeys: string[][]; phoneGrams: string[]; filters: AdvancedSearchFilters; bestFirst: boolean; sort: AdvancedSort; limit: number },
): Promise<Candidates> {
  const byName = q.nameWordKeys.length > 0;
  const both = byName && q.phoneGrams.length > 0;
  const source = byName ? nameMatches(tenantId, q.nameWordKeys) : phoneMatches(tenantId, q.phoneGrams);
  const truncate = !both && !selective(q.filters);
  // The window counts every key match before the LIMIT keeps the best of them.
  const matches = sql`SELECT s.customer_id, s.pre, COUNT(*) OVER () AS key_matches FROM (${source}) s${truncate ? sql` ORDER BY s.pre DESC, s.customer_id LIMIT ${q.limit}` : sql``}`;
  let query = db
    .selectFrom(sql<{ customerId: string; pre: number; keyMatches: number }>`(${matches})`.as("m"))
    .innerJoin("customers as c", (j) => j.onRef("c.id", "=", "m.customerId"))
    .where((eb) => filterConditions(eb, tenantId, q.filters))
    .select(["c.id", "c.firstName", "c.lastName", "c.companyName", "c.primaryPhone", "c.secondaryPhone", "m.pre", "m.keyMatches", sql<number>`COUNT(*) OVER ()`.as("total")]);
  if (both) query = query.where(sql<SqlBool>`c.id IN (SELECT p.customer_id FROM (${phoneMatches(tenantId, q.phoneGrams)}) p)`);
  if (q.bestFirst) query = query.orderBy("m.pre", "desc");
  for (const { field, direction } of q.sort) query = query.orderBy(`c.${ADVANCED_SORT_FIELDS[field]}`, direction);
  const rows = await query.orderBy("c.id").limit(q.limit).execute();
  const candidates = rows.map(({ total: _t, keyMatches: _k, ...r }) => ({ ...r, pre: Number(r.pre) }));
  const filtered = Number(rows[0]?.total ?? 0);
  const keyMatches = Number(rows[0]?.keyMatches ?? 0);
  return truncate && keyMatches > q.limit ? { candidates, filtered, keyMatches } : { candidates, filtered };
}
