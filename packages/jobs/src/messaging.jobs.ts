import {
  appendEvents,
  claimManyForSending,
  claimNotification,
  findCommunication,
  findCustomersByIds,
  findFollowUp,
  findUser,
  inTransaction,
  markManySent,
  releaseNotification,
  settleNotification,
  transitionCommunication,
  type Communication,
} from "@clientele/db";
import { cacheKeys } from "@clientele/cache";
import { canReceiveMarketing } from "@clientele/domain";
import { DeliveryError, meetingInvite, type EmailSender, type OutgoingEmail, type SmsSender } from "@clientele/messaging";
import { z } from "zod";
import { buildComplaintNotice, ZComplaintNoticePayload } from "./complaint.jobs";
import { createBatcher } from "./batcher";
import type { JobDeps } from "./job-deps";
import { buildTestimonialNotice, ZTestimonialNoticePayload } from "./testimonial-notices";
import { PermanentJobError, safeMessageId } from "./queues";

export type MessagingDeps = JobDeps & {
  email: EmailSender;
  sms: SmsSender;
  organizer: { name: string; email: string };
};

export const ZMessagePayload = z.object({ communicationId: z.uuid(), tenantId: z.string() });
export type MessagePayload = z.infer<typeof ZMessagePayload>;

export const ZNotificationPayload = z.discriminatedUnion("kind", [
  ...ZComplaintNoticePayload.options,
  ...ZTestimonialNoticePayload.options,
  z.object({ kind: z.literal("meeting-invite"), tenantId: z.string(), meetingId: z.uuid(), sequence: z.number().int(), method: z.enum(["REQUEST", "CANCEL"]) }),
  z.object({ kind: z.literal("meeting-reminder"), tenantId: z.string(), meetingId: z.uuid(), sequence: z.number().int(), minutesBefore: z.number().int() }),
  z.object({ kind: z.literal("follow-up-assigned"), tenantId: z.string(), followUpId: z.uuid(), version: z.number().int() }),
]);
export type NotificationPayload = z.infer<typeof ZNotificationPayload>;

/** Raised by a retry that finds the message mid-send elsewhere: try again later, don't send. */
export class InFlightElsewhere extends Error {}

type SentEvent = (at: Date) => { type: string; data: Record<string, unknown> };
type Claim = { c: Communication | null } | { error: Error };

/**
 * The statements of a message's claim and of its settlement once sent are shared by the jobs
 * running at the same time (see createBatcher): per batch one locking read and one UPDATE to claim,
 * one UPDATE, one INSERT of the events and one round trip to Redis to settle, instead of each per
 * message. A job finishes only after its batch committed, so a crash leaves a message exactly as a
 * crash between its send and its settlement does today: Sending, never sent again, Failed once its
 * attempts are spent.
 */
function batchesFor(deps: JobDeps) {
  const claim = createBatcher<MessagePayload, Claim>(async (items) => {
    const at = deps.now();
    const { rows, claimed, withdrawn } = await inTransaction(
      deps.db,
      async (trx) => {
        const claim = await claimManyForSending(trx, items.map((p) => ({ id: p.communicationId, tenantId: p.tenantId })), at);
        return { ...claim, withdrawn: await withdrawUnwantedMarketing(trx, claim, at) };
      },
      { isolation: "read committed" },
    );
    if (withdrawn.length) await deps.cache.bumpMany(withdrawn.map((c) => cacheKeys.communicationsGeneration(c.tenantId, c.customerId)));
    const given = new Set<string>();
    return items.map((p): Claim => {
      const c = rows.get(p.communicationId);
      if (!c || c.tenantId !== p.tenantId) return { error: new PermanentJobError(`communication ${p.communicationId} not found`) };
      // Sending when read, or the same message twice in this batch (two workers holding its job): another attempt sends it.
      if (c.status === "Sending" || (claimed.has(c.id) && given.has(c.id))) return { error: new InFlightElsewhere(`communication ${c.id} is being sent by another attempt`) };
      if (!claimed.has(c.id)) return { c: null }; // already sent or settled: nothing to do, ever again
      given.add(c.id);
      return { c };
    });
  }, 100);
  const settleSent = createBatcher<{ c: Communication; providerMessageId: string; event: SentEvent }, void>(async (items) => {
    const at = deps.now();
    await inTransaction(deps.db, async (trx) => {
      await markManySent(trx, items.map((i) => ({ id: i.c.id, providerMessageId: i.providerMessageId })), at);
      // One INSERT per tenant and actor (the envelope's context); each event carries its own version.
      const groups = new Map<string, typeof items>();
      for (const i of items) {
        const key = JSON.stringify([i.c.tenantId, i.c.createdBy]);
        groups.set(key, [...(groups.get(key) ?? []), i]);
      }
      for (const group of groups.values()) {
        const first = group[0]!.c;
        await appendEvents(
          trx,
          group.map((i) => ({ ...i.event(at), aggregateType: "Communication" as const, aggregateId: i.c.id, version: i.c.version + 2 })),
          { tenantId: first.tenantId, actor: first.createdBy, version: first.version + 2, occurredAt: at },
        );
      }
    });
    await deps.cache.bumpMany(items.map((i) => cacheKeys.communicationsGeneration(i.c.tenantId, i.c.customerId)));
    return items.map(() => undefined);
  }, 100);
  return { claim, settleSent };
}

