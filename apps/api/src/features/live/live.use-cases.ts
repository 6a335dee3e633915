import { setTimeout as sleep } from "node:timers/promises";
import { findExport, findImport, type ContactExport, type ContactImport, type TransferKind } from "@clientele/db";
import { DomainError, type Actor, type ComplaintPriority, type EventEnvelope, type Topic } from "@clientele/domain";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import { importStatus } from "../contacts/contact-transfer.use-cases";
import { loadVisible } from "../customers/customer.use-cases";
import type { ZLiveComplaintEvent, ZLiveCustomerEvent, ZLiveExportProgress, ZLiveImportProgress } from "./live.schemas";

/** An item of a live stream with its id: what a reconnecting client sends back to resume after it. */
export type Identified<T> = readonly [id: string, item: T];

/** How often a job's row is read while someone watches it (see jobProgress). */
export const JOB_POLL_MS = 1000;

// Events about the customer that change nothing on its page (a dismissed duplicate pair belongs to the duplicates queue).
const UNSHOWN = new Set(["CustomerRegistered", "CustomerDuplicateDismissed"]);

async function* fromTopic<T>(
  deps: AppDeps,
  actor: Actor,
  topic: Topic,
  after: string | undefined,
  signal: AbortSignal | undefined,
  accept: (e: EventEnvelope) => boolean,
  toItem: (e: EventEnvelope) => T,
) {
  for await (const e of deps.live.events(topic, { tenantId: actor.tenantId, after, signal, accept })) {
    yield ("ready" in e ? [e.ready, { kind: "ready" as const }] : [e.streamId, toItem(e.envelope)]) as Identified<T | { kind: "ready" }>;
  }
}

/** Changes to one customer of the caller's tenant (404 for another tenant's, as everywhere). */
export async function customerChanges(deps: AppDeps, actor: Actor, input: { customerId: string; lastEventId?: string }, signal?: AbortSignal) {
  await loadVisible(deps, actor, input.customerId);
  const accept = (e: EventEnvelope) => e.tenantId === actor.tenantId && e.aggregateType === "Customer" && e.aggregateId === input.customerId && !UNSHOWN.has(e.type);
  return fromTopic<z.infer<typeof ZLiveCustomerEvent>>(deps, actor, "customer-events", input.lastEventId, signal, accept, (e) => ({
    kind: "changed",
    eventId: e.id,
    type: e.type,
    customerId: e.aggregateId,
    version: e.version,
    actor: e.actor,
    occurredAt: e.occurredAt,
  }));
}

const COMPLAINT_KINDS: Record<string, "received" | "escalated"> = { CustomerComplaintReceived: "received", CustomerComplaintEscalated: "escalated" };

/**
 * New and escalated complaints of the caller's tenant: ids, number and priority only. The subject
 * and description stay out of the stream (they may name people); the dashboard reads them itself.
 */
export function complaintArrivals(deps: AppDeps, actor: Actor, input: { lastEventId?: string }, signal?: AbortSignal) {
  const accept = (e: EventEnvelope) => e.tenantId === actor.tenantId && e.type in COMPLAINT_KINDS;
  return fromTopic<z.infer<typeof ZLiveComplaintEvent>>(deps, actor, "complaint-events", input.lastEventId, signal, accept, (e) => ({
    kind: COMPLAINT_KINDS[e.type]!,
    eventId: e.id,
    complaintId: e.aggregateId,
    customerId: String(e.data.customerId ?? ""),
    complaintNumber: typeof e.data.complaintNumber === "string" ? e.data.complaintNumber : null,
    priority: (typeof e.data.priority === "string" ? e.data.priority : null) as ComplaintPriority | null,
    automatic: e.data.automatic === true,
    actor: e.actor,
    occurredAt: e.occurredAt,
  }));
}

/**
 * A job's state as it changes, until it ends. Progress lives in the job's row (a checkpoint per
 * chunk), not in the event streams: only completion is a domain event, and a failure is none, so
 * the row is read every JOB_POLL_MS, one primary-key read per watcher, and sent when it changed.
 */
async function* jobProgress<T>(deps: AppDeps, signal: AbortSignal | undefined, lastId: string | undefined, read: () => Promise<T | undefined>, idOf: (p: T) => string, done: (p: T) => boolean) {
  const stop = signal ? AbortSignal.any([signal, deps.live.shutdown]) : deps.live.shutdown;
  let last = lastId;
  for (;;) {
    const p = await read();
    // Removed by the retention sweep while watched: nothing more will happen to it.
    if (!p) return;
    const id = idOf(p);
    if (id !== last) yield [(last = id), p] as Identified<T>;
    if (done(p)) return;
    // An abort (client gone, or shutdown) ends the stream without a final event, so the client's EventSource reconnects.
    await sleep(JOB_POLL_MS, undefined, { signal: stop });
  }
}

const toImportProgress = (imp: ContactImport): z.infer<typeof ZLiveImportProgress> => {
  const { importId, status, totalRows, processedRows, imported, updated, failed, failureReason, completedAt } = importStatus(imp, []);
  return { importId, status, totalRows, processedRows, imported, updated, failed, failureReason, completedAt };
};

const toExportProgress = (exp: ContactExport<unknown>): z.infer<typeof ZLiveExportProgress> => ({
  exportId: exp.id,
  status: exp.status,
  recordCount: exp.recordCount,
  failureReason: exp.failureReason,
  completedAt: exp.completedAt?.toISOString() ?? null,
});

export async function importProgress(deps: AppDeps, actor: Actor, input: { kind: TransferKind; importId: string; lastEventId?: string }, signal?: AbortSignal) {
  const read = async () => {
    const imp = await findImport(deps.db, actor.tenantId, input.importId, input.kind);
    return imp && toImportProgress(imp);
  };
  if (!(await read())) throw new DomainError("IMPORT-001", "not_found", "Import not found.");
  return jobProgress(deps, signal, input.lastEventId, read, (p) => `${p.status}:${p.processedRows}:${p.failed}`, (p) => p.status === "Completed" || p.status === "Failed");
}

export async function exportProgress(deps: AppDeps, actor: Actor, input: { kind: TransferKind; exportId: string; lastEventId?: string }, signal?: AbortSignal) {
  const read = async () => {
    const exp = await findExport<unknown>(deps.db, actor.tenantId, input.exportId, input.kind);
    return exp && toExportProgress(exp);
  };
  if (!(await read())) throw new DomainError("EXPORT-001", "not_found", "Export not found.");
  return jobProgress(deps, signal, input.lastEventId, read, (p) => `${p.status}:${p.recordCount ?? ""}`, (p) => p.status !== "Queued" && p.status !== "Processing");
}
