import { randomUUID } from "node:crypto";
import {
  appendAudit,
  appendEvents,
  complaintDashboard,
  findComplaint,
  lockComplaint,
  findFiles,
  getTenantSettings,
  inTransaction,
  touchCustomerActivity,
  insertComplaint,
  insertFollowUp,
  insertStatusHistory,
  listComplaints,
  listStatusHistory,
  nextSequenceValue,
  searchResolutions,
  setTenantSettings,
  updateComplaint,
  type Complaint,
  type Trx,
} from "@clientele/db";
import {
  checkComplaint,
  checkComplaintAttachments,
  decideResolution,
  decideStatusChange,
  DomainError,
  escalationHours,
  formatComplaintNumber,
  knowledgeBaseWords,
  routeComplaint,
  staleVersion,
  validationError,
  type Actor,
  type AssignmentRules,
  type ComplaintStatus,
  type DomainEvent,
  assertVersion,
} from "@clientele/domain";
import type { NotificationPayload } from "@clientele/jobs";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import { loadModifiable, loadVisible, retireLastActivity } from "../customers/customer.use-cases";
import { lockModifiableCustomers } from "../customers/customer-merge.reads";
import type { ZComplaint, ZKnowledgeBaseInput, ZListInput, ZResolveInput, ZSettings, ZStatusInput, ZSubmitComplaintInput } from "./complaint.schemas";

type TComplaint = z.infer<typeof ZComplaint>;

function toComplaintDto(c: Complaint, history?: Awaited<ReturnType<typeof listStatusHistory>>): TComplaint {
  return {
    id: c.id,
    complaintId: c.id,
    complaintNumber: c.complaintNumber,
    customerId: c.customerId,
    subject: c.subject,
    description: c.description,
    category: c.category,
    priority: c.priority as TComplaint["priority"],
    status: c.status as TComplaint["status"],
    relatedEventId: c.relatedEventId,
    assignedTo: c.assignedTo,
    attachments: c.attachments.map((a) => ({ fileId: a.fileId, fileName: a.fileName, size: a.size })),
    resolution: c.resolution,
    compensationOffered: c.compensationOffered,
    customerSatisfied: c.customerSatisfied,
    resolvedBy: c.resolvedBy,
    resolvedAt: c.resolvedAt?.toISOString() ?? null,
    resolutionTimeInHours: c.resolutionTimeHours,
    escalatedAt: c.escalatedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    createdBy: c.createdBy,
    lastModifiedAt: c.lastModifiedAt?.toISOString() ?? null,
    version: c.version,
    ...(history ? { statusHistory: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, notes: h.notes, changedBy: h.changedBy, changedAt: h.changedAt.toISOString() })) } : {}),
  };
}

const state = (c: Complaint) => ({ status: c.status as ComplaintStatus, assignedTo: c.assignedTo, createdAt: c.createdAt });

const notify = (deps: AppDeps, p: NotificationPayload, key: string) => deps.jobs.enqueueNotification(p, key);

/** Category routing: a rule's user, or the next member of its team (a per-team counter keeps the turn). */
async function assigneeFor(deps: AppDeps, tenantId: string, category: string | null) {
  const settings = await getTenantSettings(deps.db, tenantId);
  const route = routeComplaint(category, settings.complaintRouting as AssignmentRules | undefined);
  if (!route) return null;
  if ("userId" in route) return route.userId;
  const turn = await nextSequenceValue(deps.db, tenantId, `complaint-rr:${route.team}`.slice(0, 64));
  return route.members[(turn - 1) % route.members.length] ?? null;
}

