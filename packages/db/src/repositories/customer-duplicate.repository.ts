import {
  assessDuplicate,
  CANDIDATE_KEY_KINDS,
  matchKeys,
  MAX_KEY_GROUP,
  orderedPair,
  type Customer,
  type DuplicateReason,
  type MatchKey,
  type MatchKeyKind,
} from "@clientele/domain";
import { sql, type Insertable } from "kysely";
import type { Db, DbOrTrx } from "../connection";
import type { Database } from "../schema";
import { inTransaction } from "../transaction";
import { bulkInsertQueries } from "../bulk-insert";

const keyId = (kind: string, hash: string) => `${kind}:${hash}`;
const toKey = (r: { keyKind: string; keyHash: Buffer }): MatchKey => ({ kind: r.keyKind as MatchKeyKind, hash: r.keyHash.toString("hex") });

/**
 * The customer's match keys after an update, in the write's transaction (called from
 * replaceSearchTerms, which every customer write runs; a new customer's are newMatchKeyRows).
 * Only changed keys are touched, by exact primary key (a range delete would gap-lock
 * neighbours); when any changed, the customer is marked for the worker, so its pairs are
 * recomputed even if the job queued after commit is lost.
 */
export async function replaceMatchKeys(db: DbOrTrx, c: Customer): Promise<void> {
  const keys = matchKeys(c);
  const old = (await db.selectFrom("customerMatchKeys").select(["keyKind", "keyHash"]).where("tenantId", "=", c.tenantId).where("customerId", "=", c.id).execute()).map(toKey);
  const oldIds = new Set(old.map((k) => keyId(k.kind, k.hash)));
  const newIds = new Set(keys.map((k) => keyId(k.kind, k.hash)));
  const gone = old.filter((k) => !newIds.has(keyId(k.kind, k.hash)));
  const added = keys.filter((k) => !oldIds.has(keyId(k.kind, k.hash)));
  if (gone.length) {
    await db
      .deleteFrom("customerMatchKeys")
      .where("tenantId", "=", c.tenantId)
      .where((eb) => eb.or(gone.map((k) => eb.and([eb("keyKind", "=", k.kind), eb("keyHash", "=", Buffer.from(k.hash, "hex"))]))))
      .where("customerId", "=", c.id)
      .execute();
  }
  if (gone.length === 0 && added.length === 0) return;
  for (const q of [...insertMatchKeys(added.map((k) => matchKeyRow(c, k))), ...markDuplicateDirty([dirtyRow(c)])]) await db.executeQuery(q);
}

type MatchKeyRow = Insertable<Database["customerMatchKeys"]>;
type DirtyRow = Insertable<Database["customerDuplicateDirty"]>;
const matchKeyRow = (c: Customer, k: MatchKey): MatchKeyRow => ({ tenantId: c.tenantId, keyKind: k.kind, keyHash: Buffer.from(k.hash, "hex"), customerId: c.id });
const dirtyRow = (c: Customer): DirtyRow => ({ tenantId: c.tenantId, customerId: c.id, version: c.version, markedAt: c.lastModifiedAt ?? c.createdAt });

/** A new customer's match keys, and its mark for the duplicate worker when it has any (written by newCustomerIndexInserts). */
export function newMatchKeyRows(c: Customer): { matchKeys: MatchKeyRow[]; duplicateDirty: DirtyRow[] } {
  const keys = matchKeys(c);
  return { matchKeys: keys.map((k) => matchKeyRow(c, k)), duplicateDirty: keys.length ? [dirtyRow(c)] : [] };
}

/** Match keys of any number of customers (ignore: a key already held is the same row), in primary-key order. */
export const insertMatchKeys = (rows: MatchKeyRow[]) =>
  bulkInsertQueries("customerMatchKeys", rows, { ignore: true, orderBy: (r) => `${r.tenantId}\0${r.keyKind}\0${(r.keyHash as Buffer).toString("latin1")}\0${r.customerId}` });

/** Marks customers for the duplicate worker; a mark already there keeps the higher version. In primary-key order. */
export const markDuplicateDirty = (rows: DirtyRow[]) =>
  bulkInsertQueries("customerDuplicateDirty", rows, {
    onDuplicateKeyUpdate: "`version` = GREATEST(version, VALUES(version)), `marked_at` = VALUES(marked_at)",
    orderBy: (r) => `${r.tenantId}\0${r.customerId}`,
  });

