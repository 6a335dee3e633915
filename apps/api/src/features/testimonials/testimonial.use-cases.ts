import { randomUUID } from "node:crypto";
import { appendAudit, appendEvents, findTestimonial, inTransaction, insertTestimonial, listCustomerTestimonials, listPendingTestimonials, listPublishedTestimonials, touchCustomerActivity, updateTestimonial } from "@clientele/db";
import {
  checkTestimonial,
  decideTestimonial,
  isApproved,
  receiveTestimonial,
  staleVersion,
  testimonialNotFound,
  type Actor,
  type Testimonial,
  type TestimonialDecision,
  assertVersion,
} from "@clientele/domain";
import { testimonialNoticeKey, type TestimonialNoticePayload } from "@clientele/jobs";
import type { AppDeps } from "../../deps";
import { loadModifiable, loadVisible, retireLastActivity } from "../customers/customer.use-cases";
import { lockModifiableCustomers } from "../customers/customer-merge.reads";
import type {
  TApproveTestimonialInput,
  TListTestimonialsInput,
  TModerationQueue,
  TModerationQueueInput,
  TPublicTestimonialList,
  TPublicTestimonialsInput,
  TRejectTestimonialInput,
  TSubmitTestimonialInput,
  TTestimonial,
} from "./testimonial.schemas";

const toTestimonialDto = (t: Testimonial): TTestimonial => ({
  id: t.id,
  customerId: t.customerId,
  content: t.content,
  rating: t.rating,
  relatedEventId: t.relatedEventId,
  isPublic: t.isPublic,
  status: t.status,
  isApproved: isApproved(t),
  containsProfanity: t.containsProfanity,
  authorName: t.authorName,
  approvedBy: t.approvedBy,
  approvedAt: t.approvedAt?.toISOString() ?? null,
  rejectedBy: t.rejectedBy,
  rejectedAt: t.rejectedAt?.toISOString() ?? null,
  rejectionReason: t.rejectionReason,
  createdAt: t.createdAt.toISOString(),
  createdBy: t.createdBy,
  version: t.version,
});

/** After commit; the worker reads the testimonial (no content or PII in the payload) and decides whom to write. */
async function notify(deps: AppDeps, payload: TestimonialNoticePayload) {
  // The notification union gains these kinds where the worker builds notices; the payload is checked there.
  await deps.jobs.enqueueNotification(payload, testimonialNoticeKey(payload));
}

/** REQ-CUS-030: stored Pending with profanity masked; the marketing team is told. */
export async function submitTestimonial(deps: AppDeps, actor: Actor, input: TSubmitTestimonialInput, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const now = deps.now();
  const { testimonial, event } = receiveTestimonial(checkTestimonial(input), { id: randomUUID(), tenantId: actor.tenantId, customerId: customer.id, actorId: actor.userId, now });
  await inTransaction(deps.db, async (trx) => {
    await lockModifiableCustomers(trx, actor.tenantId, [testimonial.customerId]);
    await insertTestimonial(trx, testimonial);
    await touchCustomerActivity(trx, actor.tenantId, testimonial.customerId, now);
    await appendAudit(trx, [
      {
        tenantId: actor.tenantId,
        entityType: "Testimonial",
        entityId: testimonial.id,
        action: event.type,
        actorId: actor.userId,
        occurredAt: now,
        changes: {
          status: { from: null, to: testimonial.status },
          rating: { from: null, to: testimonial.rating },
          isPublic: { from: null, to: testimonial.isPublic },
          containsProfanity: { from: null, to: testimonial.containsProfanity },
        },
        traceId,
      },
    ]);
    await appendEvents(trx, [event], { tenantId: actor.tenantId, actor: actor.userId, version: testimonial.version, occurredAt: now });
  });
  await retireLastActivity(deps, actor.tenantId, [testimonial.customerId]);
  await notify(deps, { kind: "testimonial-received", tenantId: actor.tenantId, testimonialId: testimonial.id });
  return { testimonialId: testimonial.id, ...toTestimonialDto(testimonial) };
}

