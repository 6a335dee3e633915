import {
  findCustomerMatches,
  isDuplicateCustomerEmail,
  lockCustomersByIds,
  reserveSequenceValues,
  writeCustomerDecision,
  writeCustomerDecisions,
  prepareNewCustomerWrites,
  type ContactImport,
  type PreparedCustomerInserts,
  type CustomerWrite,
  type Trx,
} from "@clientele/db";
import {
  DomainError,
  formatCustomerNumber,
  MAX_CUSTOMER_IMPORT_BYTES,
  MAX_CUSTOMER_IMPORT_RECORDS,
  importEmailKey,
  importNumberKey,
  mapCustomerRow,
  recordPatchFromRow,
  registerCustomer,
  registrationFromRow,
  repeatedKeys,
  resolveCustomerMappings,
  setCustomerTags,
  timeOrderedUuid,
  updateCustomerRecord,
  validateRegistration,
  type Actor,
  type CustomerImportRow,
  type Decision,
  type RowError,
} from "@clientele/domain";
import { cacheKeys } from "@clientele/cache";
import type { TabularData } from "@clientele/files";
import { sql } from "kysely";
import type { JobDeps } from "./job-deps";
import { PermanentJobError, type CustomerImportPayload } from "./queues";
import { lineOf, runTabularImport, type ChunkOutcome, type ImportSummary } from "./tabular-import.runner";

// The limits are the domain's, so the admin's import wizard states the ones the API applies.
export { MAX_CUSTOMER_IMPORT_BYTES, MAX_CUSTOMER_IMPORT_RECORDS };

type Prepared = { line: number; row: CustomerImportRow; matchId?: string; error?: RowError[] };

/**
 * Decides, for every row, whether it creates a customer, updates the one it matches, or fails as a
 * duplicate (of an earlier row of the file, or in create mode of an existing customer).
 * Deterministic: in-file duplicates are judged before existing ones, so a resumed run, which now
 * sees the customers its earlier chunks created, reaches the same verdicts.
 */
async function prepare(deps: JobDeps, imp: ContactImport, { columns, rows }: TabularData): Promise<Prepared[]> {
  const matchOn = imp.options.matchOn ?? "email";
  const mappings = resolveCustomerMappings(columns, imp.options.mappings, imp.mode === "upsert" ? matchOn : "email");
  if (!mappings.ok) throw new PermanentJobError(`mappings no longer match the file: ${JSON.stringify(mappings.errors)}`);
  const mapped = rows.map((r) => mapCustomerRow(r, mappings.value));
  const emails = mapped.map(importEmailKey);
  const numbers = mapped.map(importNumberKey);
  const matches = await findCustomerMatches(
    deps.db,
    imp.tenantId,
    [...new Set(emails.filter((e): e is string => !!e))],
    [...new Set(numbers.filter((n): n is string => !!n))],
  );
  const byEmail = new Map(matches.flatMap((m) => (m.email ? [[m.email, m] as const] : [])));
  const byNumber = new Map(matches.map((m) => [m.customerNumber, m] as const));
  const emailRepeats = repeatedKeys(emails);
  const numberRepeats = repeatedKeys(numbers);
  const line = (i: number) => lineOf(imp.format, i);
  return mapped.map((row, i) => {
    const fail = (field: string, reason: string): Prepared => ({ line: line(i), row, error: [{ row: line(i), field, reason }] });
    const emailDup = emailRepeats.get(i);
    if (emailDup !== undefined) return fail("primaryEmail", `duplicates the email of row ${line(emailDup)}`);
    const numberDup = numberRepeats.get(i);
    if (numberDup !== undefined) return fail("customerNumber", `duplicates the customer number of row ${line(numberDup)}`);
    const byMail = emails[i] ? byEmail.get(emails[i]!) : undefined;
    const byNum = numbers[i] ? byNumber.get(numbers[i]!) : undefined;
    if (imp.mode === "create") {
      if (byMail) return fail("primaryEmail", `is already used by customer ${byMail.customerNumber}`);
      if (byNum) return fail("customerNumber", `customer ${byNum.customerNumber} already exists (use mode upsert to update it)`);
      return { line: line(i), row };
    }
    const match = matchOn === "email" ? byMail : byNum;
    if (matchOn === "customerNumber" && numbers[i] && !byNum) return fail("customerNumber", "no customer has this number");
    if (byMail && match && byMail.id !== match.id) return fail("primaryEmail", `is already used by customer ${byMail.customerNumber}`);
    return match ? { line: line(i), row, matchId: match.id } : { line: line(i), row };
  });
}

