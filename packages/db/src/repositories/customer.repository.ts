import {
  duplicateCustomerEmail,
  NO_SOCIAL_MEDIA_LINKS,
  queryTerms,
  searchTerms,
  type Customer,
  type CustomerRating,
  type CustomerSegment,
  type CustomerStatus,
  type CustomerType,
  type Gender,
  type Preferences,
  type SocialMediaLinks,
} from "@clientele/domain";
import { sql, type CompiledQuery, type SqlBool, type Expression } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import { newFuzzyKeyRows, replaceFuzzyKeys } from "./customer-search.repository";
import { insertMatchKeys, markDuplicateDirty, newMatchKeyRows, replaceMatchKeys } from "./customer-duplicate.repository";
import { parseJson, type CustomerRow, type NewCustomerRow } from "../schema";
import { bulkInsertQueries } from "../bulk-insert";


/** Rows written before issue 13 lack analyticsTracking: they read with its default (tracked). */
function storedPreferences(json: string | Preferences): Preferences {
  const p = parseJson<Omit<Preferences, "analyticsTracking"> & { analyticsTracking?: boolean }>(json);
  return { ...p, analyticsTracking: p.analyticsTracking ?? true };
}

export function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    tenantId: row.tenantId,
    customerNumber: row.customerNumber,
    type: row.type as CustomerType,
    companyName: row.companyName,
    firstName: row.firstName,
    lastName: row.lastName,
    industry: row.industry,
    website: row.website,
    segment: row.segment as CustomerSegment,
    lifetimeValue: String(row.lifetimeValue),
    totalEvents: row.totalEvents,
    rating: row.rating as CustomerRating,
    status: row.status as CustomerStatus,
    contactInfo: {
      primaryEmail: row.primaryEmail,
      secondaryEmail: row.secondaryEmail,
      primaryPhone: row.primaryPhone,
      secondaryPhone: row.secondaryPhone,
      billingAddress: {
        street: row.billingStreet,
        city: row.billingCity,
        state: row.billingState,
        zipCode: row.billingZipCode,
        country: row.billingCountry,
      },
      shippingAddress:
        row.shippingStreet === null
          ? null
          : {
              street: row.shippingStreet,
              city: row.shippingCity ?? "",
              state: row.shippingState ?? "",
              zipCode: row.shippingZipCode ?? "",
              country: row.shippingCountry ?? "",
            },
    },
    preferences: storedPreferences(row.preferences as string),
    isDeleted: Boolean(row.isDeleted),
    deletedAt: row.deletedAt,
    deletedBy: row.deletedBy,
    statusReason: row.statusReason,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    lastModifiedAt: row.lastModifiedAt,
    lastModifiedBy: row.lastModifiedBy,
    version: row.version,
    notes: row.notes,
    source: row.source,
    // Loaded beside the row (withTagsAndActivity); a bare row maps to none.
    tags: [],
    dateOfBirth: row.dateOfBirth ? row.dateOfBirth.toISOString().slice(0, 10) : null,
    gender: row.gender as Gender | null,
    socialMediaLinks: row.socialMediaLinks ? { ...NO_SOCIAL_MEDIA_LINKS, ...parseJson<SocialMediaLinks>(row.socialMediaLinks as SocialMediaLinks | string) } : NO_SOCIAL_MEDIA_LINKS,
    emailVerified: Boolean(row.emailVerified),
    phoneVerified: Boolean(row.phoneVerified),
    lastActivityAt: null,
    segmentOverride: row.segmentOverride
      ? { segment: row.segmentOverride as CustomerSegment, reason: row.segmentOverrideReason ?? "", by: row.segmentOverrideBy ?? "", at: row.segmentOverrideAt ?? row.createdAt }
      : null,
    ratingOverride: row.ratingOverride
      ? { rating: row.ratingOverride as CustomerRating, reason: row.ratingOverrideReason ?? "", by: row.ratingOverrideBy ?? "", at: row.ratingOverrideAt! }
      : null,
    ratingFactors: row.ratingFactors ? parseJson<unknown>(row.ratingFactors as string) : null,
    loyaltyTier: row.loyaltyTier ? { tier: row.loyaltyTier, since: row.loyaltyTierSince } : null,
    // Loaded beside the row by findCustomerById (its own table); a bare row maps to none.
    inactivity: null,
  };
}