/**
 * Marketing is checked again when it is sent, not only when it was queued: a customer suspended,
 * deactivated or withdrawn from marketing in between gets nothing (001 §3.3). Those messages end
 * Failed with the reason, inside the claim's transaction, and leave the claimed set.
 */
async function withdrawUnwantedMarketing(trx: Parameters<typeof claimManyForSending>[0], claim: { rows: Map<string, Communication>; claimed: Set<string> }, at: Date): Promise<Communication[]> {
  const marketing = [...claim.claimed].map((id) => claim.rows.get(id)!).filter((c) => c.purpose === "Marketing");
  if (marketing.length === 0) return [];
  const byTenant = new Map<string, Communication[]>();
  for (const c of marketing) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c]);
  const withdrawn: Communication[] = [];
  for (const [tenantId, list] of byTenant) {
    const customers = new Map((await findCustomersByIds(trx, tenantId, [...new Set(list.map((c) => c.customerId))])).map((cu) => [cu.id, cu]));
    for (const c of list) {
      const customer = customers.get(c.customerId);
      if (customer && canReceiveMarketing(customer)) continue;
      const why = !customer ? "customer no longer exists" : customer.status !== "Active" || customer.isDeleted ? `customer became ${customer.isDeleted ? "Inactive" : customer.status} before it was sent` : "customer withdrew marketing consent before it was sent";
      await transitionCommunication(trx, c.id, "Sending", "Failed", at, { failureReason: `COMM-004: marketing withdrawn: ${why}` });
      claim.claimed.delete(c.id);
      withdrawn.push(c);
    }
  }
  return withdrawn;
}

const batches = new WeakMap<JobDeps, ReturnType<typeof batchesFor>>();
const batchesOf = (deps: JobDeps) => {
  let b = batches.get(deps);
  if (!b) batches.set(deps, (b = batchesFor(deps)));
  return b;
};

async function loadQueued(deps: JobDeps, p: MessagePayload): Promise<Communication | null> {
  const claim = await batchesOf(deps).claim(p);
  if ("error" in claim) throw claim.error;
  return claim.c;
}

/** Settles a claimed message after the provider answered (or refused). */
async function settle(deps: JobDeps, c: Communication, outcome: { providerMessageId: string } | { error: unknown }, event: SentEvent) {
  if ("providerMessageId" in outcome) {
    await batchesOf(deps).settleSent({ c, providerMessageId: outcome.providerMessageId, event });
    return;
  }
  const at = deps.now();
  const error = outcome.error;
  if (error instanceof DeliveryError && error.permanent) {
    await transitionCommunication(deps.db, c.id, "Sending", "Failed", at, { failureReason: error.message.slice(0, 500) });
    await deps.cache.bump(cacheKeys.communicationsGeneration(c.tenantId, c.customerId));
    throw new PermanentJobError(error.message);
  }
  // Transient: give the message back to the queue so the retry may claim it again.
  await transitionCommunication(deps.db, c.id, "Sending", "Queued", at, { failureReason: (error as Error).message.slice(0, 500) });
  throw error;
}

export async function runSendEmail(deps: MessagingDeps, p: MessagePayload): Promise<void> {
  const c = await loadQueued(deps, p);
  if (!c) return;
  let outcome: { providerMessageId: string } | { error: unknown };
  try {
    const attachments = await Promise.all(
      c.attachments.map(async (a) => ({ filename: a.fileName, contentType: a.contentType, content: await deps.storage.readBuffer(a.storageKey) })),
    );
    const message: OutgoingEmail = {
      messageId: c.id,
      to: [{ address: c.recipientEmail! }],
      subject: c.subject ?? "",
      ...(c.bodyText ? { text: c.bodyText } : {}),
      ...(c.bodyHtml ? { html: c.bodyHtml } : {}),
      attachments,
      headers: { "X-Clientele-Purpose": c.purpose },
    };
    outcome = { providerMessageId: (await deps.email.send(message)).providerMessageId };
  } catch (error) {
    outcome = { error };
  }
  await settle(deps, c, outcome, (at) => ({
    type: "CustomerEmailSent",
    data: { communicationId: c.id, customerId: c.customerId, subject: c.subject, recipientEmail: c.recipientEmail, purpose: c.purpose, isDelivered: false, sentAt: at.toISOString(), sentBy: c.createdBy },
  }));
}

