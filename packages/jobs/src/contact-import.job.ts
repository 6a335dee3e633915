import { randomUUID } from "node:crypto";
import {
  appendAudit,
  appendEvents,
  advanceImport,
  findCustomerRefs,
  findImport,
  finishImport,
  inTransaction,
  insertImportErrors,
  listActiveContactsOf,
  lockCustomers,
  markImportStarted,
  saveContacts,
  type ContactImport,
  type Trx,
} from "@clientele/db";
import {
  addContact,
  DomainError,
  diff,
  inFileDuplicates,
  mapRow,
  resolveMappings,
  tagContact,
  updateContact,
  type Actor,
  type Contact,
  type ContactDecision,
  type DomainEvent,
  type MappedRow,
  type RowError,
} from "@clientele/domain";
import { cacheKeys } from "@clientele/cache";
import { readRecords, type TabularFormat } from "@clientele/files";
import type { JobDeps } from "./job-deps";
import { PermanentJobError, type ContactImportPayload } from "./queues";

/** Rows per transaction: big enough for multi-row inserts, small enough to checkpoint often. */
const IMPORT_CHUNK_ROWS = 500;

export type ImportSummary = {
  importId: string;
  status: ContactImport["status"];
  totalRows: number;
  processedRows: number;
  imported: number;
  updated: number;
  failed: number;
};

type CustomerRef = { id: string; country: string };
type PreparedRow = { index: number; line: number; row: MappedRow; customer?: CustomerRef; error?: RowError[] };

/** Spreadsheet line numbers (the header is line 1); JSON records are numbered from 1. */
const lineOf = (format: string, index: number) => (format === "JSON" ? index + 1 : index + 2);

/** Reads the stored file and decides, for every row, its customer or why it has none. Deterministic. */
async function prepare(deps: JobDeps, imp: ContactImport): Promise<PreparedRow[]> {
  const { columns, rows } = await readRecords(await deps.storage.readBuffer(imp.fileKey), { format: imp.format as TabularFormat });
  const mappings = resolveMappings(columns, imp.options.mappings);
  if (!mappings.ok) throw new PermanentJobError(`mappings no longer match the file: ${JSON.stringify(mappings.errors)}`);
  const mapped = rows.map((r) => {
    const row = mapRow(r, mappings.value);
    if (!row.customerId && !row.customerNumber && imp.options.defaultCustomerId) row.customerId = imp.options.defaultCustomerId;
    return row;
  });
  const ids = [...new Set(mapped.flatMap((r) => (r.customerId ? [r.customerId] : [])))].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const numbers = [...new Set(mapped.flatMap((r) => (r.customerNumber ? [r.customerNumber.toUpperCase()] : [])))];
  const refs = await findCustomerRefs(deps.db, imp.tenantId, ids, numbers);
  const byId = new Map(refs.map((r) => [r.id.toLowerCase(), { id: r.id, country: r.billingCountry }]));
  const byNumber = new Map(refs.map((r) => [r.customerNumber, { id: r.id, country: r.billingCountry }]));
  const customerOf = (r: MappedRow) => (r.customerId ? byId.get(r.customerId.toLowerCase()) : r.customerNumber ? byNumber.get(r.customerNumber.toUpperCase()) : undefined);
  const dupes = inFileDuplicates(mapped, (r) => customerOf(r)?.id);
  return mapped.map((row, index) => {
    const line = lineOf(imp.format, index);
    const customer = customerOf(row);
    if (!customer) {
      const field = row.customerId ? "customerId" : row.customerNumber ? "customerNumber" : "customer";
      const reason = field === "customer" ? "no customer given: map customerId or customerNumber, or choose a default customer" : "customer not found";
      return { index, line, row, error: [{ row: line, field, reason }] };
    }
    const dupOf = dupes.get(index);
    if (dupOf !== undefined) {
      return { index, line, row, customer, error: [{ row: line, field: "email", reason: `duplicates the email of row ${lineOf(imp.format, dupOf)} for the same customer` }] };
    }
    return { index, line, row, customer };
  });
}