export async function findMatchKeys(db: DbOrTrx, tenantId: string, customerIds: string[]): Promise<Map<string, MatchKey[]>> {
  const byCustomer = new Map<string, MatchKey[]>();
  if (customerIds.length === 0) return byCustomer;
  const rows = await db
    .selectFrom("customerMatchKeys")
    .select(["customerId", "keyKind", "keyHash"])
    .where("customerId", "in", customerIds)
    .where("tenantId", "=", tenantId)
    .execute();
  for (const r of rows) {
    const list = byCustomer.get(r.customerId) ?? [];
    list.push(toKey(r));
    byCustomer.set(r.customerId, list);
  }
  return byCustomer;
}

/**
 * Rewrites a customer's stored match keys to these (only the difference), without marking it:
 * the duplicate job derives them again from the locked customer row before it recomputes pairs,
 * so keys stored by an older derivation (rows from before a change of the key rules) catch up.
 */
export async function syncMatchKeys(trx: DbOrTrx, tenantId: string, customerId: string, keys: readonly MatchKey[]): Promise<void> {
  const old = (await findMatchKeys(trx, tenantId, [customerId])).get(customerId) ?? [];
  const oldIds = new Set(old.map((k) => keyId(k.kind, k.hash)));
  const newIds = new Set(keys.map((k) => keyId(k.kind, k.hash)));
  const gone = old.filter((k) => !newIds.has(keyId(k.kind, k.hash)));
  const added = keys.filter((k) => !oldIds.has(keyId(k.kind, k.hash)));
  if (gone.length) {
    await trx
      .deleteFrom("customerMatchKeys")
      .where("tenantId", "=", tenantId)
      .where((eb) => eb.or(gone.map((k) => eb.and([eb("keyKind", "=", k.kind), eb("keyHash", "=", Buffer.from(k.hash, "hex"))]))))
      .where("customerId", "=", customerId)
      .execute();
  }
  if (added.length) {
    await trx
      .insertInto("customerMatchKeys")
      .ignore()
      .values(added.map((k) => ({ tenantId, keyKind: k.kind, keyHash: Buffer.from(k.hash, "hex"), customerId })))
      .execute();
  }
}

export type DuplicateCandidate = { customerId: string; customerNumber: string; companyName: string; score: number; reasons: DuplicateReason[] };

/**
 * The customers that may be duplicates of one with these keys: everyone sharing a
 * candidate-finding key (each key one primary-key range, all in one statement; a key shared by
 * more than MAX_KEY_GROUP customers tells nobody apart and is skipped), assessed on all their
 * keys, without dismissed pairs and deactivated customers. Highest score first.
 */
export async function findDuplicateCandidates(db: DbOrTrx, tenantId: string, customerId: string, keys: readonly MatchKey[]): Promise<DuplicateCandidate[]> {
  const finding = keys.filter((k) => CANDIDATE_KEY_KINDS.includes(k.kind));
  if (finding.length === 0) return [];
  const groups = finding.map(
    (k, i) =>
      sql`(SELECT customer_id, ${i} AS g FROM customer_match_keys WHERE tenant_id = ${tenantId} AND key_kind = ${k.kind} AND key_hash = ${Buffer.from(k.hash, "hex")} LIMIT ${MAX_KEY_GROUP + 1})`,
  );
  // The Kysely instance's CamelCasePlugin names raw results too: customer_id comes back as customerId.
  const { rows } = await sql<{ customerId: string; g: number }>`${sql.join(groups, sql` UNION ALL `)}`.execute(db);
  const sizes = new Map<number, number>();
  for (const r of rows) sizes.set(Number(r.g), (sizes.get(Number(r.g)) ?? 0) + 1);
  const ids = [...new Set(rows.filter((r) => (sizes.get(Number(r.g)) ?? 0) <= MAX_KEY_GROUP && r.customerId !== customerId).map((r) => r.customerId))];
  if (ids.length === 0) return [];
  const [theirKeys, dismissed, customers] = await Promise.all([
    findMatchKeys(db, tenantId, ids),
    dismissedPartners(db, tenantId, customerId),
    db
      .selectFrom("customers")
      .select(["id", "customerNumber", "companyName"])
      .where("tenantId", "=", tenantId)
      .where("id", "in", ids)
      .where("isDeleted", "=", 0)
      .execute(),
  ]);
  return customers
    .filter((c) => !dismissed.has(c.id))
    .flatMap((c) => {
      const assessed = assessDuplicate(keys, theirKeys.get(c.id) ?? []);
      return assessed ? [{ customerId: c.id, customerNumber: c.customerNumber, companyName: c.companyName, ...assessed }] : [];
    })
    .sort((a, b) => b.score - a.score || a.customerNumber.localeCompare(b.customerNumber));
}

