import { appendEvents, findExport, inTransaction, updateExport, type ContactExport, type TransferKind } from "@clientele/db";
import type { DomainEvent } from "@clientele/domain";
import { createTabularWriter, extensionFor, type ExportColumn, type TabularFormat } from "@clientele/files";
import type { JobDeps } from "./job-deps";
import { PermanentJobError } from "./queues";

/** Where each kind's export files live; signed download URLs are honoured for these prefixes only. */
export const EXPORT_PREFIXES: Record<TransferKind, string> = { Contact: "contact-exports/", Customer: "customer-exports/" };

export const transferExportKey = (kind: TransferKind, tenantId: string, exportId: string, format: TabularFormat) =>
  `${EXPORT_PREFIXES[kind]}${tenantId}/${exportId}${extensionFor(format)}`;

/** What a kind of export adds to the shared runner: its columns, its rows and its completion event. */
export type ExportSpec<O> = {
  kind: TransferKind;
  maxRecords?: number;
  columns: (exp: ContactExport<O>) => ExportColumn[];
  /** The export's rows, already shaped to the columns' keys (the writer neutralizes formulas). */
  rows: (deps: JobDeps, exp: ContactExport<O>) => AsyncIterable<Record<string, unknown>>;
  completedEvent: (exp: ContactExport<O>, count: number, at: Date) => DomainEvent;
};

/**
 * Writes an export file by streaming rows from MySQL straight into the storage port, so memory
 * stays flat whatever the size; the file becomes visible only once complete.
 */
export async function runTabularExport<O>(deps: JobDeps, payload: { exportId: string; tenantId: string }, spec: ExportSpec<O>): Promise<ContactExport<O>> {
  const exp = await findExport<O>(deps.db, payload.tenantId, payload.exportId, spec.kind);
  if (!exp) throw new PermanentJobError(`export ${payload.exportId} not found`);
  if (exp.status === "Completed" || exp.status === "Expired") return exp;
  await updateExport(deps.db, exp.id, { status: "Processing" });
  const format = exp.format as TabularFormat;
  const key = transferExportKey(spec.kind, exp.tenantId, exp.id, format);
  const out = await deps.storage.createWriteStream(key);
  let count = 0;
  try {
    const writer = createTabularWriter(format, spec.columns(exp), out.stream);
    for await (const row of spec.rows(deps, exp)) {
      if (spec.maxRecords !== undefined && count >= spec.maxRecords) break;
      await writer.write(row);
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
    await appendEvents(trx, [spec.completedEvent(exp, count, at)], { tenantId: exp.tenantId, actor: exp.createdBy, version: 1, occurredAt: at });
  });
  return (await findExport<O>(deps.db, exp.tenantId, exp.id, spec.kind))!;
}