function rowErrors(line: number, error: unknown): RowError[] {
  if (!(error instanceof DomainError)) throw error;
  const fields = Object.entries(error.fieldErrors);
  if (fields.length) return fields.flatMap(([field, messages]) => messages.map((reason) => ({ row: line, field, reason })));
  const field = error.code === "CONT-004" ? "customer" : error.code === "CONT-002" ? "email" : "row";
  return [{ row: line, field, reason: error.message }];
}

type ChunkResult = { imported: number; updated: number; errors: RowError[]; changed: Map<string, Contact>; events: (DomainEvent & { version: number })[] };

/** Applies one chunk against the customers' current contacts, in memory, row by row. */
function applyChunk(rows: PreparedRow[], active: Map<string, Contact[]>, imp: ContactImport, actor: Actor, now: Date): ChunkResult {
  const result: ChunkResult = { imported: 0, updated: 0, errors: [], changed: new Map(), events: [] };
  const record = (customerId: string, d: ContactDecision) => {
    const list = active.get(customerId)!;
    for (const c of d.changed) {
      result.changed.set(c.id, c);
      const i = list.findIndex((x) => x.id === c.id);
      if (c.status !== "Active") list.splice(i, 1);
      else if (i >= 0) list[i] = c;
      else list.push(c);
    }
    for (const e of d.events) result.events.push({ ...e, version: d.changed.find((c) => c.id === e.aggregateId)!.version });
  };
  for (const p of rows) {
    if (p.error) {
      result.errors.push(...p.error);
      continue;
    }
    const customerId = p.customer!.id;
    const list = active.get(customerId)!;
    const ctx = { actor, now, defaultCountry: p.customer!.country };
    const { customerId: _a, customerNumber: _b, tags, isPrimary, ...fields } = p.row;
    try {
      const existing = imp.mode === "upsert" && fields.email ? list.find((c) => c.email.toLowerCase() === fields.email!.toLowerCase()) : undefined;
      if (existing) {
        // Matched case-insensitively, so the stored spelling of the email stays.
        const { email: _email, ...patch } = fields;
        let d = updateContact(list, existing, { ...patch, ...(isPrimary ? { isPrimary: true } : {}) }, ctx);
        record(customerId, d);
        for (const tag of tags ?? []) {
          d = tagContact(active.get(customerId)!.find((c) => c.id === existing.id)!, tag, ctx);
          record(customerId, d);
        }
        result.updated += 1;
      } else {
        const d = addContact(
          list,
          { firstName: fields.firstName ?? "", lastName: fields.lastName ?? "", email: fields.email ?? "", ...fields, isPrimary, tags },
          { id: randomUUID(), tenantId: imp.tenantId, customerId },
          ctx,
        );
        record(customerId, d);
        result.imported += 1;
      }
    } catch (error) {
      result.errors.push(...rowErrors(p.line, error));
    }
  }
  return result;
}

class CheckpointMoved extends Error {}

async function processChunk(trx: Trx, imp: ContactImport, rows: PreparedRow[], from: number, to: number, actor: Actor, now: Date) {
  const customerIds = [...new Set(rows.flatMap((r) => (r.customer && !r.error ? [r.customer.id] : [])))];
  // Lock first, then read: the limit, uniqueness and primary rules see a list nobody else changes.
  await lockCustomers(trx, imp.tenantId, customerIds);
  const active = await listActiveContactsOf(trx, imp.tenantId, customerIds);
  const previous = new Map([...active.values()].flat().map((c) => [c.id, c.version]));
  const result = applyChunk(rows, active, imp, actor, now);
  const failedRows = new Set(result.errors.map((e) => e.row)).size;
  if (!imp.dryRun && result.changed.size) {
    const changed = [...result.changed.values()];
    if (!(await saveContacts(trx, changed, previous))) throw new CheckpointMoved();
    await appendAudit(
      trx,
      changed.map((c) => ({
        tenantId: imp.tenantId,
        entityType: "Contact",
        entityId: c.id,
        action: previous.has(c.id) ? "ContactUpdated" : "ContactAdded",
        actorId: actor.userId,
        occurredAt: now,
        changes: diff({}, { email: c.email, firstName: c.firstName, lastName: c.lastName, isPrimary: c.isPrimary, importId: imp.id }),
        traceId: null,
      })),
    );
    await appendEvents(trx, result.events, { tenantId: imp.tenantId, actor: actor.userId, version: 1, occurredAt: now });
  }
  await insertImportErrors(trx, imp.id, result.errors);
  const moved = await advanceImport(trx, imp.id, from, to, { imported: result.imported, updated: result.updated, failed: failedRows });
  if (!moved) throw new CheckpointMoved();
  return imp.dryRun ? [] : [...new Set([...result.changed.values()].map((c) => c.customerId))];
}

