import { appendEvents, findExport, inTransaction, streamExportRows, updateExport, type ContactExport } from "@clientele/db";
import { createTabularWriter, extensionFor, type TabularFormat } from "@clientele/files";
import type { JobDeps } from "./job-deps";
import { PermanentJobError, type ContactExportPayload } from "./queues";

export const MAX_EXPORT_RECORDS = 50_000;

/** Exportable contact fields and their column headers, in the default order. */
export const EXPORT_FIELDS = {
  customerNumber: "Customer number",
  companyName: "Company",
  firstName: "First name",
  lastName: "Last name",
  email: "Email",
  phone: "Phone",
  position: "Position",
  isPrimary: "Primary",
  tags: "Tags",
  status: "Status",
  createdAt: "Created at",
  id: "Contact id",
  customerId: "Customer id",
} as const;
export type ExportField = keyof typeof EXPORT_FIELDS;
export const DEFAULT_EXPORT_FIELDS: ExportField[] = ["customerNumber", "companyName", "firstName", "lastName", "email", "phone", "position", "isPrimary", "tags"];

export const exportFileKey = (tenantId: string, exportId: string, format: TabularFormat) =>
  `contact-exports/${tenantId}/${exportId}${extensionFor(format)}`;

/**
 * Writes the export file by streaming rows from MySQL straight into the storage port, so memory
 * stays flat whatever the size; the file becomes visible only once complete.
 */
export async function runContactExport(deps: JobDeps, payload: ContactExportPayload): Promise<ContactExport> {
  const exp = await findExport(deps.db, payload.tenantId, payload.exportId);
  if (!exp) throw new PermanentJobError(`export ${payload.exportId} not found`);
  if (exp.status === "Completed" || exp.status === "Expired") return exp;
  await updateExport(deps.db, exp.id, { status: "Processing" });
  const format = exp.format as TabularFormat;
  const fields = exp.options.fields as ExportField[];
  const key = exportFileKey(exp.tenantId, exp.id, format);
  const out = await deps.storage.createWriteStream(key);
  let count = 0;
  try {
    const writer = createTabularWriter(format, fields.map((f) => ({ key: f, header: EXPORT_FIELDS[f] })), out.stream);
    for await (const row of streamExportRows(deps.db, exp.tenantId, exp.options)) {
      if (count >= MAX_EXPORT_RECORDS) break;
      const values: Record<string, unknown> = {
        ...row,
        isPrimary: Boolean(row.isPrimary),
        createdAt: row.createdAt.toISOString(),
        tags: row.tags ?? "",
      };
      await writer.write(Object.fromEntries(fields.map((f) => [f, values[f]])));
      count += 1;
    }
    await writer.end();
    await out.done();
  } catch (error) {
    await out.abort();
    throw error;
  }
  const at = deps.now();
  await inTransaction(deps.db, async (trx) => {
    await updateExport(trx, exp.id, { status: "Completed", recordCount: count, fileKey: key, completedAt: at });
    await appendEvents(
      trx,
      [
        {
          type: "ContactListExported",
          aggregateType: "ContactList",
          aggregateId: exp.id,
          data: { exportId: exp.id, recordCount: count, format, fields, exportedAt: at.toISOString(), exportedBy: exp.createdBy },
        },
      ],
      { tenantId: exp.tenantId, actor: exp.createdBy, version: 1, occurredAt: at },
    );
  });
  return (await findExport(deps.db, exp.tenantId, exp.id))!;
}
