import { sql, type Selectable } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import { demoSeedLockName } from "../named-lock";
import { parseJson, type CommunicationsTable } from "../schema";

export type CommunicationRow = Selectable<CommunicationsTable>;
export type Attachment = { fileId: string; fileName: string; contentType: string; size: number; storageKey: string };

export type Communication = Omit<CommunicationRow, "attachments" | "attendees" | "reminderMinutes" | "isVirtual"> & {
  attachments: Attachment[];
  attendees: string[];
  reminderMinutes: number[];
  isVirtual: boolean | null;
};

export function toCommunication(r: CommunicationRow): Communication {
  return {
    ...r,
    attachments: r.attachments == null ? [] : parseJson<Attachment[]>(r.attachments as string),
    attendees: r.attendees == null ? [] : parseJson<string[]>(r.attendees as string),
    reminderMinutes: r.reminderMinutes == null ? [] : parseJson<number[]>(r.reminderMinutes as string),
    isVirtual: r.isVirtual === null ? null : Boolean(r.isVirtual),
  };
}

export type NewCommunication = {
  id: string;
  tenantId: string;
  customerId: string;
  type: string;
  purpose: string;
  direction: "Outbound" | "Inbound";
  status: string;
  occurredAt: Date;
  createdAt: Date;
  createdBy: string;
  subject?: string | null;
  bodyText?: string | null;
  bodyHtml?: string | null;
  recipientEmail?: string | null;
  recipientPhone?: string | null;
  templateId?: string | null;
  attachments?: Attachment[];
  segments?: number | null;
  encoding?: string | null;
  durationSeconds?: number | null;
  scheduledStart?: Date | null;
  scheduledEnd?: Date | null;
  location?: string | null;
  meetingLink?: string | null;
  isVirtual?: boolean | null;
  attendees?: string[];
  reminderMinutes?: number[];
  notes?: string | null;
  resentFromId?: string | null;
};

const communicationRow = (c: NewCommunication) => ({
  ...c,
  attachments: c.attachments ? JSON.stringify(c.attachments) : null,
  attendees: c.attendees ? JSON.stringify(c.attendees) : null,
  reminderMinutes: c.reminderMinutes ? JSON.stringify(c.reminderMinutes) : null,
  isVirtual: c.isVirtual == null ? null : c.isVirtual ? 1 : 0,
  statusChangedAt: c.createdAt,
});

export async function insertCommunication(db: DbOrTrx, c: NewCommunication): Promise<void> {
  await insertCommunications(db, [c]);
}

/** Many at once (a campaign): one multi-row INSERT. */
export async function insertCommunications(db: DbOrTrx, cs: NewCommunication[]): Promise<void> {
  if (cs.length) await db.insertInto("communications").values(cs.map(communicationRow)).execute();
}

export async function findCommunication(db: DbOrTrx, tenantId: string, id: string): Promise<Communication | undefined> {
  const row = await db.selectFrom("communications").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
  return row && toCommunication(row);
}

/** Locks the communication row for the rest of the transaction: concurrent changes take turns. */
export async function lockCommunication(trx: Trx, tenantId: string, id: string): Promise<Communication | undefined> {
  const row = await trx.selectFrom("communications").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).forUpdate().executeTakeFirst();
  return row && toCommunication(row);
}

/** For provider callbacks, which know only the provider's id (unique across tenants). */
export async function findCommunicationByProviderId(db: DbOrTrx, providerMessageId: string): Promise<Communication | undefined> {
  const row = await db.selectFrom("communications").selectAll().where("providerMessageId", "=", providerMessageId).executeTakeFirst();
  return row && toCommunication(row);
}

/**
 * Claims a queued message for sending (Queued → Sending) with a compare-and-set: of two workers
 * holding the same job (a stalled lock), exactly one gets to call the provider.
 */
