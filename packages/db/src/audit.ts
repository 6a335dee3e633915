import type { DbOrTrx } from "./connection";
import { parseJson } from "./schema";

export type AuditEntry = {
  tenantId: string;
  entityType: string;
  entityId: string;
  action: string;
  actorId: string;
  occurredAt: Date;
  changes: Record<string, { from: unknown; to: unknown }>;
  traceId?: string | null;
};

export async function appendAudit(db: DbOrTrx, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto("auditLog")
    .values(entries.map((e) => ({ ...e, changes: JSON.stringify(e.changes), traceId: e.traceId ?? null })))
    .execute();
}

export async function listAudit(db: DbOrTrx, tenantId: string, entityType: string, entityId: string) {
  const rows = await db
    .selectFrom("auditLog")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where("entityType", "=", entityType)
    .where("entityId", "=", entityId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ ...r, changes: parseJson(r.changes as AuditEntry["changes"] | string) }));
}
