import { streamCustomerExportRows, type ContactExport, type CustomerRow, type CustomerSelection } from "@clientele/db";
import { CUSTOMER_EXPORT_FIELDS, DEFAULT_CUSTOMER_EXPORT_FIELDS, type CustomerExportField } from "@clientele/domain";
import type { JobDeps } from "./job-deps";
import type { CustomerExportPayload } from "./queues";
import { runTabularExport } from "./tabular-export.runner";

// The field list is the domain's, so the admin app's export dialog offers exactly these fields.
export { CUSTOMER_EXPORT_FIELDS, DEFAULT_CUSTOMER_EXPORT_FIELDS, type CustomerExportField };

export type CustomerExportOptions = { selection: CustomerSelection; fields: CustomerExportField[] };

const iso = (d: Date | null) => d?.toISOString() ?? "";

/** One customer row as the export's cells (the writer neutralizes formulas). */
export function customerExportCells(row: CustomerRow & { tagList: string | null }, fields: readonly CustomerExportField[]): Record<string, unknown> {
  const values: Record<CustomerExportField, unknown> = {
    customerNumber: row.customerNumber,
    type: row.type,
    companyName: row.companyName,
    firstName: row.firstName ?? "",
    lastName: row.lastName ?? "",
    industry: row.industry ?? "",
    website: row.website ?? "",
    primaryEmail: row.primaryEmail,
    secondaryEmail: row.secondaryEmail ?? "",
    primaryPhone: row.primaryPhone,
    secondaryPhone: row.secondaryPhone ?? "",
    billingStreet: row.billingStreet,
    billingCity: row.billingCity,
    billingState: row.billingState,
    billingZipCode: row.billingZipCode,
    billingCountry: row.billingCountry,
    segment: row.segment,
    status: row.status,
    rating: row.rating,
    lifetimeValue: String(row.lifetimeValue),
    tags: row.tagList ?? "",
    notes: row.notes ?? "",
    source: row.source ?? "",
    dateOfBirth: row.dateOfBirth ? row.dateOfBirth.toISOString().slice(0, 10) : "",
    gender: row.gender ?? "",
    createdAt: iso(row.createdAt),
    id: row.id,
  };
  return Object.fromEntries(fields.map((f) => [f, values[f]]));
}

export const customerExportColumns = (fields: readonly CustomerExportField[]) => fields.map((f) => ({ key: f, header: CUSTOMER_EXPORT_FIELDS[f] }));

/** Streams the selected customers into the export file on the shared runner (runTabularExport): flat memory at any size. */
export function runCustomerExport(deps: JobDeps, payload: CustomerExportPayload): Promise<ContactExport<CustomerExportOptions>> {
  return runTabularExport<CustomerExportOptions>(deps, payload, {
    kind: "Customer",
    columns: (exp) => customerExportColumns(exp.options.fields),
    rows: async function* (d, exp) {
      for await (const row of streamCustomerExportRows(d.db, exp.tenantId, exp.options.selection)) yield customerExportCells(row, exp.options.fields);
    },
    completedEvent: (exp, count, at) => ({
      type: "CustomersExported",
      aggregateType: "CustomerList",
      aggregateId: exp.id,
      data: { exportId: exp.id, recordCount: count, format: exp.format, fields: exp.options.fields, exportedAt: at.toISOString(), exportedBy: exp.createdBy },
    }),
  });
}
