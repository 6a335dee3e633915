import { randomUUID } from "node:crypto";
import {
  appendAudit,
  appendEvents,
  applyMembershipChange,
  closeAllMemberships,
  countCustomersMatchingCriteria,
  existingCustomerIds,
  findCustomerById,
  findSegmentById,
  findSegmentIncludingDeleted,
  inTransaction,
  insertSegment,
  isDuplicateSegmentName,
  listAllSegments,
  listCustomerSegmentMemberships,
  listSegmentMembers,
  listSegmentMembershipHistory,
  listSegments,
  lockMembersAmong,
  lockSegmentById,
  updateSegment,
  type SegmentRow,
  type Trx,
} from "@clientele/db";
import {
  checkSegmentDraft,
  customerNotFound,
  duplicateSegmentName,
  membershipDiff,
  notStaticSegment,
  segmentClock,
  segmentEvent,
  segmentNotFound,
  staleVersion,
  validationError,
  ZSegmentCriteria,
  type Actor,
  type SegmentCriteria,
  type SegmentKind,
} from "@clientele/domain";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import type {
  TCreateSegmentInput,
  TSegment,
  TUpdateSegmentInput,
  ZBulkSegmentInput,
  ZBulkSegmentOutput,
  ZCustomerSegmentsOutput,
  ZExportOutput,
  ZHistoryOutput,
  ZImportInput,
  ZImportOutput,
  ZListSegmentsInput,
  ZMembersOutput,
} from "./segment.schemas";

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const pages = (total: number, pageSize: number) => Math.max(1, Math.ceil(total / pageSize));

export const toSegmentDto = (s: SegmentRow): TSegment => ({
  id: s.id,
  name: s.name,
  description: s.description,
  ruleId: s.ruleId,
  kind: s.kind,
  criteria: s.criteria as Record<string, unknown> | null,
  status: s.status,
  customerCount: s.customerCount,
  lastCalculated: iso(s.lastCalculatedAt),
  calculation: { total: s.calcTotal, done: s.calcDone, error: s.calcError },
  createdBy: s.createdBy,
  createdAt: s.createdAt.toISOString(),
  updatedAt: iso(s.updatedAt),
  version: s.version,
});

/** The domain's criteria check, its messages under `criteria.` (or `<prefix>criteria.`). */
function parseCriteria(raw: unknown, prefix = ""): SegmentCriteria {
  const parsed = ZSegmentCriteria.safeParse(raw);
  if (parsed.success) return parsed.data;
  const errors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (errors[[`${prefix}criteria`, ...issue.path].join(".")] ??= []).push(issue.message);
  throw validationError(errors);
}

async function segmentOr404(deps: AppDeps, actor: Actor, id: string): Promise<SegmentRow> {
  const s = await findSegmentById(deps.db, actor.tenantId, id);
  if (!s) throw segmentNotFound();
  return s;
}

/** A full calculation in the worker; the row says CALCULATING until it is done (or ERROR). */
async function queueCalculation(deps: AppDeps, tenantId: string, segmentId: string): Promise<boolean> {
  return deps.jobs.enqueueSegmentCalculation({ tenantId, segmentId, requestedAt: deps.now().toISOString() });
}

type Draft = { name: string; description?: string | null | undefined; ruleId?: string | null | undefined; kind: SegmentKind; criteria?: Record<string, unknown> | null | undefined; status: "ACTIVE" | "INACTIVE" };

async function createInTrx(trx: Trx, actor: Actor, d: Draft, criteria: SegmentCriteria | null, now: Date, traceId: string | null): Promise<string> {
  const id = randomUUID();
  const status = d.kind === "dynamic" && d.status === "ACTIVE" ? "CALCULATING" : d.status;
  await insertSegment(trx, {
    id,
    tenantId: actor.tenantId,
    name: d.name,
    description: d.description ?? null,
    ruleId: d.ruleId ?? null,
    kind: d.kind,
    criteria,
    status,
    createdBy: actor.userId,
    createdAt: now,
  });
  await appendAudit(trx, [{ tenantId: actor.tenantId, entityType: "CustomerSegment", entityId: id, action: "CustomerSegmentCreated", actorId: actor.userId, occurredAt: now, changes: { name: { from: null, to: d.name }, kind: { from: null, to: d.kind }, criteria: { from: null, to: criteria } }, traceId }]);
  await appendEvents(trx, [segmentEvent("CustomerSegmentCreated", { id, name: d.name, kind: d.kind })], { tenantId: actor.tenantId, actor: actor.userId, version: 1, occurredAt: now });
  return id;
}