export async function submitComplaint(deps: AppDeps, actor: Actor, input: z.infer<typeof ZSubmitComplaintInput>, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const v = checkComplaint(input);
  const files = await findFiles(deps.db, actor.tenantId, input.attachments);
  const missing = input.attachments.filter((id) => !files.some((f) => f.id === id));
  if (missing.length) throw validationError({ attachments: missing.map((id) => `file ${id} not found`) });
  checkComplaintAttachments(files);

  const now = deps.now();
  // Numbers run per tenant and UTC day, from an atomic counter: no two complaints share one.
  const day = now.toISOString().slice(0, 10).replace(/-/g, "");
  const sequence = await nextSequenceValue(deps.db, actor.tenantId, `complaint:${day}`);
  const assignedTo = await assigneeFor(deps, actor.tenantId, v.category);
  const c: Complaint = {
    id: randomUUID(),
    tenantId: actor.tenantId,
    customerId: customer.id,
    complaintNumber: formatComplaintNumber(now, sequence),
    ...v,
    status: "New",
    previousStatus: null,
    relatedEventId: input.relatedEventId ?? null,
    assignedTo,
    attachments: files.map((f) => ({ fileId: f.id, fileName: f.fileName, contentType: f.contentType, size: f.size, storageKey: f.storageKey })),
    resolution: null,
    resolvedBy: null,
    resolvedAt: null,
    resolutionTimeHours: null,
    compensationOffered: null,
    customerSatisfied: null,
    escalatedAt: null,
    escalatedBy: null,
    escalationNotifiedAt: null,
    createdAt: now,
    createdBy: actor.userId,
    lastModifiedAt: null,
    lastModifiedBy: null,
    version: 1,
  };
  await inTransaction(deps.db, async (trx) => {
    await lockModifiableCustomers(trx, c.tenantId, [c.customerId]);
    await insertComplaint(trx, c);
    await touchCustomerActivity(trx, c.tenantId, c.customerId, now);
    await insertStatusHistory(trx, [{ complaintId: c.id, tenantId: c.tenantId, fromStatus: null, toStatus: "New", notes: "Complaint received", changedBy: actor.userId, changedAt: now }]);
    await appendAudit(trx, [{ tenantId: c.tenantId, entityType: "Complaint", entityId: c.id, action: "CustomerComplaintReceived", actorId: actor.userId, occurredAt: now, changes: {}, traceId }]);
    await appendEvents(
      trx,
      [
        {
          type: "CustomerComplaintReceived",
          aggregateType: "Complaint",
          aggregateId: c.id,
          data: { complaintId: c.id, customerId: c.customerId, complaintNumber: c.complaintNumber, subject: c.subject, description: c.description, priority: c.priority, category: c.category, assignedTo, receivedAt: now.toISOString() },
        },
      ],
      { tenantId: c.tenantId, actor: actor.userId, version: 1, occurredAt: now },
    );
  });
  await retireLastActivity(deps, c.tenantId, [c.customerId]);
  await notify(deps, { kind: "complaint-received", tenantId: c.tenantId, complaintId: c.id }, `complaint-received:${c.id}`);
  return toComplaintDto(c);
}

/**
 * The complaint locked for the rest of the transaction: concurrent changes take turns, each
 * deciding on what the one before committed (a stale version, when one is sent, is 409).
 */
async function lockOwned(trx: Trx, actor: Actor, customerId: string, complaintId: string) {
  const c = await lockComplaint(trx, actor.tenantId, complaintId);
  if (!c || c.customerId !== customerId) throw new DomainError("COMP-001", "not_found", "Complaint not found.");
  return c;
}

async function load(deps: AppDeps, actor: Actor, customerId: string, complaintId: string) {
  await loadVisible(deps, actor, customerId);
  const c = await findComplaint(deps.db, actor.tenantId, complaintId);
  if (!c || c.customerId !== customerId) throw new DomainError("COMP-001", "not_found", "Complaint not found.");
  return c;
}

export async function getComplaint(deps: AppDeps, actor: Actor, input: { customerId: string; complaintId: string }) {
  const c = await load(deps, actor, input.customerId, input.complaintId);
  return toComplaintDto(c, await listStatusHistory(deps.db, c.id));
}