/**
 * Runs (or resumes) an import. Each chunk commits its contacts, events, errors and the new
 * checkpoint together, so a run killed at any point resumes after the last committed chunk and
 * never adds a contact twice; a second runner racing on the same import loses the checkpoint
 * compare-and-set and stops.
 */
export async function runContactImport(deps: JobDeps, payload: ContactImportPayload): Promise<ImportSummary> {
  let imp = await findImport(deps.db, payload.tenantId, payload.importId);
  if (!imp) throw new PermanentJobError(`import ${payload.importId} not found`);
  if (imp.status !== "Completed" && imp.status !== "Failed") {
    await markImportStarted(deps.db, imp.id, deps.now());
    const actor: Actor = { userId: imp.createdBy, tenantId: imp.tenantId, roles: [] };
    let prepared: PreparedRow[];
    try {
      prepared = await prepare(deps, imp);
    } catch (error) {
      if (!(error instanceof PermanentJobError) && (error as { name?: string }).name !== "FileRejectedError") throw error;
      await finishImport(deps.db, imp.id, "Failed", deps.now(), (error as Error).message.slice(0, 500));
      throw new PermanentJobError((error as Error).message);
    }
    for (let from = imp.processedRows; from < prepared.length; from += IMPORT_CHUNK_ROWS) {
      const to = Math.min(from + IMPORT_CHUNK_ROWS, prepared.length);
      try {
        const touched = await inTransaction(deps.db, (trx) => processChunk(trx, imp!, prepared.slice(from, to), from, to, actor, deps.now()));
        // After commit: the changed customers' cached contact lists are retired.
        await deps.cache.bumpMany(touched.map((id) => cacheKeys.contactsGeneration(imp!.tenantId, id)));
      } catch (error) {
        if (error instanceof CheckpointMoved) {
          deps.log.warn({ importId: imp.id, from }, "another run advanced this import; stopping");
          return summarize((await findImport(deps.db, imp.tenantId, imp.id))!);
        }
        throw error;
      }
    }
    await inTransaction(deps.db, async (trx) => {
      const done = (await findImport(trx, imp!.tenantId, imp!.id))!;
      if (done.status === "Completed") return;
      const at = deps.now();
      await finishImport(trx, done.id, "Completed", at);
      await appendEvents(
        trx,
        [
          {
            type: "ContactListImported",
            aggregateType: "ContactList",
            aggregateId: done.id,
            data: {
              importId: done.id,
              totalRecords: done.totalRows,
              successfulRecords: done.importedCount + done.updatedCount,
              importedRecords: done.importedCount,
              updatedRecords: done.updatedCount,
              failedRecords: done.failedCount,
              dryRun: done.dryRun,
              importedAt: at.toISOString(),
              importedBy: done.createdBy,
            },
          },
        ],
        { tenantId: done.tenantId, actor: done.createdBy, version: 1, occurredAt: at },
      );
    });
    imp = (await findImport(deps.db, imp.tenantId, imp.id))!;
  }
  return summarize(imp);
}

function summarize(imp: ContactImport): ImportSummary {
  return {
    importId: imp.id,
    status: imp.status,
    totalRows: imp.totalRows,
    processedRows: imp.processedRows,
    imported: imp.importedCount,
    updated: imp.updatedCount,
    failed: imp.failedCount,
  };
}