function rowErrors(line: number, error: unknown): RowError[] {
  if (!(error instanceof DomainError)) throw error;
  const fields = Object.entries(error.fieldErrors);
  if (fields.length) return fields.flatMap(([field, messages]) => messages.map((reason) => ({ row: line, field, reason })));
  return [{ row: line, field: error.code === "CUST-002" ? "primaryEmail" : "row", reason: error.message }];
}

type Write = CustomerWrite & { line: number };
/** A chunk's new customers, decided before its transaction (planCreates). */
type Planned = { creates: Write[]; errors: RowError[]; valid: number; prepared: PreparedCustomerInserts | undefined };

const yieldToIo = () => new Promise((r) => setImmediate(r));

/**
 * The chunk's new customers through the domain's registration rules, numbered from the
 * customers' sequence, with all their statements rendered: no transaction needed, so the runner
 * does this for the next chunk while the current one commits (yielding to I/O every 50 rows).
 */
async function planCreates(deps: JobDeps, imp: ContactImport, rows: Prepared[], actor: Actor, now: Date): Promise<Planned> {
  const valid: { line: number; registration: ReturnType<typeof validateRegistration> }[] = [];
  const errors: RowError[] = [];
  for (const [i, p] of rows.entries()) {
    if (i % 50 === 49) await yieldToIo();
    if (p.error || p.matchId) continue;
    try {
      valid.push({ line: p.line, registration: validateRegistration(registrationFromRow(p.row), now) });
    } catch (error) {
      errors.push(...rowErrors(p.line, error));
    }
  }
  if (imp.dryRun || valid.length === 0) return { creates: [], errors, valid: valid.length, prepared: undefined };
  // Outside any transaction, like createCustomer: a chunk rolled back (or never run) leaves a gap, never a duplicate.
  const first = await reserveSequenceValues(deps.db, imp.tenantId, "customer", valid.length);
  const creates = valid.map((c, i): Write => ({
    line: c.line,
    decision: registerCustomer(c.registration, { id: timeOrderedUuid(), tenantId: imp.tenantId, customerNumber: formatCustomerNumber(first + i), actor, now }),
    readVersion: null,
    action: "CustomerRegistered",
  }));
  return { creates, errors, valid: valid.length, prepared: await prepareNewCustomerWrites(actor, creates, null, yieldToIo) };
}

/**
 * Decides the chunk's updates on the locked customers with the domain's update rules, then
 * writes them and the planned new customers through the customers' one write path. A duplicate
 * key (a customer created with the same email since the file was checked) fails only its row:
 * the chunk is written again row by row, each in a savepoint.
 */
