import { randomUUID } from "node:crypto";
import {
  appendAudit,
  appendEvents,
  findCustomerRefs,
  listActiveContactsOf,
  lockCustomers,
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
import type { TabularData } from "@clientele/files";
import type { JobDeps } from "./job-deps";
import { PermanentJobError, type ContactImportPayload } from "./queues";
import { CheckpointMoved, lineOf, runTabularImport, type ChunkOutcome, type ImportSummary } from "./tabular-import.runner";

type CustomerRef = { id: string; country: string };
type PreparedRow = { index: number; line: number; row: MappedRow; customer?: CustomerRef; error?: RowError[] };

/** Decides, for every row of the file, its customer or why it has none. Deterministic. */
async function prepare(deps: JobDeps, imp: ContactImport, { columns, rows }: TabularData): Promise<PreparedRow[]> {
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

async function processChunk(deps: JobDeps, trx: Trx, imp: ContactImport, rows: PreparedRow[], actor: Actor, now: Date): Promise<ChunkOutcome> {
  const customerIds = [...new Set(rows.flatMap((r) => (r.customer && !r.error ? [r.customer.id] : [])))];
  // Lock first, then read: the limit, uniqueness and primary rules see a list nobody else changes.
  await lockCustomers(trx, imp.tenantId, customerIds);
  const active = await listActiveContactsOf(trx, imp.tenantId, customerIds);
  const previous = new Map([...active.values()].flat().map((c) => [c.id, c.version]));
  const result = applyChunk(rows, active, imp, actor, now);
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
  const touched = imp.dryRun ? [] : [...new Set([...result.changed.values()].map((c) => c.customerId))];
  return {
    imported: result.imported,
    updated: result.updated,
    errors: result.errors,
    // After commit: the changed customers' cached contact lists are retired.
    afterCommit: () => deps.cache.bumpMany(touched.map((id) => cacheKeys.contactsGeneration(imp.tenantId, id))),
  };
}

/** Runs (or resumes) a contact import on the shared checkpointed runner (runTabularImport). */
export function runContactImport(deps: JobDeps, payload: ContactImportPayload): Promise<ImportSummary> {
  return runTabularImport(deps, payload, {
    kind: "Contact",
    chunkRows: 500,
    prepare,
    applyChunk: (trx, imp, rows, actor, now) => processChunk(deps, trx, imp, rows, actor, now),
    completedEvent: (done, at) => ({
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
    }),
  });
}