/** `locking`: a current read that holds off a dismissal of this customer's pairs until the caller commits. */
async function dismissedPartners(db: DbOrTrx, tenantId: string, customerId: string, locking = false): Promise<Set<string>> {
  const side = (mine: "customerA" | "customerB", other: "customerA" | "customerB") => {
    const q = db.selectFrom("customerDuplicateDismissals").select(`${other} as other`).where("tenantId", "=", tenantId).where(mine, "=", customerId);
    return (locking ? q.modifyEnd(sql`LOCK IN SHARE MODE`) : q).execute();
  };
  const [asA, asB] = await Promise.all([side("customerA", "customerB"), side("customerB", "customerA")]);
  return new Set([...asA, ...asB].map((r) => r.other));
}

type PairRow = { customerA: string; customerB: string; score: number; reasons: DuplicateReason[] };

async function upsertPairs(db: DbOrTrx, tenantId: string, pairs: PairRow[], at: Date): Promise<void> {
  if (pairs.length === 0) return;
  await db
    .insertInto("customerDuplicatePairs")
    .values(pairs.map((p) => ({ tenantId, customerA: p.customerA, customerB: p.customerB, score: p.score, reasons: JSON.stringify(p.reasons), detectedAt: at, checkedAt: at })))
    // A pair checked later than this write (a refresh during a scan) keeps its newer figures;
    // MySQL applies these in order, so checked_at is compared before it is updated.
    .onDuplicateKeyUpdate({
      score: sql<number>`IF(VALUES(checked_at) >= checked_at, VALUES(score), score)`,
      reasons: sql<string>`IF(VALUES(checked_at) >= checked_at, VALUES(reasons), reasons)`,
      checkedAt: sql<Date>`GREATEST(checked_at, VALUES(checked_at))`,
    })
    .execute();
}

/**
 * Recomputes the review-queue pairs of one customer from the key table: pairs it no longer forms
 * go, current ones are written with their score and reasons (detected_at kept from the first time).
 * One transaction: what it reads is one snapshot, so a pair another job wrote after that snapshot
 * (from keys this one does not see) is never deleted here; dismissals are read again with a lock,
 * so a pair dismissed meanwhile is not written back.
 */
export async function refreshDuplicatePairs(db: Db, tenantId: string, customerId: string, now: Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    const keys = (await findMatchKeys(trx, tenantId, [customerId])).get(customerId) ?? [];
    const [found, asA, asB] = await Promise.all([
      findDuplicateCandidates(trx, tenantId, customerId, keys),
      trx.selectFrom("customerDuplicatePairs").select(["customerA", "customerB"]).where("tenantId", "=", tenantId).where("customerA", "=", customerId).execute(),
      trx.selectFrom("customerDuplicatePairs").select(["customerA", "customerB"]).where("tenantId", "=", tenantId).where("customerB", "=", customerId).execute(),
    ]);
    const dismissed = found.length ? await dismissedPartners(trx, tenantId, customerId, true) : new Set<string>();
    const pairs = found
      .filter((f) => !dismissed.has(f.customerId))
      .map((f) => {
        const [customerA, customerB] = orderedPair(customerId, f.customerId);
        return { customerA, customerB, score: f.score, reasons: f.reasons };
      });
    const current = new Set(pairs.map((p) => `${p.customerA},${p.customerB}`));
    const gone = [...asA, ...asB].filter((p) => !current.has(`${p.customerA},${p.customerB}`));
    if (gone.length) {
      await trx
        .deleteFrom("customerDuplicatePairs")
        .where("tenantId", "=", tenantId)
        .where((eb) => eb.or(gone.map((p) => eb.and([eb("customerA", "=", p.customerA), eb("customerB", "=", p.customerB)]))))
        .execute();
    }
    await upsertPairs(trx, tenantId, pairs, now);
    return pairs.length;
  });
}

export async function findDirtyMark(db: DbOrTrx, tenantId: string, customerId: string) {
  return db.selectFrom("customerDuplicateDirty").selectAll().where("tenantId", "=", tenantId).where("customerId", "=", customerId).executeTakeFirst();
}

/** Done up to `version`: a newer write's mark stays for its own job. */
export async function clearDirtyMark(db: DbOrTrx, tenantId: string, customerId: string, version: number): Promise<void> {
  await db.deleteFrom("customerDuplicateDirty").where("tenantId", "=", tenantId).where("customerId", "=", customerId).where("version", "<=", version).execute();
}

/** Marks older than `olderThan`: their job was lost (Redis down) or never queued (imports, bulk jobs, merges); the sweep queues them, oldest first. */
export async function findStaleDirtyMarks(db: DbOrTrx, olderThan: Date, limit = 2000) {
  return db.selectFrom("customerDuplicateDirty").select(["tenantId", "customerId", "version"]).where("markedAt", "<", olderThan).orderBy("markedAt").limit(limit).execute();
}