export async function changeStatus(deps: AppDeps, actor: Actor, input: z.infer<typeof ZStatusInput>, traceId: string) {
  await loadVisible(deps, actor, input.customerId);
  const { c, next, historyId } = await inTransaction(deps.db, async (trx) => {
    const c = await lockOwned(trx, actor, input.customerId, input.complaintId);
    assertVersion(input.version, c.version, "complaint");
    const d = decideStatusChange(state(c), input.status, input.notes, actor);
    const now = deps.now();
    const next: Complaint = {
      ...c,
      status: d.to,
      previousStatus: c.status,
      ...(d.to === "Escalated" ? { escalatedAt: now, escalatedBy: actor.userId } : {}),
      lastModifiedAt: now,
      lastModifiedBy: actor.userId,
      version: c.version + 1,
    };
    if (!(await updateComplaint(trx, next, c.version))) throw staleVersion(c.version, c.version + 1, "complaint");
    const id = await insertStatusHistory(trx, [{ complaintId: c.id, tenantId: c.tenantId, fromStatus: c.status, toStatus: d.to, notes: d.notes, changedBy: actor.userId, changedAt: now }]);
    await appendAudit(trx, [{ tenantId: c.tenantId, entityType: "Complaint", entityId: c.id, action: "ComplaintStatusChanged", actorId: actor.userId, occurredAt: now, changes: { status: { from: c.status, to: d.to } }, traceId }]);
    const type = d.to === "Escalated" ? "CustomerComplaintEscalated" : "CustomerComplaintStatusChanged";
    // Number and priority as the sweep's escalations carry them, so a reader needs no lookup (the live dashboard).
    await appendEvents(
      trx,
      [{ type, aggregateType: "Complaint", aggregateId: c.id, data: { complaintId: c.id, customerId: c.customerId, complaintNumber: c.complaintNumber, priority: c.priority, fromStatus: c.status, toStatus: d.to, notes: d.notes, automatic: false, changedAt: now.toISOString() } }],
      { tenantId: c.tenantId, actor: actor.userId, version: next.version, occurredAt: now },
    );
    return { c, next, historyId: id! };
  });
  await notify(deps, { kind: "complaint-status", tenantId: c.tenantId, complaintId: c.id, historyId }, `complaint-status:${c.id}:${historyId}`);
  return toComplaintDto(next, await listStatusHistory(deps.db, c.id));
}

export async function resolveComplaint(deps: AppDeps, actor: Actor, input: z.infer<typeof ZResolveInput>, traceId: string) {
  await loadVisible(deps, actor, input.customerId);
  const { c, next, r, followUp } = await inTransaction(deps.db, async (trx) => {
    const c = await lockOwned(trx, actor, input.customerId, input.complaintId);
    assertVersion(input.version, c.version, "complaint");
    const now = deps.now();
    const r = decideResolution(state(c), input, actor, now);
    const next: Complaint = {
      ...c,
      status: "Resolved",
      previousStatus: c.status,
      resolution: r.resolution,
      compensationOffered: r.compensationOffered,
      customerSatisfied: r.customerSatisfied,
      resolvedBy: actor.userId,
      resolvedAt: now,
      resolutionTimeHours: r.resolutionTimeInHours,
      lastModifiedAt: now,
      lastModifiedBy: actor.userId,
      version: c.version + 1,
    };
    // An unhappy customer gets a follow-up task, due in two days, for whoever owned the complaint.
    const followUp = r.customerSatisfied
      ? null
      : {
          id: randomUUID(),
          tenantId: c.tenantId,
          customerId: c.customerId,
          subject: `Customer not satisfied with the resolution of ${c.complaintNumber}`,
          description: `${c.subject}\n\nResolution: ${r.resolution}`,
          dueDate: new Date(now.getTime() + 48 * 3_600_000),
          priority: "High",
          status: "Pending",
          assignedTo: c.assignedTo ?? actor.userId,
          createdAt: now,
          createdBy: actor.userId,
        };
    if (!(await updateComplaint(trx, next, c.version))) throw staleVersion(c.version, c.version + 1, "complaint");
    await insertStatusHistory(trx, [{ complaintId: c.id, tenantId: c.tenantId, fromStatus: c.status, toStatus: "Resolved", notes: r.resolution, changedBy: actor.userId, changedAt: now }]);
    await appendAudit(trx, [{ tenantId: c.tenantId, entityType: "Complaint", entityId: c.id, action: "CustomerComplaintResolved", actorId: actor.userId, occurredAt: now, changes: { status: { from: c.status, to: "Resolved" } }, traceId }]);
    const events: (DomainEvent & { version: number })[] = [
      {
        type: "CustomerComplaintResolved",
        aggregateType: "Complaint",
        aggregateId: c.id,
        version: next.version,
        data: { complaintId: c.id, customerId: c.customerId, resolution: r.resolution, resolvedBy: actor.userId, resolvedAt: now.toISOString(), resolutionTimeInHours: r.resolutionTimeInHours, customerSatisfied: r.customerSatisfied },
      },
    ];
    if (followUp) {
      await insertFollowUp(trx, followUp);
      events.push({
        type: "CustomerFollowUpCreated",
        aggregateType: "Communication",
        aggregateId: followUp.id,
        version: 1,
        data: { followUpId: followUp.id, customerId: c.customerId, subject: followUp.subject, description: followUp.description, dueDate: followUp.dueDate.toISOString(), assignedTo: followUp.assignedTo, createdAt: now.toISOString(), complaintId: c.id },
      });
    }
    await appendEvents(trx, events, { tenantId: c.tenantId, actor: actor.userId, version: next.version, occurredAt: now });
    return { c, next, r, followUp };
  });
  await notify(deps, { kind: "complaint-resolved", tenantId: c.tenantId, complaintId: c.id }, `complaint-resolved:${c.id}`);
  if (followUp) await notify(deps, { kind: "follow-up-assigned", tenantId: c.tenantId, followUpId: followUp.id, version: 1 }, `follow-up-assigned:${followUp.id}:1`);
  return { resolutionTimeInHours: r.resolutionTimeInHours, followUpId: followUp?.id ?? null, complaint: toComplaintDto(next, await listStatusHistory(deps.db, c.id)) };
}

