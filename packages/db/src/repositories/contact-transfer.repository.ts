import { sql } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import { parseJson } from "../schema";

export type ImportStatus = "Queued" | "Processing" | "Completed" | "Failed";
/** Whose rows a transfer job writes or reads; each feature finds only its own kind's jobs. */
export type TransferKind = "Contact" | "Customer";
export type ExportStatus = "Queued" | "Processing" | "Completed" | "Failed" | "Expired";

export type ContactImport = {
  id: string;
  tenantId: string;
  kind: TransferKind;
  status: ImportStatus;
  format: string;
  mode: "create" | "upsert";
  dryRun: boolean;
  options: { mappings: Record<string, string>; defaultCustomerId?: string; matchOn?: "email" | "customerNumber" };
  fileKey: string;
  fileName: string | null;
  totalRows: number;
  processedRows: number;
  importedCount: number;
  updatedCount: number;
  failedCount: number;
  failureReason: string | null;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
};

export async function insertImport(
  db: DbOrTrx,
  imp: Omit<ContactImport, "kind" | "processedRows" | "importedCount" | "updatedCount" | "failedCount" | "failureReason" | "startedAt" | "completedAt"> & { kind?: TransferKind },
) {
  await db
    .insertInto("contactImports")
    .values({ ...imp, dryRun: imp.dryRun ? 1 : 0, options: JSON.stringify(imp.options) })
    .execute();
}

export async function findImport(db: DbOrTrx, tenantId: string, id: string, kind: TransferKind = "Contact"): Promise<ContactImport | undefined> {
  const row = await db.selectFrom("contactImports").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).where("kind", "=", kind).executeTakeFirst();
  return row && { ...row, kind: row.kind as TransferKind, status: row.status as ImportStatus, mode: row.mode as ContactImport["mode"], dryRun: Boolean(row.dryRun), options: parseJson(row.options as ContactImport["options"]) };
}

export async function markImportStarted(db: DbOrTrx, id: string, at: Date) {
  await db.updateTable("contactImports").set({ status: "Processing", startedAt: at }).where("id", "=", id).where("status", "in", ["Queued", "Processing"]).execute();
}

/**
 * Advances the checkpoint from `from` to `to` with the chunk's counts, in the chunk's own
 * transaction. False when another run already moved it: the caller must roll back.
 */
