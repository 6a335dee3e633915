import type { DbOrTrx } from "../connection";

/** True when this call claimed the key; false when it was claimed before (sent, or in flight). */
export async function claimNotification(db: DbOrTrx, n: { key: string; tenantId: string; kind: string; recipients: number; at: Date }): Promise<boolean> {
  const r = await db
    .insertInto("notificationLog")
    .ignore()
    .values({ key: n.key, tenantId: n.tenantId, kind: n.kind, status: "Sending", recipients: n.recipients, claimedAt: n.at, sentAt: null, failureReason: null })
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows) === 1;
}

export async function settleNotification(db: DbOrTrx, key: string, outcome: { sentAt: Date } | { failureReason: string }) {
  await db
    .updateTable("notificationLog")
    .set("sentAt" in outcome ? { status: "Sent", sentAt: outcome.sentAt } : { status: "Failed", failureReason: outcome.failureReason.slice(0, 500) })
    .where("key", "=", key)
    .execute();
}

/** A transient failure releases the claim so the retry may send. */
export async function releaseNotification(db: DbOrTrx, key: string) {
  await db.deleteFrom("notificationLog").where("key", "=", key).where("status", "=", "Sending").execute();
}