export function toRow(c: Customer): NewCustomerRow {
  const ship = c.contactInfo.shippingAddress;
  return {
    id: c.id,
    tenantId: c.tenantId,
    customerNumber: c.customerNumber,
    type: c.type,
    companyName: c.companyName,
    firstName: c.firstName,
    lastName: c.lastName,
    industry: c.industry,
    website: c.website,
    segment: c.segment,
    lifetimeValue: c.lifetimeValue,
    totalEvents: c.totalEvents,
    rating: c.rating,
    status: c.status,
    primaryEmail: c.contactInfo.primaryEmail,
    secondaryEmail: c.contactInfo.secondaryEmail,
    primaryPhone: c.contactInfo.primaryPhone,
    secondaryPhone: c.contactInfo.secondaryPhone,
    billingStreet: c.contactInfo.billingAddress.street,
    billingCity: c.contactInfo.billingAddress.city,
    billingState: c.contactInfo.billingAddress.state,
    billingZipCode: c.contactInfo.billingAddress.zipCode,
    billingCountry: c.contactInfo.billingAddress.country,
    shippingStreet: ship?.street ?? null,
    shippingCity: ship?.city ?? null,
    shippingState: ship?.state ?? null,
    shippingZipCode: ship?.zipCode ?? null,
    shippingCountry: ship?.country ?? null,
    preferences: JSON.stringify(c.preferences),
    isDeleted: c.isDeleted ? 1 : 0,
    deletedAt: c.deletedAt,
    deletedBy: c.deletedBy,
    statusReason: c.statusReason,
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    lastModifiedAt: c.lastModifiedAt,
    lastModifiedBy: c.lastModifiedBy,
    version: c.version,
    notes: c.notes,
    source: c.source,
    dateOfBirth: c.dateOfBirth,
    gender: c.gender,
    socialMediaLinks: Object.values(c.socialMediaLinks).some((v) => v !== null) ? JSON.stringify(c.socialMediaLinks) : null,
    emailVerified: c.emailVerified ? 1 : 0,
    phoneVerified: c.phoneVerified ? 1 : 0,
  };
}

/** Customers with their tags and last activity, read beside their rows (two indexed lookups for any number). */
export async function withTagsAndActivity(db: DbOrTrx, tenantId: string, customers: Customer[]): Promise<Customer[]> {
  if (customers.length === 0) return customers;
  const ids = customers.map((c) => c.id);
  const [tags, activity] = await Promise.all([
    db.selectFrom("customerTags").select(["customerId", "tag"]).where("tenantId", "=", tenantId).where("customerId", "in", ids).execute(),
    db.selectFrom("customerActivity").select(["customerId", "lastActivityAt"]).where("tenantId", "=", tenantId).where("customerId", "in", ids).execute(),
  ]);
  const tagsById = new Map<string, string[]>();
  for (const t of tags) tagsById.set(t.customerId, [...(tagsById.get(t.customerId) ?? []), t.tag]);
  const activityById = new Map(activity.map((a) => [a.customerId, a.lastActivityAt]));
  return customers.map((c) => ({ ...c, tags: (tagsById.get(c.id) ?? []).sort(), lastActivityAt: activityById.get(c.id) ?? null }));
}

/** The last interaction of a customer (null when there was none): what a cached read adds to the cached record. */
export async function findLastActivityAt(db: DbOrTrx, tenantId: string, customerId: string): Promise<Date | null> {
  const row = await db
    .selectFrom("customerActivity")
    .select("lastActivityAt")
    .where("customerId", "=", customerId)
    .where("tenantId", "=", tenantId)
    .executeTakeFirst();
  return row?.lastActivityAt ?? null;
}

/**
 * Every interaction (communication, call, meeting, complaint, testimonial) calls this in its own
 * transaction. The row is the customer's own in customer_activity, not the customers row, so
 * interactions never wait on (or bump the version of) the customer; GREATEST keeps it monotonic
 * when interactions commit out of order.
 */
