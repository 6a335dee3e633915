import type { CompiledQuery } from "kysely";
import { bulkInsertQueries } from "./bulk-insert";
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

const auditRow = (e: AuditEntry) => ({ ...e, changes: JSON.stringify(e.changes), traceId: e.traceId ?? null });

export async function appendAudit(db: DbOrTrx, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insertInto("auditLog").values(entries.map(auditRow)).execute();
}

/** appendAudit as statements built ahead (bulkInsertQueries), for a batch written later in its transaction. */
export const appendAuditQueries = (entries: AuditEntry[]): CompiledQuery[] => bulkInsertQueries("auditLog", entries.map(auditRow));

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
