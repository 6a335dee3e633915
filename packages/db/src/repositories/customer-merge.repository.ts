import type {
  Actor,
  Changes,
  CurrentRecord,
  Customer,
  DroppedContact,
  FieldChoices,
  MergeOptions,
  MergePlan,
  MergeRecord,
  MovableRecord,
  MovedKind,
  MovedRecord,
} from "@clientele/domain";
import { sql } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import { parseJson } from "../schema";
import { toCustomer } from "./customer.repository";

/** The table of each kind a merge moves (constants: safe to put into SQL text). */
const TABLES: Record<MovedKind, string> = {
  contacts: "contacts",
  communications: "communications",
  followUps: "follow_ups",
  complaints: "complaints",
  testimonials: "testimonials",
  transactions: "customer_transactions",
  attendance: "customer_attendance",
};

/** Each kind's version column; ledger rows are never changed once written, so theirs is constant. */
const VERSIONS: Record<MovedKind, string> = {
  contacts: "version",
  communications: "version",
  followUps: "version",
  complaints: "version",
  testimonials: "version",
  transactions: "0",
  attendance: "0",
};

/** Id lists go to MySQL in slices: one statement per 1,000 ids keeps packets and parse time small. */
const SLICE = 1000;
const slices = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / SLICE) }, (_, i) => items.slice(i * SLICE, (i + 1) * SLICE));

/**
 * Reads the customers with a shared lock, in id order, for a transaction that adds records to them:
 * a merge (which locks both rows FOR UPDATE) then waits for it and moves what it added, or it waits
 * for the merge and sees the source deactivated. Kysely's forShare() emits MySQL 8's `for share`,
 * which MariaDB rejects; `lock in share mode` is the form both accept.
 */
export async function shareLockCustomers(trx: Trx, tenantId: string, ids: readonly string[]): Promise<Customer[]> {
  const unique = [...new Set(ids)].sort();
  if (unique.length === 0) return [];
  const rows = await trx.selectFrom("customers").selectAll().where("tenantId", "=", tenantId).where("id", "in", unique).orderBy("id").modifyEnd(sql`lock in share mode`).execute();
  return rows.map(toCustomer);
}

/**
 * Locks the source's records of the given kinds (their index range too, so none is added while
 * the merge runs) and lists them with their versions.
 */
export async function lockRecordsOf(trx: Trx, tenantId: string, customerId: string, kinds: Exclude<MovedKind, "contacts">[]) {
  const out: Omit<Record<MovedKind, MovableRecord[]>, "contacts"> = { communications: [], followUps: [], complaints: [], testimonials: [], transactions: [], attendance: [] };
  for (const kind of kinds) {
    const { rows } = await sql<MovableRecord>`select id, ${sql.raw(VERSIONS[kind])} as version from ${sql.raw(TABLES[kind])} where tenant_id = ${tenantId} and customer_id = ${customerId} order by id for update`.execute(trx);
    out[kind] = rows.map((r) => ({ id: r.id, version: Number(r.version) }));
  }
  return out;
}

/** Moves every record of a kind from one customer to the other (the caller locked and listed them). */
export async function moveAllRecords(trx: Trx, tenantId: string, kind: MovedKind, fromCustomerId: string, toCustomerId: string): Promise<number> {
  const result = await sql`update ${sql.raw(TABLES[kind])} set customer_id = ${toCustomerId} where tenant_id = ${tenantId} and customer_id = ${fromCustomerId}`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/** Moves the named records to a customer. */
export async function moveRecords(trx: Trx, tenantId: string, kind: MovedKind, ids: string[], toCustomerId: string): Promise<void> {
  for (const part of slices(ids)) {
    await sql`update ${sql.raw(TABLES[kind])} set customer_id = ${toCustomerId} where tenant_id = ${tenantId} and id in (${sql.join(part)})`.execute(trx);
  }
}

/** Moves contacts to a customer: a change of each contact, so each gets a new version. */
export async function moveContacts(trx: Trx, tenantId: string, ids: string[], toCustomerId: string, actor: Actor, now: Date): Promise<void> {
  for (const part of slices(ids)) {
    await trx
      .updateTable("contacts")
      .set((eb) => ({ customerId: toCustomerId, lastModifiedAt: now, lastModifiedBy: actor.userId, version: eb("version", "+", 1) }))
      .where("tenantId", "=", tenantId)
      .where("id", "in", part)
      .execute();
  }
}

/** The primary flag of contacts being moved (moveContacts gave them their new version). */
export async function setContactsPrimary(trx: Trx, tenantId: string, ids: string[], isPrimary: boolean): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable("contacts").set({ isPrimary: isPrimary ? 1 : 0 }).where("tenantId", "=", tenantId).where("id", "in", ids).execute();
}