export async function touchCustomerActivity(trx: Trx, tenantId: string, customerId: string | readonly string[], at: Date): Promise<void> {
  // Several customers (a campaign) in one statement, in id order so concurrent batches lock alike.
  const ids = typeof customerId === "string" ? [customerId] : [...new Set(customerId)].sort();
  if (ids.length === 0) return;
  const rows = sql.join(ids.map((id) => sql`(${tenantId}, ${id}, ${at})`));
  await sql`insert into customer_activity (tenant_id, customer_id, last_activity_at) values ${rows}
    on duplicate key update last_activity_at = greatest(last_activity_at, values(last_activity_at))`.execute(trx);
  // New activity clears an inactivity flag (003 BR-6) raised on an older one; its own table, so still no customers lock.
  await trx.deleteFrom("customerInactivity").where("tenantId", "=", tenantId).where("customerId", "in", ids).where("lastActivityAt", "<", at).execute();
}

/** touchCustomerActivity for customers each with its own time (a ledger batch), still two statements, in id order. */
export async function touchCustomersActivity(trx: Trx, tenantId: string, lastAt: ReadonlyMap<string, Date>): Promise<void> {
  const entries = [...lastAt].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return;
  const rows = sql.join(entries.map(([id, at]) => sql`(${tenantId}, ${id}, ${at})`));
  await sql`insert into customer_activity (tenant_id, customer_id, last_activity_at) values ${rows}
    on duplicate key update last_activity_at = greatest(last_activity_at, values(last_activity_at))`.execute(trx);
  await trx
    .deleteFrom("customerInactivity")
    .where("tenantId", "=", tenantId)
    .where((eb) => eb.or(entries.map(([id, at]) => eb.and([eb("customerId", "=", id), eb("lastActivityAt", "<", at)]))))
    .execute();
}

/** The customer's tag rows made equal to its `tags`: only the difference is written. */
export async function replaceCustomerTags(trx: Trx, c: Customer, isNew: boolean): Promise<void> {
  const old = isNew ? [] : (await trx.selectFrom("customerTags").select("tag").where("tenantId", "=", c.tenantId).where("customerId", "=", c.id).execute()).map((r) => r.tag);
  const removed = old.filter((t) => !c.tags.includes(t));
  const added = c.tags.filter((t) => !old.includes(t));
  if (removed.length) {
    await trx.deleteFrom("customerTags").where("tenantId", "=", c.tenantId).where("customerId", "=", c.id).where("tag", "in", removed).execute();
  }
  if (added.length) {
    await trx.insertInto("customerTags").values(added.map((tag) => ({ tenantId: c.tenantId, customerId: c.id, tag }))).execute();
  }
}

/** True for the active-email unique key's refusal (CUST-002); the one place it is recognised. */
export function isDuplicateCustomerEmail(error: unknown): boolean {
  const e = error as { code?: string; sqlMessage?: string } | null;
  return e?.code === "ER_DUP_ENTRY" && e.sqlMessage?.includes("customers_tenant_active_email_ux") === true;
}

function emailTakenOr(error: unknown): never {
  throw isDuplicateCustomerEmail(error) ? duplicateCustomerEmail() : error;
}

/** Locks the customer row (SELECT … FOR UPDATE) and loads it with its tags and activity. */
export async function lockCustomerRecord(trx: Trx, tenantId: string, id: string): Promise<Customer | undefined> {
  const row = await trx.selectFrom("customers").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).forUpdate().executeTakeFirst();
  if (!row) return undefined;
  const [customer] = await withTagsAndActivity(trx, tenantId, [toCustomer(row)]);
  return customer;
}