async function applyChunk(deps: JobDeps, trx: Trx, imp: ContactImport, rows: Prepared[], actor: Actor, now: Date, planned: Planned): Promise<ChunkOutcome> {
  const errors: RowError[] = [...planned.errors];
  const matched = [...new Set(rows.flatMap((r) => (r.matchId && !r.error ? [r.matchId] : [])))];
  const current = new Map((await lockCustomersByIds(trx, imp.tenantId, matched)).map((c) => [c.id, c]));
  const writes: Write[] = [];
  for (const p of rows) {
    if (p.error) {
      errors.push(...p.error);
      continue;
    }
    if (!p.matchId) continue;
    try {
      const customer = current.get(p.matchId);
      if (!customer || customer.isDeleted) throw new DomainError("CUST-001", "not_found", "The matched customer was deactivated or removed during the import.");
      const { patch, tags } = recordPatchFromRow(p.row, customer);
      let decision: Decision = updateCustomerRecord(customer, patch, actor, now);
      if (tags) {
        const tagged = setCustomerTags(decision.customer, tags, actor, now);
        decision = { ...tagged, events: [...decision.events, ...tagged.events], changes: { ...decision.changes, ...tagged.changes }, warnings: [...decision.warnings, ...tagged.warnings] };
      }
      current.set(customer.id, decision.customer);
      writes.push({ line: p.line, decision, readVersion: customer.version, action: "CustomerImportUpdated" });
    } catch (error) {
      errors.push(...rowErrors(p.line, error));
    }
  }
  const updates = writes.length;
  writes.push(...planned.creates);
  let failedWrites = new Set<Write>();
  if (!imp.dryRun && writes.length) {
    await sql`savepoint chunk`.execute(trx);
    try {
      await writeCustomerDecisions(trx, actor, writes, null, planned.prepared);
    } catch (error) {
      // Raw from a batched insert, or already mapped (CUST-002) by an update that lost a race for the email.
      if (!isDuplicateCustomerEmail(error) && !(error instanceof DomainError && error.code === "CUST-002")) throw error;
      await sql`rollback to savepoint chunk`.execute(trx);
      failedWrites = await writeRowByRow(trx, actor, writes, errors);
    }
  }
  const ok = writes.filter((w) => !failedWrites.has(w));
  const updatedIds = ok.filter((w) => w.readVersion !== null).map((w) => w.decision.customer.id);
  return {
    imported: imp.dryRun ? planned.valid : ok.length - updatedIds.length,
    updated: imp.dryRun ? updates : updatedIds.length,
    errors: errors.sort((a, b) => a.row - b.row),
    afterCommit: async () => {
      if (imp.dryRun || ok.length === 0) return;
      // The worker can't render the API's DTO: updated customers are dropped from the cache, read again on demand.
      await Promise.all([deps.cache.bump(cacheKeys.searchGeneration(imp.tenantId)), ...updatedIds.map((id) => deps.cache.del(cacheKeys.customer(imp.tenantId, id)))]);
    },
  };
}

async function writeRowByRow(trx: Trx, actor: Actor, writes: Write[], errors: RowError[]): Promise<Set<Write>> {
  const failed = new Set<Write>();
  for (const w of writes) {
    await sql`savepoint import_row`.execute(trx);
    try {
      await writeCustomerDecision(trx, actor, w.decision, w.readVersion, w.action, null);
    } catch (error) {
      await sql`rollback to savepoint import_row`.execute(trx);
      // The email's unique key answers CUST-002, a row error like any other refusal.
      errors.push(...rowErrors(w.line, error));
      failed.add(w);
    }
  }
  return failed;
}

/** Runs (or resumes) a customer import on the shared checkpointed runner (runTabularImport). */
export function runCustomerImport(deps: JobDeps, payload: CustomerImportPayload): Promise<ImportSummary> {
  return runTabularImport(deps, payload, {
    kind: "Customer",
    chunkRows: 500,
    // Every verdict was taken by prepare; a chunk's reads lock the customers it updates, and no
    // two rows of a file match the same customer (prepare fails the second), so chunks are disjoint.
    overlapChunks: true,
    maxRecords: MAX_CUSTOMER_IMPORT_RECORDS,
    maxBytes: MAX_CUSTOMER_IMPORT_BYTES,
    prepare,
    plan: (imp, rows, actor, now) => planCreates(deps, imp, rows, actor, now),
    applyChunk: (trx, imp, rows, actor, now, planned) => applyChunk(deps, trx, imp, rows, actor, now, planned!),
    completedEvent: (done, at) => ({
      type: "CustomersImported",
      aggregateType: "CustomerList",
      aggregateId: done.id,
      data: {
        importId: done.id,
        mode: done.mode,
        totalRecords: done.totalRows,
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