async function decide(deps: AppDeps, actor: Actor, input: { customerId: string; testimonialId: string; version?: number | undefined }, decision: TestimonialDecision, traceId: string) {
  await loadModifiable(deps, actor, input.customerId);
  const load = async () => {
    const t = await findTestimonial(deps.db, actor.tenantId, input.testimonialId);
    if (!t || t.customerId !== input.customerId) throw testimonialNotFound();
    return t;
  };
  const current = await load();
  const now = deps.now();
  // Finality first: a decided testimonial answers TEST-002 whatever version the client holds.
  const { testimonial, event, changes } = decideTestimonial(current, decision, { actorId: actor.userId, now });
  assertVersion(input.version, current.version, "testimonial");
  await inTransaction(deps.db, async (trx) => {
    if (!(await updateTestimonial(trx, testimonial, current.version))) {
      // Someone decided in between: that decision stands, so report it as final.
      const latest = await load();
      decideTestimonial(latest, decision, { actorId: actor.userId, now });
      throw staleVersion(current.version, latest.version, "testimonial");
    }
    await appendAudit(trx, [{ tenantId: actor.tenantId, entityType: "Testimonial", entityId: testimonial.id, action: event.type, actorId: actor.userId, occurredAt: now, changes, traceId }]);
    await appendEvents(trx, [event], { tenantId: actor.tenantId, actor: actor.userId, version: testimonial.version, occurredAt: now });
  });
  return testimonial;
}

/** REQ-CUS-031: approval is final; the customer is thanked by email when they accept email. */
export async function approveTestimonial(deps: AppDeps, actor: Actor, input: TApproveTestimonialInput, traceId: string) {
  const t = await decide(deps, actor, input, { kind: "approve", isPublic: input.isPublic }, traceId);
  await notify(deps, { kind: "testimonial-approved", tenantId: actor.tenantId, testimonialId: t.id });
  return toTestimonialDto(t);
}

export async function rejectTestimonial(deps: AppDeps, actor: Actor, input: TRejectTestimonialInput, traceId: string) {
  return toTestimonialDto(await decide(deps, actor, input, { kind: "reject", reason: input.reason }, traceId));
}

export async function customerTestimonials(deps: AppDeps, actor: Actor, input: TListTestimonialsInput) {
  await loadVisible(deps, actor, input.customerId);
  const rows = await listCustomerTestimonials(deps.db, actor.tenantId, input.customerId, { isPublic: input.isPublic, status: input.status });
  return { items: rows.map(toTestimonialDto) };
}

/** REQ-CUS-031: what awaits a decision across the tenant, oldest first, for whoever may decide it. */
export async function moderationQueue(deps: AppDeps, actor: Actor, input: TModerationQueueInput): Promise<TModerationQueue> {
  const { items, totalCount } = await listPendingTestimonials(deps.db, actor.tenantId, { offset: (input.page - 1) * input.pageSize, limit: input.pageSize });
  return { items: items.map((i) => ({ ...toTestimonialDto(i.testimonial), customerName: i.customerName })), page: input.page, pageSize: input.pageSize, totalCount };
}

/**
 * The website's list: approved and public only, author name but no other personal data. Anyone
 * may ask, so an unknown tenant answers an empty list rather than revealing which tenants exist.
 */
export async function publicTestimonials(deps: AppDeps, input: TPublicTestimonialsInput): Promise<TPublicTestimonialList> {
  const { items, totalCount } = await listPublishedTestimonials(deps.db, input.tenantId, { offset: (input.page - 1) * input.pageSize, limit: input.pageSize });
  return {
    items: items.map((i) => ({ id: i.id, authorName: i.authorName, content: i.content, rating: i.rating, approvedAt: i.approvedAt.toISOString() })),
    page: input.page,
    pageSize: input.pageSize,
    totalCount,
  };
}