export async function runSendSms(deps: MessagingDeps, p: MessagePayload): Promise<void> {
  const c = await loadQueued(deps, p);
  if (!c) return;
  let outcome: { providerMessageId: string } | { error: unknown };
  try {
    const r = await deps.sms.send({ to: c.recipientPhone!, body: c.bodyText ?? "", idempotencyKey: c.id });
    outcome = { providerMessageId: r.sid };
  } catch (error) {
    outcome = { error };
  }
  await settle(deps, c, outcome, (at) => ({
    type: "CustomerSMSSent",
    data: {
      communicationId: c.id,
      customerId: c.customerId,
      recipientPhone: c.recipientPhone,
      messagePreview: (c.bodyText ?? "").slice(0, 40),
      segments: c.segments,
      purpose: c.purpose,
      isDelivered: false,
      sentAt: at.toISOString(),
    },
  }));
}

export type Notice = { key: string; kind: string; tenantId: string; email: Omit<OutgoingEmail, "messageId"> } | null;

async function buildNotice(deps: MessagingDeps, p: NotificationPayload): Promise<Notice> {
  if (p.kind === "complaint-received" || p.kind === "complaint-status" || p.kind === "complaint-resolved") return buildComplaintNotice(deps, p);
  if (p.kind === "testimonial-received" || p.kind === "testimonial-approved") return buildTestimonialNotice(deps, p);
  if (p.kind === "follow-up-assigned") {
    const f = await findFollowUp(deps.db, p.tenantId, p.followUpId);
    // A later change (reassignment, completion) supersedes this notice.
    if (!f || f.version !== p.version || !f.assignedTo || f.status !== "Pending") return null;
    const user = await findUser(deps.db, p.tenantId, f.assignedTo);
    if (!user?.email) {
      deps.log.warn({ followUpId: f.id }, "assignee has no email on file; notice not sent");
      return null;
    }
    return {
      key: `follow-up-assigned:${f.id}:${f.version}`,
      kind: p.kind,
      tenantId: p.tenantId,
      email: {
        to: [{ address: user.email, ...(user.name ? { name: user.name } : {}) }],
        subject: `Follow-up assigned to you: ${f.subject}`,
        text: `You have a new ${f.priority.toLowerCase()}-priority follow-up, due ${f.dueDate.toISOString()}.\n\n${f.subject}\n${f.description ?? ""}`.trim(),
      },
    };
  }
  const m = await findCommunication(deps.db, p.tenantId, p.meetingId);
  if (!m || m.type !== "Meeting" || m.sequence !== p.sequence) return null;
  const cancelled = m.status === "Cancelled";
  const to = m.attendees.map((address) => ({ address }));
  const when = `${m.scheduledStart!.toISOString()} – ${m.scheduledEnd!.toISOString()}`;
  const where = m.isVirtual ? (m.meetingLink ?? "") : (m.location ?? "");
  if (p.kind === "meeting-reminder") {
    if (cancelled) return null;
    return {
      key: `meeting-reminder:${m.id}:${m.sequence}:${p.minutesBefore}`,
      kind: p.kind,
      tenantId: p.tenantId,
      email: { to, subject: `Reminder: ${m.subject} (${when})`, text: `Reminder: "${m.subject}" starts ${m.scheduledStart!.toISOString()}.\n${where}` },
    };
  }
  if ((p.method === "CANCEL") !== cancelled) return null;
  const ics = meetingInvite({
    uid: `${m.id}@clientele`,
    sequence: m.sequence,
    method: p.method,
    title: m.subject ?? "Meeting",
    ...(m.bodyText ? { description: m.bodyText } : {}),
    start: m.scheduledStart!,
    end: m.scheduledEnd!,
    ...(m.location ? { location: m.location } : {}),
    ...(m.meetingLink ? { url: m.meetingLink } : {}),
    organizer: deps.organizer,
    attendees: to.map((a) => ({ email: a.address })),
  });
  return {
    key: `meeting-${p.method === "CANCEL" ? "cancel" : "invite"}:${m.id}:${m.sequence}`,
    kind: p.kind,
    tenantId: p.tenantId,
    email: {
      to,
      subject: `${p.method === "CANCEL" ? "Cancelled" : m.sequence > 0 ? "Updated invitation" : "Invitation"}: ${m.subject} (${when})`,
      text: `${m.subject}\n${when}\n${where}\n\n${m.bodyText ?? ""}`.trim(),
      icalEvent: { method: p.method, content: ics, filename: "invite.ics" },
    },
  };
}

/** Invitations, reminders and assignment notices: each sent at most once, keyed by what it is about. */
export async function runNotification(deps: MessagingDeps, p: NotificationPayload): Promise<"sent" | "skipped"> {
  const notice = await buildNotice(deps, p);
  if (!notice) return "skipped";
  const claimed = await claimNotification(deps.db, { key: notice.key, tenantId: notice.tenantId, kind: notice.kind, recipients: notice.email.to.length, at: deps.now() });
  if (!claimed) return "skipped";
  try {
    await deps.email.send({ ...notice.email, messageId: safeMessageId(notice.key) });
  } catch (error) {
    if (error instanceof DeliveryError && error.permanent) {
      await settleNotification(deps.db, notice.key, { failureReason: error.message });
      throw new PermanentJobError(error.message);
    }
    await releaseNotification(deps.db, notice.key);
    throw error;
  }
  await settleNotification(deps.db, notice.key, { sentAt: deps.now() });
  return "sent";
}