/** Where the named records are now, locked (an undo decides on them, then moves them). */
export async function lockCurrentRecords(trx: Trx, tenantId: string, kind: MovedKind, ids: string[]): Promise<CurrentRecord[]> {
  const out: CurrentRecord[] = [];
  for (const part of slices(ids)) {
    const { rows } = await sql<CurrentRecord>`select id, customer_id as customerId, ${sql.raw(VERSIONS[kind])} as version from ${sql.raw(TABLES[kind])} where tenant_id = ${tenantId} and id in (${sql.join(part)}) order by id for update`.execute(trx);
    out.push(...rows.map((r) => ({ id: r.id, customerId: r.customerId, version: Number(r.version) })));
  }
  return out;
}

export type StoredMerge = MergeRecord & {
  tenantId: string;
  options: MergeOptions;
  fieldChoices: FieldChoices;
  droppedContacts: DroppedContact[];
  mergedBy: string;
  undoneBy: string | null;
};

export async function insertMerge(
  trx: Trx,
  m: { id: string; tenantId: string; sourceCustomerId: string; targetCustomerId: string; options: MergeOptions; fieldChoices: FieldChoices; plan: MergePlan; mergedAt: Date; mergedBy: string },
): Promise<void> {
  await trx
    .insertInto("customerMerges")
    .values({
      id: m.id,
      tenantId: m.tenantId,
      sourceCustomerId: m.sourceCustomerId,
      targetCustomerId: m.targetCustomerId,
      options: JSON.stringify(m.options),
      fieldChoices: JSON.stringify(m.fieldChoices),
      moved: JSON.stringify(m.plan.moved),
      droppedContacts: JSON.stringify(m.plan.droppedContacts),
      tagsAdded: JSON.stringify(m.plan.tagsAdded),
      targetFields: JSON.stringify(m.plan.targetFields),
      sourceBefore: JSON.stringify(m.plan.sourceBefore),
      sourceVersion: m.plan.source.version,
      mergedAt: m.mergedAt,
      mergedBy: m.mergedBy,
    })
    .execute();
}

type SourceBefore = MergePlan["sourceBefore"];

/** One merge of this tenant; `forUpdate` locks its row (an undo). */
export async function findMerge(db: DbOrTrx, tenantId: string, id: string, o: { forUpdate?: boolean } = {}): Promise<StoredMerge | undefined> {
  let q = db.selectFrom("customerMerges").selectAll().where("tenantId", "=", tenantId).where("id", "=", id);
  if (o.forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) return undefined;
  const before = parseJson<SourceBefore & { deletedAt: string | null }>(r.sourceBefore as string);
  return {
    id: r.id,
    tenantId: r.tenantId,
    sourceCustomerId: r.sourceCustomerId,
    targetCustomerId: r.targetCustomerId,
    options: parseJson<MergeOptions>(r.options as string),
    fieldChoices: parseJson<FieldChoices>(r.fieldChoices as string),
    // Merges recorded before the ledger moved with them list no transactions or attendance.
    moved: { transactions: [], attendance: [], ...parseJson<Partial<Record<MovedKind, MovedRecord[]>>>(r.moved) } as Record<MovedKind, MovedRecord[]>,
    droppedContacts: parseJson<DroppedContact[]>(r.droppedContacts as string),
    tagsAdded: parseJson<string[]>(r.tagsAdded as string),
    targetFields: parseJson<Changes>(r.targetFields as string),
    sourceBefore: { ...before, deletedAt: before.deletedAt ? new Date(before.deletedAt) : null },
    sourceVersion: r.sourceVersion,
    mergedAt: r.mergedAt,
    mergedBy: r.mergedBy,
    undoneAt: r.undoneAt,
    undoneBy: r.undoneBy,
  };
}

export async function markMergeUndone(trx: Trx, tenantId: string, id: string, at: Date, by: string): Promise<void> {
  await trx.updateTable("customerMerges").set({ undoneAt: at, undoneBy: by }).where("tenantId", "=", tenantId).where("id", "=", id).execute();
}

/** The customer a (deactivated) customer was merged into, by its latest merge not undone. */
export async function findMergedInto(db: DbOrTrx, tenantId: string, sourceCustomerId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("customerMerges")
    .select("targetCustomerId")
    .where("tenantId", "=", tenantId)
    .where("sourceCustomerId", "=", sourceCustomerId)
    .where("undoneAt", "is", null)
    .orderBy("mergedAt", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.targetCustomerId;
}