/** Loads a customer of this tenant, deactivated ones included (the use case decides visibility). */
export async function findCustomerById(db: DbOrTrx, tenantId: string, id: string): Promise<Customer | undefined> {
  // One round trip: the tags (ASCII, comma-free by their rule) and the last activity come as subqueries.
  const row = await db
    .selectFrom("customers as c")
    .selectAll("c")
    .select((eb) => [
      eb
        .selectFrom("customerTags as t")
        .select(sql<string | null>`group_concat(t.tag order by t.tag separator ',')`.as("tags"))
        .where("t.tenantId", "=", tenantId)
        .where("t.customerId", "=", id)
        .as("tagList"),
      eb.selectFrom("customerActivity as a").select("a.lastActivityAt").where("a.customerId", "=", id).where("a.tenantId", "=", tenantId).as("activityAt"),
    ])
    .leftJoin("customerInactivity as i", "i.customerId", "c.id")
    .select(["i.flag as inactivityFlag", "i.since as inactivitySince", "i.lastActivityAt as inactiveSince"])
    .where("c.tenantId", "=", tenantId)
    .where("c.id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { tagList, activityAt, inactivityFlag, inactivitySince, inactiveSince, ...customerRow } = row;
  const inactivity = inactivityFlag ? { flag: inactivityFlag as "InactiveRisk" | "Review", since: inactivitySince!, lastActivityAt: inactiveSince! } : null;
  return { ...toCustomer(customerRow), tags: tagList ? tagList.split(",") : [], lastActivityAt: activityAt ?? null, inactivity };
}

export async function findCustomersByIds(db: DbOrTrx, tenantId: string, ids: string[]): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("customers").selectAll().where("tenantId", "=", tenantId).where("id", "in", ids).execute();
  return rows.map(toCustomer);
}

export async function insertCustomer(db: DbOrTrx, customer: Customer): Promise<void> {
  await db.insertInto("customers").values(toRow(customer)).execute().catch(emailTakenOr);
}

/** Compare-and-set on `version`: false when someone else changed the row since it was read. */
export async function updateCustomer(db: DbOrTrx, customer: Customer, readVersion: number): Promise<boolean> {
  const { id: _id, tenantId: _tenantId, customerNumber: _n, createdAt: _c, createdBy: _b, ...changes } = toRow(customer);
  const result = await db
    .updateTable("customers")
    .set(changes)
    .where("tenantId", "=", customer.tenantId)
    .where("id", "=", customer.id)
    .where("version", "=", readVersion)
    .executeTakeFirst()
    .catch(emailTakenOr);
  return Number(result.numUpdatedRows) === 1;
}

export const CUSTOMER_SORT_FIELDS = {
  companyName: "companyName",
  customerNumber: "customerNumber",
  createdAt: "createdAt",
  lastModifiedAt: "lastModifiedAt",
  status: "status",
  type: "type",
  segment: "segment",
} as const;
export type CustomerSortField = keyof typeof CUSTOMER_SORT_FIELDS;

export type CustomerSearch = {
  query?: string;
  types?: string[];
  segments?: string[];
  statuses?: string[];
  /** Every one of these tags (normalized). */
  tags?: string[];
  sort: { field: CustomerSortField; direction: "asc" | "desc" }[];
  page: number;
  pageSize: number;
};

/**
 * Rows of the search-term table for a customer: its words with the columns search filters and
 * sorts on. Old rows go by exact primary key (a range delete would gap-lock its neighbours and
 * deadlock concurrent creates); a new customer has none.
 */
export async function replaceSearchTerms(db: DbOrTrx, c: Customer, isNew: boolean): Promise<void> {
  if (isNew) {
    for (const q of await newCustomerIndexInserts([c])) await db.executeQuery(q);
    return;
  }
  // Every customer write passes here: duplicate detection keeps its match keys with the same writes.
  await replaceMatchKeys(db, c);
  const old = await db.selectFrom("customerSearchTerms").select("term").where("tenantId", "=", c.tenantId).where("customerId", "=", c.id).execute();
  if (old.length) {
    await db
      .deleteFrom("customerSearchTerms")
      .where("tenantId", "=", c.tenantId)
      .where("term", "in", old.map((o) => o.term))
      .where("customerId", "=", c.id)
      .execute();
  }
  await replaceFuzzyKeys(db, c);
  const terms = searchTermRows(c);
  if (terms.length) await db.insertInto("customerSearchTerms").values(terms).execute();
}

function searchTermRows(c: Customer) {
  return searchTerms(c.companyName, c.contactInfo.primaryEmail).map((term) => ({
    tenantId: c.tenantId,
    term,
    customerId: c.id,
    isDeleted: c.isDeleted ? 1 : 0,
    status: c.status,
    type: c.type,
    segment: c.segment,
    companyName: c.companyName,
    customerNumber: c.customerNumber,
    createdAt: c.createdAt,
    lastModifiedAt: c.lastModifiedAt,
  }));
}