export async function createSegment(deps: AppDeps, actor: Actor, input: TCreateSegmentInput, traceId: string): Promise<TSegment> {
  const criteria = input.criteria === undefined ? null : parseCriteria(input.criteria);
  checkSegmentDraft({ ...input, criteria });
  const now = deps.now();
  let id: string;
  try {
    id = await inTransaction(deps.db, (trx) => createInTrx(trx, actor, input, criteria, now, traceId));
  } catch (error) {
    if (isDuplicateSegmentName(error)) throw duplicateSegmentName();
    throw error;
  }
  if (input.kind === "dynamic" && input.status === "ACTIVE") await queueCalculation(deps, actor.tenantId, id);
  return toSegmentDto((await findSegmentById(deps.db, actor.tenantId, id))!);
}

export async function getSegment(deps: AppDeps, actor: Actor, segmentId: string): Promise<TSegment> {
  return toSegmentDto(await segmentOr404(deps, actor, segmentId));
}

export async function listSegmentDtos(deps: AppDeps, actor: Actor, q: z.infer<typeof ZListSegmentsInput>) {
  const { items, total } = await listSegments(deps.db, actor.tenantId, q);
  return { items: items.map(toSegmentDto), totalCount: total, page: q.page, pageSize: q.pageSize, totalPages: pages(total, q.pageSize) };
}

/** Versioned (409 when stale); new criteria, or a segment switched on, are calculated again in full. */
export async function updateSegmentDefinition(deps: AppDeps, actor: Actor, input: TUpdateSegmentInput, traceId: string): Promise<TSegment> {
  const criteria = input.criteria === undefined ? undefined : parseCriteria(input.criteria);
  const now = deps.now();
  let recalc = false;
  try {
    await inTransaction(deps.db, async (trx) => {
      const s = await lockSegmentById(trx, actor.tenantId, input.segmentId);
      if (!s) throw segmentNotFound();
      if (s.version !== input.version) throw staleVersion(input.version, s.version, "segment");
      if (criteria !== undefined) checkSegmentDraft({ name: s.name, kind: s.kind, criteria });
      const next = {
        name: input.name ?? s.name,
        description: input.description === undefined ? s.description : input.description,
        ruleId: input.ruleId === undefined ? s.ruleId : input.ruleId,
        criteria: criteria === undefined ? s.criteria : criteria,
        status: input.status ?? (s.status === "INACTIVE" ? "INACTIVE" : s.status),
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of ["name", "description", "ruleId", "criteria", "status"] as const) {
        if (JSON.stringify(next[k]) !== JSON.stringify(s[k])) changes[k] = { from: s[k], to: next[k] };
      }
      recalc = s.kind === "dynamic" && next.status !== "INACTIVE" && ("criteria" in changes || (changes.status !== undefined && s.status === "INACTIVE"));
      const status = recalc ? "CALCULATING" : next.status;
      await updateSegment(trx, actor.tenantId, s.id, { ...next, status, updatedBy: actor.userId, updatedAt: now }, s.version);
      await appendAudit(trx, [{ tenantId: actor.tenantId, entityType: "CustomerSegment", entityId: s.id, action: "CustomerSegmentUpdated", actorId: actor.userId, occurredAt: now, changes, traceId }]);
      await appendEvents(trx, [segmentEvent("CustomerSegmentUpdated", { id: s.id, name: next.name, kind: s.kind }, { changed: Object.keys(changes) })], {
        tenantId: actor.tenantId,
        actor: actor.userId,
        version: s.version + 1,
        occurredAt: now,
      });
    });
  } catch (error) {
    if (isDuplicateSegmentName(error)) throw duplicateSegmentName();
    throw error;
  }
  if (recalc) await queueCalculation(deps, actor.tenantId, input.segmentId);
  return getSegment(deps, actor, input.segmentId);
}