export async function claimForSending(db: DbOrTrx, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("communications")
    .set((eb) => ({ status: "Sending", sendingStartedAt: now, statusChangedAt: now, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where("status", "=", "Queued")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Claims many messages for sending at once (a worker's batch of jobs), each under its own tenant:
 * the rows are locked while read, so the Queued ones are exactly those the UPDATE moves to
 * Sending; of two workers holding the same job, one claims it and the other then reads Sending.
 * Returns each requested row as it was read (before the claim) and which of them were claimed.
 */
export async function claimManyForSending(
  trx: Trx,
  items: { id: string; tenantId: string }[],
  now: Date,
): Promise<{ rows: Map<string, Communication>; claimed: Set<string> }> {
  if (items.length === 0) return { rows: new Map(), claimed: new Set() };
  const found = await trx
    .selectFrom("communications")
    .selectAll()
    .where((eb) => eb.or(items.map((i) => eb.and([eb("id", "=", i.id), eb("tenantId", "=", i.tenantId)]))))
    .forUpdate()
    .execute();
  const rows = new Map(found.map((r) => [r.id, toCommunication(r)]));
  const claimed = new Set(found.filter((r) => r.status === "Queued").map((r) => r.id));
  if (claimed.size) {
    await trx
      .updateTable("communications")
      .set((eb) => ({ status: "Sending", sendingStartedAt: now, statusChangedAt: now, version: eb("version", "+", 1) }))
      .where("id", "in", [...claimed])
      .where("status", "=", "Queued")
      .execute();
  }
  return { rows, claimed };
}

/** Sending → Sent for many messages in one statement, each with its provider's id. */
export async function markManySent(db: DbOrTrx, sent: { id: string; providerMessageId: string }[], at: Date): Promise<void> {
  if (sent.length === 0) return;
  const providerIds = sql<string>`CASE ${sql.ref("id")} ${sql.join(sent.map((s) => sql`WHEN ${s.id} THEN ${s.providerMessageId}`), sql` `)} END`;
  await db
    .updateTable("communications")
    .set((eb) => ({ status: "Sent", statusChangedAt: at, sentAt: at, providerMessageId: providerIds, version: eb("version", "+", 1) }))
    .where("id", "in", sent.map((s) => s.id))
    .where("status", "=", "Sending")
    .execute();
}

/** Moves a message from one status to another only if it is still in the first (no lost updates). */
export async function transitionCommunication(
  db: DbOrTrx,
  id: string,
  from: string,
  to: string,
  at: Date,
  extra: { providerMessageId?: string; failureReason?: string | null; sentAt?: Date; deliveredAt?: Date } = {},
): Promise<boolean> {
  const r = await db
    .updateTable("communications")
    .set((eb) => ({ status: to, statusChangedAt: at, version: eb("version", "+", 1), ...extra }))
    .where("id", "=", id)
    .where("status", "=", from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateMeeting(
  db: DbOrTrx,
  id: string,
  readVersion: number,
  patch: { scheduledStart: Date; scheduledEnd: Date; location: string | null; meetingLink: string | null; status: string; sequence: number; occurredAt: Date },
): Promise<boolean> {
  const r = await db
    .updateTable("communications")
    .set((eb) => ({ ...patch, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where("version", "=", readVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type HistoryQuery = { types?: string[]; from?: Date; to?: Date; page: number; pageSize: number };

/** Newest first (REQ-CUS-025), served by (tenant, customer, occurred_at). */
export async function listCommunications(db: DbOrTrx, tenantId: string, customerId: string, q: HistoryQuery) {
  let base = db.selectFrom("communications").where("tenantId", "=", tenantId).where("customerId", "=", customerId);
  if (q.types?.length) base = base.where("type", "in", q.types);
  if (q.from) base = base.where("occurredAt", ">=", q.from);
  if (q.to) base = base.where("occurredAt", "<=", q.to);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy("occurredAt", "desc").orderBy("id", "desc").limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toCommunication), totalCount: Number(count.n) };
}

/** The resend of a message, if it was resent. */
export async function findResendOf(db: DbOrTrx, tenantId: string, id: string): Promise<Communication | undefined> {
  const row = await db.selectFrom("communications").selectAll().where("tenantId", "=", tenantId).where("resentFromId", "=", id).executeTakeFirst();
  return row && toCommunication(row);
}

/**
 * Messages left Queued (Redis was down when they were recorded), for the worker's sweeper. Not
 * those of a tenant whose demo seed is running: its history is dated in the past, so it would look
 * stranded, yet the seed sends it itself a moment after recording it (see seedDemo).
 */
export async function findQueuedMessages(db: DbOrTrx, olderThan: Date, limit = 200) {
  return db
    .selectFrom("communications")
    .select(["id", "tenantId", "type"])
    .where("status", "=", "Queued")
    .where("createdAt", "<", olderThan)
    .where(sql<boolean>`IS_FREE_LOCK(${demoSeedLockName(sql.ref<string>("tenantId"))}) = 1`)
    .orderBy("createdAt")
    .limit(limit)
    .execute();
}

/** Which of these addresses are suppressed (lower-cased), in one query. */
export async function suppressedEmails(db: DbOrTrx, tenantId: string, emails: string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await db.selectFrom("emailSuppressions").select("email").where("tenantId", "=", tenantId).where("email", "in", emails).execute();
  return new Set(rows.map((r) => r.email.toLowerCase()));
}

export async function isEmailSuppressed(db: DbOrTrx, tenantId: string, email: string) {
  return Boolean(await db.selectFrom("emailSuppressions").select("email").where("tenantId", "=", tenantId).where("email", "=", email).executeTakeFirst());
}

export async function suppressEmail(db: DbOrTrx, s: { tenantId: string; email: string; reason: string; communicationId: string | null; createdAt: Date }) {
  await db.insertInto("emailSuppressions").values(s).onDuplicateKeyUpdate({ reason: s.reason, communicationId: s.communicationId }).execute();
}

export async function isOptedOut(db: DbOrTrx, phone: string) {
  return Boolean(await db.selectFrom("smsOptOuts").select("phone").where("phone", "=", phone).executeTakeFirst());
}

export async function setSmsOptOut(db: DbOrTrx, phone: string, optedOut: boolean, keyword: string, at: Date) {
  if (optedOut) {
    await db.insertInto("smsOptOuts").values({ phone, keyword, optedOutAt: at }).onDuplicateKeyUpdate({ keyword, optedOutAt: at }).execute();
  } else {
    await db.deleteFrom("smsOptOuts").where("phone", "=", phone).execute();
  }
}

/** For provider webhooks, which carry our message id but not the tenant. */
/** By id across tenants (provider reports carry only our id), in one query. */
export async function findCommunicationsAnyTenant(db: DbOrTrx, ids: string[]): Promise<Map<string, Communication>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("communications").selectAll().where("id", "in", [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, toCommunication(r)]));
}