/**
 * Every derived row of new customers, the one definition for a single create (replaceSearchTerms)
 * and a batch (an import chunk, writeCustomerDecisions): match keys and the duplicate worker's
 * mark, name keys and phone grams, search terms, as a few multi-row inserts rendered without
 * running them (bulkInsertQueries, so an import can build the next chunk's while the current one
 * commits; `pause` lets it yield to I/O between steps). Each insert's rows go in primary-key order.
 */
export async function newCustomerIndexInserts(customers: Customer[], pause?: () => Promise<unknown>): Promise<CompiledQuery[]> {
  const matchKeys: ReturnType<typeof newMatchKeyRows>["matchKeys"] = [];
  const dirty: ReturnType<typeof newMatchKeyRows>["duplicateDirty"] = [];
  const nameKeys: ReturnType<typeof newFuzzyKeyRows>["nameKeys"] = [];
  const grams: ReturnType<typeof newFuzzyKeyRows>["phoneGrams"] = [];
  const terms: ReturnType<typeof searchTermRows> = [];
  for (const [i, c] of customers.entries()) {
    if (pause && i % 50 === 49) await pause();
    const m = newMatchKeyRows(c);
    const f = newFuzzyKeyRows(c);
    for (const r of m.matchKeys) matchKeys.push(r);
    for (const r of m.duplicateDirty) dirty.push(r);
    for (const r of f.nameKeys) nameKeys.push(r);
    for (const r of f.phoneGrams) grams.push(r);
    for (const r of searchTermRows(c)) terms.push(r);
  }
  const steps: (() => CompiledQuery[])[] = [
    () => insertMatchKeys(matchKeys),
    () => markDuplicateDirty(dirty),
    () => bulkInsertQueries("customerNameKeys", nameKeys, { orderBy: (r) => `${r.tenantId}\0${r.nameKey}\0${r.customerId}` }),
    () => bulkInsertQueries("customerPhoneGrams", grams, { orderBy: (r) => `${r.tenantId}\0${r.gram}\0${r.customerId}` }),
    () => bulkInsertQueries("customerSearchTerms", terms, { orderBy: (r) => `${r.tenantId}\0${r.term}\0${r.customerId}` }),
  ];
  const out: CompiledQuery[] = [];
  for (const step of steps) {
    if (pause) await pause();
    out.push(...step());
  }
  return out;
}

/** Customer numbers and email prefixes are served by the customers table's own indexes. */
function directCondition(q: string): Expression<SqlBool> | undefined {
  const escaped = q.replace(/[\\%_]/g, (m) => `\\${m}`);
  if (/^(cus-?)?\d+$/i.test(q)) {
    const digits = q.replace(/\D/g, "");
    return sql<SqlBool>`(customer_number LIKE ${`CUS-%${digits}`} OR customer_number = ${q.toUpperCase()})`;
  }
  if (q.includes("@")) return sql<SqlBool>`primary_email LIKE ${`${escaped}%`}`;
  if (queryTerms(q).length === 0) return sql<SqlBool>`company_name LIKE ${`${escaped}%`}`;
  return undefined;
}

const page = (s: CustomerSearch) => ({ limit: s.pageSize, offset: (s.page - 1) * s.pageSize });

/**
 * Word queries run on customer_search_terms: each word is a prefix range of its primary key, the
 * filters and the sort are on that row too, so only the page's customers are read from
 * `customers` (customersByIdsQuery). Every word must match (AND).
 */
