import { randomUUID } from "node:crypto";
import { appendAudit, appendEvents, findUser, inTransaction, insertFollowUp, listCustomerFollowUps, listTasks, lockFollowUp, updateFollowUp, type FollowUp } from "@clientele/db";
import { assertVersion, can, checkFollowUp, DomainError, isOverdue, staleVersion, validationError, type Actor } from "@clientele/domain";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import type { ZFollowUpInput } from "../communications/communication.schemas";
import { loadModifiable, loadVisible } from "../customers/customer.use-cases";
import { lockModifiableCustomers } from "../customers/customer-merge.reads";

const toFollowUpDto = (f: FollowUp, now: Date) => ({
  id: f.id,
  customerId: f.customerId,
  subject: f.subject,
  description: f.description,
  dueDate: f.dueDate.toISOString(),
  priority: f.priority,
  status: f.status,
  assignedTo: f.assignedTo,
  overdue: isOverdue(f, now),
  completedAt: f.completedAt?.toISOString() ?? null,
  completedBy: f.completedBy,
  createdAt: f.createdAt.toISOString(),
  createdBy: f.createdBy,
  version: f.version,
});

/** The assignee must be a user of this tenant we have seen (so we know where to notify them). */
async function checkAssignee(deps: AppDeps, actor: Actor, assignedTo: string | null | undefined) {
  if (!assignedTo) return null;
  const user = await findUser(deps.db, actor.tenantId, assignedTo);
  if (!user) throw validationError({ assignedTo: ["is not a known user of this tenant (users become known when they first sign in)"] });
  return assignedTo;
}

async function notify(deps: AppDeps, f: FollowUp) {
  if (!f.assignedTo) return;
  await deps.jobs.enqueueNotification({ kind: "follow-up-assigned", tenantId: f.tenantId, followUpId: f.id, version: f.version }, `follow-up-assigned:${f.id}:${f.version}`);
}

export async function createFollowUp(deps: AppDeps, actor: Actor, input: z.infer<typeof ZFollowUpInput>, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const now = deps.now();
  const v = checkFollowUp(input, now);
  const assignedTo = await checkAssignee(deps, actor, input.assignedTo);
  const f: FollowUp = { id: randomUUID(), tenantId: actor.tenantId, customerId: customer.id, ...v, status: "Pending", assignedTo, completedAt: null, completedBy: null, createdAt: now, createdBy: actor.userId, version: 1 };
  await inTransaction(deps.db, async (trx) => {
    await lockModifiableCustomers(trx, actor.tenantId, [f.customerId]);
    await insertFollowUp(trx, f);
    await appendAudit(trx, [{ tenantId: actor.tenantId, entityType: "FollowUp", entityId: f.id, action: "CustomerFollowUpCreated", actorId: actor.userId, occurredAt: now, changes: {}, traceId }]);
    await appendEvents(
      trx,
      [
        {
          type: "CustomerFollowUpCreated",
          aggregateType: "Communication",
          aggregateId: f.id,
          data: { followUpId: f.id, customerId: f.customerId, subject: f.subject, description: f.description, dueDate: f.dueDate.toISOString(), priority: f.priority, assignedTo: f.assignedTo, createdAt: now.toISOString() },
        },
      ],
      { tenantId: actor.tenantId, actor: actor.userId, version: 1, occurredAt: now },
    );
  });
  await notify(deps, f);
  return toFollowUpDto(f, now);
}

/** On the locked row, so concurrent changes take turns; a stale version (when one is sent) is 409. */
async function change(deps: AppDeps, actor: Actor, id: string, expectedVersion: number | undefined, traceId: string, action: string, decide: (f: FollowUp) => FollowUp) {
  const now = deps.now();
  return inTransaction(deps.db, async (trx) => {
    const f = await lockFollowUp(trx, actor.tenantId, id);
    if (!f) throw new DomainError("FUP-001", "not_found", "Follow-up not found.");
    assertVersion(expectedVersion, f.version, "follow-up");
    const next = { ...decide(f), version: f.version + 1 };
    if (!(await updateFollowUp(trx, next, f.version))) throw staleVersion(f.version, f.version + 1, "follow-up");
    await appendAudit(trx, [
      { tenantId: actor.tenantId, entityType: "FollowUp", entityId: f.id, action, actorId: actor.userId, occurredAt: now, changes: { status: { from: f.status, to: next.status }, assignedTo: { from: f.assignedTo, to: next.assignedTo } }, traceId },
    ]);
    await appendEvents(trx, [{ type: action, aggregateType: "Communication", aggregateId: f.id, data: { followUpId: f.id, customerId: f.customerId, status: next.status, assignedTo: next.assignedTo } }], {
      tenantId: actor.tenantId,
      actor: actor.userId,
      version: next.version,
      occurredAt: now,
    });
    return next;
  });
}

/** Only the assignee, or a manager, may complete or hand over someone's task; unassigned ones are open to managers. */
function assertMayChange(actor: Actor, f: FollowUp) {
  const manager = can(actor.roles, "customer:delete");
  if (f.assignedTo !== actor.userId && !manager) {
    throw new DomainError("AUTH-002", "forbidden", "Only the assignee or a manager may change this follow-up.");
  }
}

export async function completeFollowUp(deps: AppDeps, actor: Actor, input: { followUpId: string; version?: number | undefined }, traceId: string) {
  const f = await change(deps, actor, input.followUpId, input.version, traceId, "CustomerFollowUpCompleted", (f) => {
    assertMayChange(actor, f);
    if (f.status === "Completed") throw new DomainError("FUP-001", "business_rule", "The follow-up is already completed.");
    return { ...f, status: "Completed", completedAt: deps.now(), completedBy: actor.userId };
  });
  return toFollowUpDto(f, deps.now());
}

export async function reassignFollowUp(deps: AppDeps, actor: Actor, input: { followUpId: string; assignedTo: string | null; version?: number | undefined }, traceId: string) {
  const assignedTo = await checkAssignee(deps, actor, input.assignedTo);
  const f = await change(deps, actor, input.followUpId, input.version, traceId, "CustomerFollowUpReassigned", (f) => {
    if (f.assignedTo !== null) assertMayChange(actor, f);
    if (f.status === "Completed") throw new DomainError("FUP-001", "business_rule", "A completed follow-up cannot be reassigned.");
    return { ...f, assignedTo };
  });
  await notify(deps, f);
  return toFollowUpDto(f, deps.now());
}

/** "My tasks": mine, plus the unassigned ones for CustomerManagers (REQ-CUS-024); overdue flagged. */
export async function myTasks(deps: AppDeps, actor: Actor, input: { includeCompleted?: boolean | undefined }) {
  const includeUnassigned = actor.roles.includes("CustomerManager") || actor.roles.includes("Admin");
  const rows = await listTasks(deps.db, actor.tenantId, actor.userId, { includeUnassigned, includeCompleted: input.includeCompleted ?? false });
  const now = deps.now();
  const items = rows.map((f) => toFollowUpDto(f, now));
  return { items, overdueCount: items.filter((i) => i.overdue).length };
}

export async function customerFollowUps(deps: AppDeps, actor: Actor, input: { customerId: string }) {
  await loadVisible(deps, actor, input.customerId);
  const now = deps.now();
  return { items: (await listCustomerFollowUps(deps.db, actor.tenantId, input.customerId)).map((f) => toFollowUpDto(f, now)) };
}
