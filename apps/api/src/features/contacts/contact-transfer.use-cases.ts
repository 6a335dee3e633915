import { randomUUID } from "node:crypto";
import {
  countExport,
  findExport,
  findImport,
  insertExport,
  listImportErrors,
  type ContactExport,
  type ContactImport,
} from "@clientele/db";
import { DomainError, normalizeTag, resolveMappings, validationError, type Actor } from "@clientele/domain";
import { DOWNLOAD_URL_TTL_SECONDS, MAX_IMPORT_BYTES, MAX_IMPORT_RECORDS, signDownload } from "@clientele/files";
import {
  DEFAULT_EXPORT_FIELDS,
  MAX_EXPORT_RECORDS,
  runContactExport,
  runContactImport,
} from "@clientele/jobs";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import { loadVisible } from "../customers/customer.use-cases";
import { submitImportFile } from "../import-submission";
import type { TImportInput, ZExportInput } from "./contact-transfer.schemas";

/** Up to this many records an export is written inside the request (REQ-CUS-013). */
const SYNC_EXPORT_MAX_RECORDS = 1000;

export function importStatus(imp: ContactImport, errors: { rowNumber: number; field: string; reason: string }[]) {
  return {
    importId: imp.id,
    status: imp.status,
    mode: imp.mode,
    dryRun: imp.dryRun,
    totalRows: imp.totalRows,
    processedRows: imp.processedRows,
    imported: imp.importedCount,
    updated: imp.updatedCount,
    failed: imp.failedCount,
    failureReason: imp.failureReason,
    errors: errors.map((e) => ({ row: e.rowNumber, field: e.field, reason: e.reason })),
    errorReportUrl: `/api/v1/customers/contacts/import/${imp.id}/errors`,
    createdAt: imp.createdAt.toISOString(),
    completedAt: imp.completedAt?.toISOString() ?? null,
  };
}

export async function submitImport(deps: AppDeps, actor: Actor, input: TImportInput) {
  const importId = await submitImportFile(deps, actor, input, {
    kind: "Contact",
    maxBytes: MAX_IMPORT_BYTES,
    maxRecords: MAX_IMPORT_RECORDS,
    storagePrefix: "contact-imports",
    check: async (columns) => {
      const mappings = resolveMappings(columns, input.mappings ?? {});
      if (!mappings.ok) throw validationError(mappings.errors, "The field mappings don't fit the file.");
      if (input.defaultCustomerId) await loadVisible(deps, actor, input.defaultCustomerId);
    },
    options: { mappings: input.mappings ?? {}, ...(input.defaultCustomerId ? { defaultCustomerId: input.defaultCustomerId } : {}) },
    run: runContactImport,
    enqueue: (d, payload) => d.jobs.enqueueImport(payload),
  });
  return getImport(deps, actor, importId);
}

export async function getImport(deps: AppDeps, actor: Actor, importId: string) {
  const imp = await findImport(deps.db, actor.tenantId, importId);
  if (!imp) throw new DomainError("IMPORT-001", "not_found", "Import not found.");
  return importStatus(imp, await listImportErrors(deps.db, imp.id, 100));
}

export async function importErrorReport(deps: AppDeps, actor: Actor, importId: string) {
  const imp = await findImport(deps.db, actor.tenantId, importId);
  if (!imp) throw new DomainError("IMPORT-001", "not_found", "Import not found.");
  return listImportErrors(deps.db, imp.id);
}

/** An export's status with, once complete, a signed download URL (any kind of export). */
export function exportStatus<O>(deps: AppDeps, exp: ContactExport<O>) {
  let downloadUrl: string | null = null;
  let expiresAt: string | null = null;
  if (exp.status === "Completed" && exp.fileKey) {
    const signed = signDownload({
      secret: deps.env.DOWNLOAD_URL_SECRET!,
      tenantId: exp.tenantId,
      key: exp.fileKey,
      expiresAt: new Date(deps.now().getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000),
    });
    downloadUrl = `/api/v1/files/download?token=${signed.token}`;
    expiresAt = signed.expiresAt.toISOString();
  }
  return {
    exportId: exp.id,
    status: exp.status,
    format: exp.format,
    recordCount: exp.recordCount,
    downloadUrl,
    expiresAt,
    failureReason: exp.failureReason,
    createdAt: exp.createdAt.toISOString(),
    completedAt: exp.completedAt?.toISOString() ?? null,
  };
}

export async function submitExport(deps: AppDeps, actor: Actor, input: z.infer<typeof ZExportInput>) {
  const tags: string[] = [];
  for (const raw of input.filters.tags ?? []) {
    const tag = normalizeTag(raw);
    if (!tag.ok) throw validationError({ "filters.tags": [`"${raw}" ${tag.message}`] });
    tags.push(tag.value);
  }
  const options = {
    ...(input.filters.customerIds?.length ? { customerIds: input.filters.customerIds } : {}),
    ...(tags.length ? { tags } : {}),
    fields: input.fields ?? DEFAULT_EXPORT_FIELDS,
  };
  const count = await countExport(deps.db, actor.tenantId, options);
  if (count > MAX_EXPORT_RECORDS) {
    throw new DomainError("EXPORT-001", "validation", `The filters select ${count} contacts; an export holds at most ${MAX_EXPORT_RECORDS}. Narrow the filters.`, {
      filters: [`select at most ${MAX_EXPORT_RECORDS} contacts`],
    });
  }
  const exportId = randomUUID();
  await insertExport(deps.db, { id: exportId, tenantId: actor.tenantId, format: input.format, options, createdBy: actor.userId, createdAt: deps.now() });
  const payload = { exportId, tenantId: actor.tenantId };
  if (count <= SYNC_EXPORT_MAX_RECORDS) await runContactExport(deps, payload);
  else await deps.jobs.enqueueExport(payload);
  return getExport(deps, actor, exportId);
}

export async function getExport(deps: AppDeps, actor: Actor, exportId: string) {
  const exp = await findExport(deps.db, actor.tenantId, exportId);
  if (!exp) throw new DomainError("EXPORT-001", "not_found", "Export not found.");
  return exportStatus(deps, exp);
}