function termSearchQueries(db: DbOrTrx, tenantId: string, s: CustomerSearch, terms: string[]) {
  let base = db
    .selectFrom("customerSearchTerms as t")
    .where("t.tenantId", "=", tenantId)
    .where("t.term", "like", `${terms[0]}%`)
    .where("t.isDeleted", "=", 0);
  if (s.types?.length) base = base.where("t.type", "in", s.types);
  if (s.segments?.length) base = base.where("t.segment", "in", s.segments);
  if (s.statuses?.length) base = base.where("t.status", "in", s.statuses);
  for (const tag of s.tags ?? []) {
    base = base.where((eb) =>
      eb.exists(eb.selectFrom("customerTags as g").select(sql`1`.as("one")).whereRef("g.tenantId", "=", "t.tenantId").whereRef("g.customerId", "=", "t.customerId").where("g.tag", "=", tag)),
    );
  }
  for (const term of terms.slice(1)) {
    base = base.where("t.customerId", "in", (eb) =>
      eb.selectFrom("customerSearchTerms as u").select("u.customerId").where("u.tenantId", "=", tenantId).where("u.term", "like", `${term}%`),
    );
  }
  let ids = base
    .select(["t.customerId", "t.companyName", "t.customerNumber", "t.createdAt", "t.lastModifiedAt", "t.status", "t.type", "t.segment"])
    .distinct();
  for (const { field, direction } of s.sort) ids = ids.orderBy(`t.${CUSTOMER_SORT_FIELDS[field]}`, direction);
  const { limit, offset } = page(s);
  return {
    ids: ids.orderBy("t.customerId").limit(limit).offset(offset),
    count: base.select((eb) => eb.fn.count<number>("t.customerId").distinct().as("n")),
  };
}

/** The page's customers of a word search, by the ids its `ids` query returned. */
export function customersByIdsQuery(db: DbOrTrx, tenantId: string, ids: string[]) {
  return db.selectFrom("customers").selectAll().where("tenantId", "=", tenantId).where("id", "in", ids);
}

function customerTableQueries(db: DbOrTrx, tenantId: string, s: CustomerSearch, direct: Expression<SqlBool> | undefined) {
  let base = db.selectFrom("customers").where("tenantId", "=", tenantId).where("isDeleted", "=", 0);
  if (s.types?.length) base = base.where("type", "in", s.types);
  if (s.segments?.length) base = base.where("segment", "in", s.segments);
  if (s.statuses?.length) base = base.where("status", "in", s.statuses);
  for (const tag of s.tags ?? []) {
    base = base.where((eb) =>
      eb.exists(eb.selectFrom("customerTags as g").select(sql`1`.as("one")).whereRef("g.tenantId", "=", "customers.tenantId").whereRef("g.customerId", "=", "customers.id").where("g.tag", "=", tag)),
    );
  }
  if (direct) base = base.where(direct);

  let itemsQuery = base.selectAll();
  for (const { field, direction } of s.sort) itemsQuery = itemsQuery.orderBy(CUSTOMER_SORT_FIELDS[field], direction);
  const { limit, offset } = page(s);
  return {
    items: itemsQuery.orderBy("id", "asc").limit(limit).offset(offset),
    count: base.select((eb) => eb.fn.countAll<number>().as("n")),
  };
}

/**
 * The statements a search runs, built but not executed (searchCustomers runs them; the bench's
 * bare baseline compiles and runs the same SQL with mysql2). Word queries ("terms") page ids on
 * customer_search_terms, then read those customers with customersByIdsQuery; other queries
 * ("customers") page the customers table itself. Each with its count, run beside the page.
 */
export function customerSearchQueries(db: DbOrTrx, tenantId: string, s: CustomerSearch) {
  const q = s.query?.trim() ?? "";
  const direct = q ? directCondition(q) : undefined;
  if (q && !direct) return { by: "terms" as const, ...termSearchQueries(db, tenantId, s, queryTerms(q)) };
  return { by: "customers" as const, ...customerTableQueries(db, tenantId, s, direct) };
}

export async function searchCustomers(db: DbOrTrx, tenantId: string, s: CustomerSearch) {
  const search = customerSearchQueries(db, tenantId, s);
  if (search.by === "customers") {
    const [rows, count] = await Promise.all([search.items.execute(), search.count.executeTakeFirstOrThrow()]);
    return { items: rows.map(toCustomer), totalCount: Number(count.n) };
  }
  const [rows, count] = await Promise.all([search.ids.execute(), search.count.executeTakeFirstOrThrow()]);
  if (rows.length === 0) return { items: [], totalCount: Number(count.n) };
  const customers = await customersByIdsQuery(db, tenantId, rows.map((r) => r.customerId)).execute();
  const byId = new Map(customers.map((c) => [c.id, c]));
  return { items: rows.flatMap((r) => (byId.has(r.customerId) ? [toCustomer(byId.get(r.customerId)!)] : [])), totalCount: Number(count.n) };
}