export async function listComplaintDtos(deps: AppDeps, actor: Actor, input: z.infer<typeof ZListInput>) {
  if (input.customerId) await loadVisible(deps, actor, input.customerId);
  const { items, totalCount } = await listComplaints(deps.db, actor.tenantId, {
    customerId: input.customerId,
    statuses: input.status,
    priorities: input.priority,
    assignedTo: input.assignedTo,
    category: input.category,
    page: input.page,
    pageSize: input.pageSize,
  });
  return { items: items.map((c) => toComplaintDto(c)), totalCount, page: input.page, pageSize: input.pageSize, totalPages: Math.ceil(totalCount / input.pageSize) };
}

export async function dashboard(deps: AppDeps, actor: Actor) {
  const settings = await getTenantSettings(deps.db, actor.tenantId);
  const hours = escalationHours(settings.escalationHours as Record<string, number> | undefined);
  const d = await complaintDashboard(deps.db, actor.tenantId, actor.userId, deps.now(), hours);
  return { openByPriority: d.openByPriority, overdueForEscalation: d.overdueForEscalation.map((c) => toComplaintDto(c)), mine: d.mine.map((c) => toComplaintDto(c)), escalationHours: hours };
}

export async function knowledgeBase(deps: AppDeps, actor: Actor, input: z.infer<typeof ZKnowledgeBaseInput>) {
  const words = knowledgeBaseWords(input.query ?? "");
  const { items, totalCount } = await searchResolutions(deps.db, actor.tenantId, { category: input.category, words, page: input.page, pageSize: input.pageSize });
  return {
    items: items.map((c) => ({
      complaintId: c.id,
      complaintNumber: c.complaintNumber,
      category: c.category,
      subject: c.subject,
      resolution: c.resolution,
      compensationOffered: c.compensationOffered,
      resolvedAt: c.resolvedAt?.toISOString() ?? null,
      customerSatisfied: c.customerSatisfied,
    })),
    totalCount,
    page: input.page,
    pageSize: input.pageSize,
    totalPages: Math.ceil(totalCount / input.pageSize),
  };
}

export async function getSettings(deps: AppDeps, actor: Actor) {
  const s = await getTenantSettings(deps.db, actor.tenantId);
  return {
    routing: (s.complaintRouting as AssignmentRules | undefined) ?? { rules: [], teams: {} },
    escalationHours: escalationHours(s.escalationHours as Record<string, number> | undefined),
    supportEmails: (s.supportEmails as string[] | undefined) ?? [],
    managerEmails: (s.managerEmails as string[] | undefined) ?? [],
  };
}

export async function putSettings(deps: AppDeps, actor: Actor, input: z.infer<typeof ZSettings>) {
  if (input.routing) {
    const unknownTeams = input.routing.rules.filter((r) => r.team && !input.routing!.teams[r.team]).map((r) => r.team);
    const bad = input.routing.rules.filter((r) => Boolean(r.userId) === Boolean(r.team));
    if (unknownTeams.length || bad.length) {
      throw validationError({
        ...(unknownTeams.length ? { "routing.teams": [`unknown team(s): ${unknownTeams.join(", ")}`] } : {}),
        ...(bad.length ? { "routing.rules": ["each rule names either a userId or a team"] } : {}),
      });
    }
  }
  await setTenantSettings(deps.db, actor.tenantId, {
    ...(input.routing ? { complaintRouting: input.routing } : {}),
    ...(input.escalationHours ? { escalationHours: input.escalationHours } : {}),
    ...(input.supportEmails ? { supportEmails: input.supportEmails } : {}),
    ...(input.managerEmails ? { managerEmails: input.managerEmails } : {}),
  });
  return getSettings(deps, actor);
}
