import { randomUUID } from "node:crypto";
import {
  countCustomerSelection,
  findExport,
  findImport,
  insertExport,
  listImportErrors,
  type ContactImport,
  type CustomerSelection,
} from "@clientele/db";
import { DomainError, normalizeCustomerTags, resolveCustomerMappings, validationError, type Actor } from "@clientele/domain";
import {
  DEFAULT_CUSTOMER_EXPORT_FIELDS,
  MAX_CUSTOMER_IMPORT_BYTES,
  MAX_CUSTOMER_IMPORT_RECORDS,
  runCustomerExport,
  runCustomerImport,
  type CustomerExportField,
  type CustomerExportOptions,
} from "@clientele/jobs";
import type { AppDeps } from "../../deps";
import { exportStatus, importStatus } from "../contacts/contact-transfer.use-cases";
import { previewImportFile, submitImportFile } from "../import-submission";
import type { TCustomerExportInput, TCustomerExportQuery, TCustomerImportInput, TCustomerImportPreviewInput, TCustomerSelection } from "./customer-transfer.schemas";

/** Up to this many records an export job is written inside the request. */
const SYNC_EXPORT_MAX_RECORDS = 1000;

const importNotFound = () => new DomainError("IMPORT-001", "not_found", "Import not found.");
const exportNotFound = () => new DomainError("EXPORT-001", "not_found", "Export not found.");

function customerImportStatus(imp: ContactImport, errors: { rowNumber: number; field: string; reason: string }[]) {
  return {
    ...importStatus(imp, errors),
    matchOn: imp.options.matchOn ?? ("email" as const),
    errorReportUrl: `/api/v1/customers/bulk/import/${imp.id}/errors`,
  };
}

/** The API's filters as the repository's selection; tags normalized as customers' tags are. */
export function toSelection(input: TCustomerSelection): CustomerSelection {
  let tags: string[] | undefined;
  if (input.tags?.length) {
    const normalized = normalizeCustomerTags(input.tags);
    if (!normalized.ok) throw validationError(Object.fromEntries(Object.entries(normalized.errors).map(([, m]) => ["filters.tags", m])));
    tags = normalized.value;
  }
  // Both bounds are inclusive, as in the search: an equal pair selects that instant.
  if (input.createdFrom && input.createdTo && new Date(input.createdFrom) > new Date(input.createdTo)) {
    throw validationError({ "filters.createdTo": ["must not be before createdFrom"] });
  }
  return {
    ...(input.ids?.length ? { ids: input.ids } : {}),
    ...(input.query?.trim() ? { query: input.query.trim() } : {}),
    ...(input.type?.length ? { types: input.type } : {}),
    ...(input.segment?.length ? { segments: input.segment } : {}),
    ...(input.status?.length ? { statuses: input.status } : {}),
    ...(tags ? { tags } : {}),
    ...(input.createdFrom ? { createdFrom: input.createdFrom } : {}),
    ...(input.createdTo ? { createdTo: input.createdTo } : {}),
  };
}

export async function submitCustomerImport(deps: AppDeps, actor: Actor, input: TCustomerImportInput) {
  const importId = await submitImportFile(deps, actor, input, {
    kind: "Customer",
    maxBytes: MAX_CUSTOMER_IMPORT_BYTES,
    maxRecords: MAX_CUSTOMER_IMPORT_RECORDS,
    storagePrefix: "customer-imports",
    check: (columns) => {
      const mappings = resolveCustomerMappings(columns, input.mappings ?? {}, input.mode === "upsert" ? input.matchOn : "email");
      if (!mappings.ok) throw validationError(mappings.errors, "The field mappings don't fit the file.");
    },
    options: { mappings: input.mappings ?? {}, matchOn: input.matchOn },
    run: runCustomerImport,
    enqueue: (d, payload) => d.jobs.enqueueCustomerImport(payload),
  });
  return getCustomerImport(deps, actor, importId);
}

/** The file's columns and first records, checked as submitCustomerImport checks them; nothing stored. */
export const previewCustomerImport = (input: TCustomerImportPreviewInput) =>
  previewImportFile(input, { maxBytes: MAX_CUSTOMER_IMPORT_BYTES, maxRecords: MAX_CUSTOMER_IMPORT_RECORDS });

export async function getCustomerImport(deps: AppDeps, actor: Actor, importId: string) {
  const imp = await findImport(deps.db, actor.tenantId, importId, "Customer");
  if (!imp) throw importNotFound();
  return customerImportStatus(imp, await listImportErrors(deps.db, imp.id, 100));
}

export async function customerImportErrors(deps: AppDeps, actor: Actor, importId: string) {
  const imp = await findImport(deps.db, actor.tenantId, importId, "Customer");
  if (!imp) throw importNotFound();
  return listImportErrors(deps.db, imp.id);
}

/** An export job: small ones are written inside the request, larger ones by the worker. */
export async function submitCustomerExport(deps: AppDeps, actor: Actor, input: TCustomerExportInput) {
  const options: CustomerExportOptions = { selection: toSelection(input.filters), fields: (input.fields ?? DEFAULT_CUSTOMER_EXPORT_FIELDS) as CustomerExportField[] };
  const count = await countCustomerSelection(deps.db, actor.tenantId, options.selection);
  const exportId = randomUUID();
  await insertExport(deps.db, { id: exportId, tenantId: actor.tenantId, kind: "Customer", format: input.format, options, createdBy: actor.userId, createdAt: deps.now() });
  const payload = { exportId, tenantId: actor.tenantId };
  if (count <= SYNC_EXPORT_MAX_RECORDS) await runCustomerExport(deps, payload);
  else await deps.jobs.enqueueCustomerExport(payload);
  return getCustomerExport(deps, actor, exportId);
}

export async function getCustomerExport(deps: AppDeps, actor: Actor, exportId: string) {
  const exp = await findExport<CustomerExportOptions>(deps.db, actor.tenantId, exportId, "Customer");
  if (!exp) throw exportNotFound();
  return exportStatus(deps, exp);
}

/** GET /customers/export: the validated selection, fields and format the route then streams. */
export function planCustomerExport(actor: Actor, input: TCustomerExportQuery) {
  const { format, fields, ...filters } = input;
  return { tenantId: actor.tenantId, format, fields: (fields ?? DEFAULT_CUSTOMER_EXPORT_FIELDS) as CustomerExportField[], selection: toSelection(filters) };
}