/** Soft delete: the members go (their open periods close), the history stays readable (GET …/history). */
export async function deleteSegment(deps: AppDeps, actor: Actor, input: { segmentId: string; version?: number | undefined }, traceId: string): Promise<void> {
  const now = deps.now();
  await inTransaction(deps.db, async (trx) => {
    const s = await lockSegmentById(trx, actor.tenantId, input.segmentId);
    if (!s) throw segmentNotFound();
    if (input.version !== undefined && s.version !== input.version) throw staleVersion(input.version, s.version, "segment");
    await updateSegment(trx, actor.tenantId, s.id, { deletedAt: now, deletedBy: actor.userId, customerCount: 0 }, s.version);
    await closeAllMemberships(trx, actor.tenantId, s.id, now);
    await appendAudit(trx, [{ tenantId: actor.tenantId, entityType: "CustomerSegment", entityId: s.id, action: "CustomerSegmentDeleted", actorId: actor.userId, occurredAt: now, changes: { deletedAt: { from: null, to: now.toISOString() } }, traceId }]);
    await appendEvents(trx, [segmentEvent("CustomerSegmentDeleted", s)], { tenantId: actor.tenantId, actor: actor.userId, version: s.version + 1, occurredAt: now });
  });
}

/** Queues a full calculation (202); progress shows on the segment (status, calculation.done of total). */
export async function calculateSegment(deps: AppDeps, actor: Actor, segmentId: string) {
  const s = await segmentOr404(deps, actor, segmentId);
  if (s.kind !== "dynamic") throw validationError({ segmentId: ["a static segment has no criteria to calculate"] });
  await updateSegment(deps.db, actor.tenantId, s.id, { status: "CALCULATING", calcDone: 0, calcError: null });
  const queued = await queueCalculation(deps, actor.tenantId, s.id);
  return { segmentId: s.id, status: "CALCULATING" as const, queued };
}

export async function previewSegment(deps: AppDeps, actor: Actor, raw: Record<string, unknown>) {
  const criteria = parseCriteria(raw);
  const clock = segmentClock(deps.now());
  return { customerCount: await countCustomersMatchingCriteria(deps.db, actor.tenantId, criteria, clock), calculatedAt: clock.now.toISOString() };
}

export async function listMembers(deps: AppDeps, actor: Actor, q: { segmentId: string; page: number; pageSize: number }): Promise<z.infer<typeof ZMembersOutput>> {
  await segmentOr404(deps, actor, q.segmentId);
  const { items, total } = await listSegmentMembers(deps.db, actor.tenantId, q.segmentId, q.page, q.pageSize);
  return {
    items: items.map((m) => ({ customerId: m.id, customerNumber: m.customerNumber, companyName: m.companyName, type: m.type, status: m.status, joinedAt: m.joinedAt.toISOString(), reason: m.reason as "criteria" })),
    totalCount: total,
    page: q.page,
    pageSize: q.pageSize,
    totalPages: pages(total, q.pageSize),
  };
}

/** Every membership period, also of a deleted segment (audit). */
export async function membershipHistory(deps: AppDeps, actor: Actor, q: { segmentId: string; page: number; pageSize: number }): Promise<z.infer<typeof ZHistoryOutput>> {
  const s = await findSegmentIncludingDeleted(deps.db, actor.tenantId, q.segmentId);
  if (!s) throw segmentNotFound();
  const { items, total } = await listSegmentMembershipHistory(deps.db, actor.tenantId, q.segmentId, q.page, q.pageSize);
  return {
    segment: { id: s.id, name: s.name, deletedAt: iso(s.deletedAt) },
    items: items.map((h) => ({ customerId: h.customerId, joinedAt: h.joinedAt.toISOString(), joinReason: h.joinReason as "criteria", leftAt: iso(h.leftAt), leaveReason: h.leaveReason as "criteria" | null })),
    totalCount: total,
    page: q.page,
    pageSize: q.pageSize,
    totalPages: pages(total, q.pageSize),
  };
}

export async function customerSegments(deps: AppDeps, actor: Actor, customerId: string): Promise<z.infer<typeof ZCustomerSegmentsOutput>> {
  if (!(await findCustomerById(deps.db, actor.tenantId, customerId))) throw customerNotFound();
  const rows = await listCustomerSegmentMemberships(deps.db, actor.tenantId, customerId);
  return {
    customerId,
    segments: rows.map((r) => ({ segmentId: r.id, name: r.name, kind: r.kind as "static", status: r.status as "ACTIVE", joinedAt: r.joinedAt.toISOString(), reason: r.reason as "manual" })),
  };
}