/** Remembers "not a duplicate" and takes the pair off the queue; false when it was dismissed before. */
export async function dismissDuplicatePair(db: DbOrTrx, tenantId: string, x: string, y: string, by: string, at: Date): Promise<boolean> {
  const [customerA, customerB] = orderedPair(x, y);
  const result = await db.insertInto("customerDuplicateDismissals").ignore().values({ tenantId, customerA, customerB, dismissedBy: by, dismissedAt: at }).executeTakeFirst();
  await db.deleteFrom("customerDuplicatePairs").where("tenantId", "=", tenantId).where("customerA", "=", customerA).where("customerB", "=", customerB).execute();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export type DuplicatePairView = {
  score: number;
  reasons: DuplicateReason[];
  detectedAt: Date;
  a: { id: string; customerNumber: string; companyName: string };
  b: { id: string; customerNumber: string; companyName: string };
};

/**
 * The tenant's review queue, highest score first; pairs with a deactivated (or merged) or archived
 * side are not shown (the worker removes them after the write that took their keys).
 */
export async function listDuplicatePairs(db: DbOrTrx, tenantId: string, o: { page: number; pageSize: number; minScore?: number | undefined }) {
  let base = db
    .selectFrom("customerDuplicatePairs as p")
    .innerJoin("customers as a", (j) => j.onRef("a.id", "=", "p.customerA").onRef("a.tenantId", "=", "p.tenantId"))
    .innerJoin("customers as b", (j) => j.onRef("b.id", "=", "p.customerB").onRef("b.tenantId", "=", "p.tenantId"))
    .where("p.tenantId", "=", tenantId)
    .where("a.isDeleted", "=", 0)
    .where("b.isDeleted", "=", 0)
    .where("a.status", "!=", "Archived")
    .where("b.status", "!=", "Archived");
  if (o.minScore !== undefined) base = base.where("p.score", ">=", o.minScore);
  const [rows, count] = await Promise.all([
    base
      .select(["p.score", "p.reasons", "p.detectedAt", "a.id as aId", "a.customerNumber as aNumber", "a.companyName as aName", "b.id as bId", "b.customerNumber as bNumber", "b.companyName as bName"])
      .orderBy("p.score", "desc")
      .orderBy("p.customerA")
      .orderBy("p.customerB")
      .limit(o.pageSize)
      .offset((o.page - 1) * o.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  const items: DuplicatePairView[] = rows.map((r) => ({
    score: r.score,
    reasons: JSON.parse(r.reasons) as DuplicateReason[],
    detectedAt: r.detectedAt,
    a: { id: r.aId, customerNumber: r.aNumber, companyName: r.aName },
    b: { id: r.bId, customerNumber: r.bNumber, companyName: r.bName },
  }));
  return { items, totalCount: Number(count.n) };
}

// ---- full scans ----

export type DuplicateScanStatus = "Queued" | "Running" | "Completed" | "Failed";
export type DuplicateScan = {
  id: string;
  tenantId: string;
  status: DuplicateScanStatus;
  totalKeys: number;
  processedKeys: number;
  pairsFound: number;
  failureReason: string | null;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
};

export async function insertDuplicateScan(db: DbOrTrx, scan: { id: string; tenantId: string; createdBy: string; createdAt: Date }): Promise<void> {
  await db.insertInto("customerDuplicateScans").values({ ...scan, status: "Queued" }).execute();
}

export async function findDuplicateScan(db: DbOrTrx, tenantId: string, id: string): Promise<DuplicateScan | undefined> {
  const row = await db.selectFrom("customerDuplicateScans").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
  return row && { ...row, status: row.status as DuplicateScanStatus };
}

export async function updateDuplicateScan(db: DbOrTrx, id: string, patch: Partial<Pick<DuplicateScan, "status" | "totalKeys" | "processedKeys" | "pairsFound" | "failureReason" | "startedAt" | "completedAt">>): Promise<void> {
  await db.updateTable("customerDuplicateScans").set(patch).where("id", "=", id).execute();
}

/** Scans queued or running since before `olderThan` (their job was lost or its worker died). */
export async function findStrandedDuplicateScans(db: DbOrTrx, olderThan: Date) {
  return db.selectFrom("customerDuplicateScans").select(["id", "tenantId"]).where("status", "in", ["Queued", "Running"]).where("createdAt", "<", olderThan).limit(100).execute();
}

/**
 * Writes a batch of scanned pairs and, in the same transaction, removes those of them that are
 * dismissed: a dismissal committed before the delete is seen by it (a locking read), one still
 * open waits on the written rows and then removes its pair itself, so a pair dismissed while the
 * scan ran never comes back. Answers how many pairs stayed.
 */
async function writeScannedPairs(db: Db, tenantId: string, pairs: PairRow[], at: Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    await upsertPairs(trx, tenantId, pairs, at);
    const result = await sql`
      DELETE p FROM customer_duplicate_pairs p
      JOIN customer_duplicate_dismissals d ON d.tenant_id = p.tenant_id AND d.customer_a = p.customer_a AND d.customer_b = p.customer_b
      WHERE p.tenant_id = ${tenantId} AND (p.customer_a, p.customer_b) IN (${sql.join(pairs.map((x) => sql`(${x.customerA}, ${x.customerB})`))})`.execute(trx);
    return pairs.length - Number(result.numAffectedRows ?? 0);
  });
}

// The key space of one kind is read in this many hash ranges: one statement each, and a progress step.
const SCAN_SLICES = 16;
const ID_BATCH = 1000;

/**
 * Every candidate pair of a tenant, recomputed from the key table: per candidate-finding kind,
 * the groups of 2..MAX_KEY_GROUP customers sharing a key come back from one GROUP BY over the
 * primary key (in its order: no sort, no temporary table), a hash range at a time; the pairs are
 * then assessed on all keys of both customers exactly as a single lookup does, written, and the
 * pairs no longer found (checked before this scan started) removed.
 */
export async function scanDuplicatePairs(db: Db, tenantId: string, startedAt: Date, onProgress: (p: { totalKeys: number; processedKeys: number }) => Promise<void>) {
  const counts = await db
    .selectFrom("customerMatchKeys")
    .select(["keyKind", (eb) => eb.fn.countAll<number>().as("n")])
    .where("tenantId", "=", tenantId)
    .where("keyKind", "in", [...CANDIDATE_KEY_KINDS])
    .groupBy("keyKind")
    .execute();
  const totalKeys = counts.reduce((s, c) => s + Number(c.n), 0);
  let processedKeys = 0;
  await onProgress({ totalKeys, processedKeys });

  const pairs = new Set<string>();
  for (const { keyKind, n } of counts) {
    for (let slice = 0; slice < SCAN_SLICES; slice++) {
      const from = Buffer.from([(slice * 256) / SCAN_SLICES]);
      const to = slice + 1 < SCAN_SLICES ? sql`AND key_hash < ${Buffer.from([((slice + 1) * 256) / SCAN_SLICES])}` : sql``;
      const { rows } = await sql<{ ids: string }>`
        SELECT GROUP_CONCAT(customer_id ORDER BY customer_id SEPARATOR ',') AS ids
        FROM customer_match_keys
        WHERE tenant_id = ${tenantId} AND key_kind = ${keyKind} AND key_hash >= ${from} ${to}
        GROUP BY key_hash
        HAVING COUNT(*) BETWEEN 2 AND ${MAX_KEY_GROUP}`.execute(db);
      for (const r of rows) {
        const ids = String(r.ids).split(",");
        for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.add(`${ids[i]},${ids[j]}`);
      }
      processedKeys += slice + 1 < SCAN_SLICES ? Math.floor(Number(n) / SCAN_SLICES) : Number(n) - Math.floor(Number(n) / SCAN_SLICES) * (SCAN_SLICES - 1);
      await onProgress({ totalKeys, processedKeys });
    }
  }

  const involved = [...new Set([...pairs].flatMap((p) => p.split(",")))];
  const keys = new Map<string, MatchKey[]>();
  for (let i = 0; i < involved.length; i += ID_BATCH) {
    for (const [id, k] of await findMatchKeys(db, tenantId, involved.slice(i, i + ID_BATCH))) keys.set(id, k);
  }
  const found: PairRow[] = [];
  for (const p of pairs) {
    const [customerA, customerB] = p.split(",") as [string, string];
    const assessed = assessDuplicate(keys.get(customerA) ?? [], keys.get(customerB) ?? []);
    if (assessed) found.push({ customerA, customerB, ...assessed });
  }
  let pairsFound = 0;
  for (let i = 0; i < found.length; i += ID_BATCH) pairsFound += await writeScannedPairs(db, tenantId, found.slice(i, i + ID_BATCH), startedAt);
  await db.deleteFrom("customerDuplicatePairs").where("tenantId", "=", tenantId).where("checkedAt", "<", startedAt).execute();
  return { totalKeys, pairsFound };
}
