import { streamExportRows, type ContactExport, type ExportOptions } from "@clientele/db";
import type { TabularFormat } from "@clientele/files";
import type { JobDeps } from "./job-deps";
import type { ContactExportPayload } from "./queues";
import { runTabularExport, transferExportKey } from "./tabular-export.runner";

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

export const exportFileKey = (tenantId: string, exportId: string, format: TabularFormat) => transferExportKey("Contact", tenantId, exportId, format);

/** Streams the selected contacts into the export file (see runTabularExport). */
export function runContactExport(deps: JobDeps, payload: ContactExportPayload): Promise<ContactExport> {
  return runTabularExport<ExportOptions>(deps, payload, {
    kind: "Contact",
    maxRecords: MAX_EXPORT_RECORDS,
    columns: (exp) => (exp.options.fields as ExportField[]).map((f) => ({ key: f, header: EXPORT_FIELDS[f] })),
    rows: async function* (d, exp) {
      const fields = exp.options.fields as ExportField[];
      for await (const row of streamExportRows(d.db, exp.tenantId, exp.options)) {
        const values: Record<string, unknown> = { ...row, isPrimary: Boolean(row.isPrimary), createdAt: row.createdAt.toISOString(), tags: row.tags ?? "" };
        yield Object.fromEntries(fields.map((f) => [f, values[f]]));
      }
    },
    completedEvent: (exp, count, at) => ({
      type: "ContactListExported",
      aggregateType: "ContactList",
      aggregateId: exp.id,
      data: { exportId: exp.id, recordCount: count, format: exp.format, fields: exp.options.fields, exportedAt: at.toISOString(), exportedBy: exp.createdBy },
    }),
  });
}
