import type { Selectable } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import type { MessageTemplatesTable } from "../schema";

export type MessageTemplate = Selectable<MessageTemplatesTable>;

export async function insertTemplate(db: DbOrTrx, t: Omit<MessageTemplate, "lastModifiedAt" | "lastModifiedBy" | "version">) {
  await db.insertInto("messageTemplates").values(t).execute();
}

export async function findTemplate(db: DbOrTrx, tenantId: string, id: string) {
  return db.selectFrom("messageTemplates").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
}

/** Locks the template row for the rest of the transaction: concurrent changes take turns. */
export async function lockTemplate(trx: Trx, tenantId: string, id: string) {
  return trx.selectFrom("messageTemplates").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function listTemplates(db: DbOrTrx, tenantId: string, o: { channel?: string | undefined; includeArchived?: boolean | undefined }) {
  let q = db.selectFrom("messageTemplates").selectAll().where("tenantId", "=", tenantId);
  if (o.channel) q = q.where("channel", "=", o.channel);
  if (!o.includeArchived) q = q.where("status", "=", "Active");
  return q.orderBy("name").orderBy("id").execute();
}

export async function updateTemplate(db: DbOrTrx, t: MessageTemplate, readVersion: number) {
  const { id, tenantId, createdAt: _a, createdBy: _b, ...rest } = t;
  const r = await db
    .updateTable("messageTemplates")
    .set(rest)
    .where("tenantId", "=", tenantId)
    .where("id", "=", id)
    .where("version", "=", readVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