/** Static members added and removed by hand (reason "manual"), each id's outcome reported; unknown or other tenants' ids are not_found. */
export async function bulkAssign(deps: AppDeps, actor: Actor, input: z.infer<typeof ZBulkSegmentInput>): Promise<z.infer<typeof ZBulkSegmentOutput>> {
  const now = deps.now();
  return inTransaction(deps.db, async (trx) => {
    const s = await lockSegmentById(trx, actor.tenantId, input.segmentId);
    if (!s) throw segmentNotFound();
    if (s.kind !== "static") throw notStaticSegment();
    const named = [...new Set([...input.add, ...input.remove])];
    const known = await existingCustomerIds(trx, actor.tenantId, named);
    const current = new Set(await lockMembersAmong(trx, actor.tenantId, s.id, named));
    const next = new Set(current);
    for (const id of input.add) if (known.has(id)) next.add(id);
    for (const id of input.remove) next.delete(id);
    const diff = membershipDiff(current, next);
    await applyMembershipChange(trx, actor.tenantId, s, diff, "manual", actor.userId, now);
    await updateSegment(trx, actor.tenantId, s.id, { customerCount: s.customerCount + diff.joined.length - diff.left.length, lastCalculatedAt: now });
    const outcome = (id: string) =>
      diff.joined.includes(id) ? ("added" as const) : diff.left.includes(id) ? ("removed" as const) : known.has(id) || current.has(id) ? ("unchanged" as const) : ("not_found" as const);
    return { segmentId: s.id, added: diff.joined.length, removed: diff.left.length, results: named.map((customerId) => ({ customerId, outcome: outcome(customerId) })) };
  });
}

export async function exportSegments(deps: AppDeps, actor: Actor): Promise<z.infer<typeof ZExportOutput>> {
  const rows = await listAllSegments(deps.db, actor.tenantId);
  return {
    exportedAt: deps.now().toISOString(),
    segments: rows.map((s) => ({
      name: s.name,
      description: s.description,
      ruleId: s.ruleId,
      kind: s.kind,
      criteria: s.criteria as Record<string, unknown> | null,
      status: s.status === "INACTIVE" ? ("INACTIVE" as const) : ("ACTIVE" as const),
    })),
  };
}

/**
 * Definitions (no members) from an export: all are checked first (400 naming `segments.<i>.…`);
 * a name the tenant already uses, or repeated in the file, is skipped; the rest are created in
 * one transaction and the dynamic ones calculated.
 */
export async function importSegments(deps: AppDeps, actor: Actor, input: z.infer<typeof ZImportInput>, traceId: string): Promise<z.infer<typeof ZImportOutput>> {
  const checked = input.segments.map((d, i) => {
    const criteria = d.criteria === undefined || d.criteria === null ? null : parseCriteria(d.criteria, `segments.${i}.`);
    try {
      checkSegmentDraft({ ...d, criteria });
    } catch (error) {
      const fe = (error as { fieldErrors?: Record<string, string[]> }).fieldErrors ?? {};
      throw validationError(Object.fromEntries(Object.entries(fe).map(([k, v]) => [`segments.${i}.${k}`, v])));
    }
    return { d, criteria };
  });
  const now = deps.now();
  const existing = new Set((await listAllSegments(deps.db, actor.tenantId)).map((s) => s.name.toLowerCase()));
  const results: z.infer<typeof ZImportOutput>["results"] = [];
  const created: { id: string; dynamic: boolean }[] = [];
  try {
    await inTransaction(deps.db, async (trx) => {
      results.length = 0;
      created.length = 0;
      const seen = new Set(existing);
      for (const { d, criteria } of checked) {
        const key = d.name.toLowerCase();
        if (seen.has(key)) {
          results.push({ name: d.name, outcome: "skipped", segmentId: null, reason: "a segment with this name exists" });
          continue;
        }
        seen.add(key);
        const id = await createInTrx(trx, actor, d, criteria, now, traceId);
        created.push({ id, dynamic: d.kind === "dynamic" && d.status === "ACTIVE" });
        results.push({ name: d.name, outcome: "created", segmentId: id, reason: null });
      }
    });
  } catch (error) {
    if (isDuplicateSegmentName(error)) throw duplicateSegmentName();
    throw error;
  }
  for (const c of created) if (c.dynamic) await queueCalculation(deps, actor.tenantId, c.id);
  return { created: created.length, skipped: results.length - created.length, results };
}