export async function advanceImport(trx: Trx, id: string, from: number, to: number, counts: { imported: number; updated: number; failed: number }) {
  const result = await trx
    .updateTable("contactImports")
    .set((eb) => ({
      processedRows: to,
      importedCount: eb("importedCount", "+", counts.imported),
      updatedCount: eb("updatedCount", "+", counts.updated),
      failedCount: eb("failedCount", "+", counts.failed),
    }))
    .where("id", "=", id)
    .where("processedRows", "=", from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function finishImport(db: DbOrTrx, id: string, status: "Completed" | "Failed", at: Date, failureReason: string | null = null) {
  await db.updateTable("contactImports").set({ status, completedAt: at, failureReason }).where("id", "=", id).execute();
}

export async function insertImportErrors(db: DbOrTrx, importId: string, errors: { row: number; field: string; reason: string }[]) {
  if (errors.length === 0) return;
  await db
    .insertInto("contactImportErrors")
    .values(errors.map((e) => ({ importId, rowNumber: e.row, field: e.field.slice(0, 100), reason: e.reason.slice(0, 500) })))
    .execute();
}

export async function listImportErrors(db: DbOrTrx, importId: string, limit?: number) {
  let q = db.selectFrom("contactImportErrors").select(["rowNumber", "field", "reason"]).where("importId", "=", importId).orderBy("rowNumber").orderBy("id");
  if (limit !== undefined) q = q.limit(limit);
  return q.execute();
}

/** Imports and exports left Queued (e.g. Redis was down when they were submitted). */
export async function findStranded(db: DbOrTrx, olderThan: Date) {
  const [imports, exports] = await Promise.all([
    db.selectFrom("contactImports").select(["id", "tenantId", "kind"]).where("status", "in", ["Queued", "Processing"]).where("createdAt", "<", olderThan).limit(100).execute(),
    db.selectFrom("contactExports").select(["id", "tenantId", "kind"]).where("status", "in", ["Queued", "Processing"]).where("createdAt", "<", olderThan).limit(100).execute(),
  ]);
  return { imports, exports };
}

export type ExportOptions = { customerIds?: string[]; tags?: string[]; fields: string[] };
export type ContactExport<O = ExportOptions> = {
  id: string;
  tenantId: string;
  kind: TransferKind;
  status: ExportStatus;
  format: string;
  options: O;
  recordCount: number | null;
  fileKey: string | null;
  failureReason: string | null;
  createdBy: string;
  createdAt: Date;
  completedAt: Date | null;
};

export async function insertExport<O>(db: DbOrTrx, exp: Pick<ContactExport<O>, "id" | "tenantId" | "format" | "options" | "createdBy" | "createdAt"> & { kind?: TransferKind }) {
  await db
    .insertInto("contactExports")
    .values({ ...exp, status: "Queued", options: JSON.stringify(exp.options), recordCount: null, fileKey: null, failureReason: null, completedAt: null })
    .execute();
}

export async function findExport<O = ExportOptions>(db: DbOrTrx, tenantId: string, id: string, kind: TransferKind = "Contact"): Promise<ContactExport<O> | undefined> {
  const row = await db.selectFrom("contactExports").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).where("kind", "=", kind).executeTakeFirst();
  return row && { ...row, kind: row.kind as TransferKind, status: row.status as ExportStatus, options: parseJson(row.options as O) };
}

export async function updateExport(db: DbOrTrx, id: string, patch: { status: ExportStatus; recordCount?: number; fileKey?: string; failureReason?: string; completedAt?: Date }) {
  await db.updateTable("contactExports").set(patch).where("id", "=", id).execute();
}

export async function expireExports(db: DbOrTrx, createdBefore: Date) {
  const result = await db
    .updateTable("contactExports")
    .set({ status: "Expired", fileKey: null })
    .where("status", "=", "Completed")
    .where("createdAt", "<", createdBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The contacts an export selects: active contacts of visible customers, by customer and tag. */
export function exportQuery(db: DbOrTrx, tenantId: string, o: ExportOptions) {
  let q = db
    .selectFrom("contacts as c")
    .innerJoin("customers as cu", "cu.id", "c.customerId")
    .where("c.tenantId", "=", tenantId)
    .where("c.status", "=", "Active")
    .where("cu.isDeleted", "=", 0);
  if (o.customerIds?.length) q = q.where("c.customerId", "in", o.customerIds);
  if (o.tags?.length) {
    const tags = o.tags;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom("contactTags as t").select("t.tag").whereRef("t.contactId", "=", "c.id").where("t.tag", "in", tags)),
    );
  }
  return q;
}

export async function countExport(db: DbOrTrx, tenantId: string, o: ExportOptions): Promise<number> {
  const row = await exportQuery(db, tenantId, o).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function streamExportRows(db: DbOrTrx, tenantId: string, o: ExportOptions) {
  return exportQuery(db, tenantId, o)
    .select([
      "c.id",
      "c.customerId",
      "cu.customerNumber",
      "cu.companyName",
      "c.firstName",
      "c.lastName",
      "c.email",
      "c.phone",
      "c.position",
      "c.isPrimary",
      "c.status",
      "c.createdAt",
      sql<string | null>`(SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR ';') FROM contact_tags t WHERE t.contact_id = c.id)`.as("tags"),
    ])
    .orderBy("cu.customerNumber")
    .orderBy("c.lastName")
    .orderBy("c.id")
    .stream(500);
}
