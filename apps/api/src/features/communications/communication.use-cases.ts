import { createHash, randomUUID } from "node:crypto";
import { CACHE_TTL, cacheKeys } from "@clientele/cache";
import {
  appendAudit,
  appendEvents,
  findCommunication,
  lockCommunication,
  findFiles,
  findResendOf,
  findTemplate,
  inTransaction,
  insertCommunications,
  findCustomersByIds,
  touchCustomerActivity,
  listActiveContactsOf,
  suppressedEmails,
  isEmailSuppressed,
  isOptedOut,
  listCommunications,
  listContacts,
  updateMeeting,
  type Communication,
  type NewCommunication,
} from "@clientele/db";
import {
  assertResendable,
  checkAttachments,
  canReceiveMarketing,
  checkConsent,
  checkEmailDraft,
  checkMeeting,
  checkPhoneCall,
  checkSmsDraft,
  DomainError,
  communicationNotFound,
  meetingCancelled,
  staleVersion,
  validationError,
  type Actor,
  type Contact,
  type Customer,
  type Purpose,
  assertVersion,
} from "@clientele/domain";
import { PERSONALIZATION_VARIABLES, renderTemplate, smsSegments, templateVariables, unknownVariables } from "@clientele/messaging";
import type { NotificationPayload } from "@clientele/jobs";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import { loadModifiable, loadVisible, retireLastActivity } from "../customers/customer.use-cases";
import { lockModifiableCustomers } from "../customers/customer-merge.reads";
import type {
  ZBulkEmailInput,
  ZCommunication,
  ZHistoryInput,
  ZLogCallInput,
  ZMeetingInput,
  ZRescheduleInput,
  ZResendInput,
  ZSendEmailInput,
  ZSendSmsInput,
} from "./communication.schemas";

type TCommunication = z.infer<typeof ZCommunication>;

function toCommunicationDto(c: Communication): TCommunication {
  return {
    id: c.id,
    customerId: c.customerId,
    type: c.type as TCommunication["type"],
    purpose: c.purpose,
    direction: c.direction,
    status: c.status,
    subject: c.subject,
    body: c.bodyText,
    html: c.bodyHtml,
    recipientEmail: c.recipientEmail,
    recipientPhone: c.recipientPhone,
    templateId: c.templateId,
    attachments: c.attachments.map(({ fileId, fileName, contentType, size }) => ({ fileId, fileName, contentType, size })),
    segments: c.segments,
    encoding: c.encoding,
    failureReason: c.failureReason,
    durationInSeconds: c.durationSeconds,
    scheduledStart: c.scheduledStart?.toISOString() ?? null,
    scheduledEnd: c.scheduledEnd?.toISOString() ?? null,
    location: c.location,
    meetingLink: c.meetingLink,
    isVirtual: c.isVirtual,
    attendees: c.attendees,
    reminderMinutes: c.reminderMinutes,
    notes: c.notes,
    occurredAt: c.occurredAt.toISOString(),
    createdAt: c.createdAt.toISOString(),
    createdBy: c.createdBy,
    sentAt: c.sentAt?.toISOString() ?? null,
    deliveredAt: c.deliveredAt?.toISOString() ?? null,
    resentFromId: c.resentFromId,
    version: c.version,
  };
}

const CONTACT_VARIABLES = ["firstName", "lastName", "fullName", "position"];

/** Personalization values from the customer and a contact: the recipient's, else the primary one. */
function variablesOf(customer: Customer, contacts: Contact[], recipient: { email?: string; phone?: string }) {
  const contact =
    contacts.find((c) => (recipient.email && c.email.toLowerCase() === recipient.email.toLowerCase()) || (recipient.phone && c.phone === recipient.phone)) ??
    contacts.find((c) => c.isPrimary);
  const firstName = contact?.firstName ?? customer.firstName ?? "";
  const lastName = contact?.lastName ?? customer.lastName ?? "";
  return {
    firstName,
    lastName,
    fullName: [firstName, lastName].filter(Boolean).join(" ") || customer.companyName,
    companyName: customer.companyName,
    customerNumber: customer.customerNumber,
    email: recipient.email ?? contact?.email ?? customer.contactInfo.primaryEmail,
    phone: recipient.phone ?? contact?.phone ?? customer.contactInfo.primaryPhone,
    position: contact?.position ?? "",
  };
}

/** Contacts are read only when the text uses a variable that needs them. */
const needsContacts = (texts: (string | null | undefined)[]) => texts.some((t) => t && templateVariables(t).some((v) => CONTACT_VARIABLES.includes(v)));

async function variablesFor(deps: AppDeps, customer: Customer, recipient: { email?: string; phone?: string }, texts: (string | null | undefined)[]) {
  const contacts = needsContacts(texts) ? await listContacts(deps.db, customer.tenantId, customer.id) : [];
  return variablesOf(customer, contacts, recipient);
}

/** Refuses text that uses a variable we cannot fill, naming each field and variable. */
function assertKnownVariables(fields: Record<string, string | null | undefined>) {
  const unknown = new Map<string, string[]>();
  for (const [field, value] of Object.entries(fields)) {
    if (!value) continue;
    const bad = unknownVariables(value, [...PERSONALIZATION_VARIABLES]);
    if (bad.length) unknown.set(field, bad);
  }
  if (unknown.size) {
    throw validationError(
      Object.fromEntries([...unknown].map(([f, names]) => [f, [`unknown variable(s) ${names.map((n) => `{{${n}}}`).join(", ")}; known: ${PERSONALIZATION_VARIABLES.join(", ")}`]])),
      "The message uses variables we cannot fill.",
    );
  }
}

function personalize(fields: Record<string, string | null | undefined>, vars: Record<string, string>, htmlFields: string[] = []) {
  assertKnownVariables(fields);
  return Object.fromEntries(
    Object.entries(fields).map(([f, v]) => [f, v ? renderTemplate(v, vars, { html: htmlFields.includes(f) }) : v]),
  ) as Record<string, string | null | undefined>;
}

async function templateFor(deps: AppDeps, actor: Actor, id: string | undefined, channel: "Email" | "SMS") {
  if (!id) return undefined;
  const t = await findTemplate(deps.db, actor.tenantId, id);
  if (!t || t.status !== "Active") throw new DomainError("TMPL-001", "not_found", "Template not found (or archived).");
  if (t.channel !== channel) throw validationError({ templateId: [`is a ${t.channel} template, not ${channel}`] });
  return t;
}

/** The fields every outbound record shares. */
function outbound(actor: Actor, customerId: string, type: "Email" | "SMS", purpose: string, now: Date): NewCommunication {
  return { id: randomUUID(), tenantId: actor.tenantId, customerId, type, purpose, direction: "Outbound", status: "Queued", occurredAt: now, createdAt: now, createdBy: actor.userId };
}

function blocked(reason: string, code: "COMM-004" | "COMM-005" | "COMM-006"): DomainError {
  return new DomainError(code, "business_rule", `Not sent: ${reason}.`, { consent: [reason] });
}

/** What a first send and a resend both check before recording: consent, suppression or STOP, and the SMS limits. */
async function assertMaySend(deps: AppDeps, actor: Actor, customer: Customer, channel: "Email" | "SMS", purpose: Purpose, to: string) {
  const consent = checkConsent(customer.preferences, channel, purpose);
  if (!consent.allowed) throw blocked(consent.reason, "COMM-004");
  if (purpose === "Marketing" && !canReceiveMarketing(customer)) throw blocked(`${customer.status} customers receive no marketing`, "COMM-004");
  if (channel === "Email") {
    if (await isEmailSuppressed(deps.db, actor.tenantId, to.toLowerCase())) throw blocked("this address hard-bounced earlier and is suppressed", "COMM-005");
    return;
  }
  if (await isOptedOut(deps.db, to)) throw blocked("the number opted out by texting STOP", "COMM-006");
  await deps.smsLimiter.consume(actor.tenantId, to);
}

/**
 * Writes communications with an audit row each (and, for one record, its event) in one
 * transaction, then retires the customers' cached histories.
 */
async function persist(deps: AppDeps, actor: Actor, cs: NewCommunication[], action: string, traceId: string, event?: { type: string; data: Record<string, unknown> }) {
  await inTransaction(deps.db, async (trx) => {
    await lockModifiableCustomers(trx, actor.tenantId, cs.map((c) => c.customerId));
    await insertCommunications(trx, cs);
    // The interaction is the customer's last activity: when it happened, or when it was recorded if that is earlier (a planned meeting).
    const at = new Date(Math.min(...cs.map((c) => Math.min(c.occurredAt.getTime(), c.createdAt.getTime()))));
    await touchCustomerActivity(trx, actor.tenantId, cs.map((c) => c.customerId), at);
    await appendAudit(
      trx,
      cs.map((c) => ({ tenantId: actor.tenantId, entityType: "Communication", entityId: c.id, action, actorId: actor.userId, occurredAt: c.createdAt, changes: {}, traceId })),
    );
    if (event) {
      await appendEvents(
        trx,
        cs.map((c) => ({ ...event, aggregateType: "Communication" as const, aggregateId: c.id })),
        { tenantId: actor.tenantId, actor: actor.userId, version: 1, occurredAt: cs[0]!.createdAt },
      );
    }
  });
  await Promise.all([
    deps.cache.bumpMany(cs.map((c) => cacheKeys.communicationsGeneration(actor.tenantId, c.customerId))),
    retireLastActivity(deps, actor.tenantId, cs.map((c) => c.customerId)),
  ]);
}

/** Records the message (Queued) and hands it to the worker; sending never happens in the request. */
async function record(deps: AppDeps, actor: Actor, c: NewCommunication, traceId: string) {
  await persist(deps, actor, [c], `${c.type}Queued`, traceId);
  await deps.jobs.enqueueMessage(c.type as "Email" | "SMS", { communicationId: c.id, tenantId: actor.tenantId });
}

export async function sendEmail(deps: AppDeps, actor: Actor, input: z.infer<typeof ZSendEmailInput>, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const template = await templateFor(deps, actor, input.templateId, "Email");
  const purpose = template && !input.purpose ? (template.purpose as typeof input.purpose) : input.purpose;
  const recipientEmail = input.recipientEmail ?? customer.contactInfo.primaryEmail;
  const texts = { subject: input.subject ?? template?.subject, body: input.body ?? template?.bodyText, html: input.html ?? template?.bodyHtml };
  const vars = await variablesFor(deps, customer, { email: recipientEmail }, Object.values(texts));
  const rendered = personalize(texts, vars, ["html"]);
  const draft = checkEmailDraft({ recipientEmail, subject: rendered.subject ?? undefined, text: rendered.body, html: rendered.html });
  await assertMaySend(deps, actor, customer, "Email", purpose, draft.recipientEmail);
  const files = await findFiles(deps.db, actor.tenantId, input.attachments);
  const missing = input.attachments.filter((id) => !files.some((f) => f.id === id));
  if (missing.length) throw validationError({ attachments: missing.map((id) => `file ${id} not found`) });
  checkAttachments(files);

  const now = deps.now();
  const c: NewCommunication = {
    ...outbound(actor, customer.id, "Email", purpose, now),
    subject: draft.subject,
    bodyText: draft.text,
    bodyHtml: draft.html,
    recipientEmail: draft.recipientEmail,
    templateId: template?.id ?? null,
    attachments: files.map((f) => ({ fileId: f.id, fileName: f.fileName, contentType: f.contentType, size: f.size, storageKey: f.storageKey })),
  };
  await record(deps, actor, c, traceId);
  return { communicationId: c.id, type: "Email" as const, status: "Queued", purpose };
}

export async function sendSms(deps: AppDeps, actor: Actor, input: z.infer<typeof ZSendSmsInput>, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const template = await templateFor(deps, actor, input.templateId, "SMS");
  const purpose = input.purpose;
  const country = customer.contactInfo.billingAddress.country;
  const phone = input.recipientPhone ?? customer.contactInfo.primaryPhone;
  const message = input.message ?? template?.bodyText;
  const vars = await variablesFor(deps, customer, { phone }, [message]);
  const rendered = personalize({ message }, vars);
  const draft = checkSmsDraft({ recipientPhone: phone, message: rendered.message ?? undefined }, country);
  await assertMaySend(deps, actor, customer, "SMS", purpose, draft.recipientPhone);
  const { segments, encoding } = smsSegments(draft.message);
  const now = deps.now();
  const c: NewCommunication = {
    ...outbound(actor, customer.id, "SMS", purpose, now),
    bodyText: draft.message,
    recipientPhone: draft.recipientPhone,
    templateId: template?.id ?? null,
    segments,
    encoding,
  };
  await record(deps, actor, c, traceId);
  return { communicationId: c.id, type: "SMS" as const, status: "Queued", purpose, segments, encoding };
}

/**
 * A campaign: the same email to many customers, each personalized, consent and suppression checked
 * per customer. The accepted ones are recorded in one transaction and queued in one round trip;
 * the refused ones come back with their reason.
 */
export async function sendBulkEmail(deps: AppDeps, actor: Actor, input: z.infer<typeof ZBulkEmailInput>, traceId: string) {
  const template = await templateFor(deps, actor, input.templateId, "Email");
  const texts = { subject: input.subject ?? template?.subject, body: input.body ?? template?.bodyText, html: input.html ?? template?.bodyHtml };
  assertKnownVariables(texts); // an unknown variable fails the whole campaign, before any work
  const ids = [...new Set(input.customerIds)];
  const customers = await findCustomersByIds(deps.db, actor.tenantId, ids);
  const contacts = needsContacts(Object.values(texts)) ? await listActiveContactsOf(deps.db, actor.tenantId, customers.map((c) => c.id)) : new Map<string, Contact[]>();
  const suppressed = await suppressedEmails(deps.db, actor.tenantId, customers.map((c) => c.contactInfo.primaryEmail.toLowerCase()));
  const now = deps.now();
  const accepted: NewCommunication[] = [];
  const blockedList: { customerId: string; code: string; reason: string }[] = [];
  const found = new Map(customers.map((c) => [c.id, c]));
  for (const id of ids) {
    const customer = found.get(id);
    if (!customer || customer.isDeleted) {
      blockedList.push({ customerId: id, code: "CUST-001", reason: "customer not found" });
      continue;
    }
    const consent = checkConsent(customer.preferences, "Email", input.purpose);
    if (!consent.allowed) {
      blockedList.push({ customerId: id, code: "COMM-004", reason: consent.reason });
      continue;
    }
    if (input.purpose === "Marketing" && !canReceiveMarketing(customer)) {
      blockedList.push({ customerId: id, code: "COMM-004", reason: `${customer.status} customers receive no marketing` });
      continue;
    }
    const email = customer.contactInfo.primaryEmail;
    if (suppressed.has(email.toLowerCase())) {
      blockedList.push({ customerId: id, code: "COMM-005", reason: "the address hard-bounced earlier and is suppressed" });
      continue;
    }
    const rendered = personalize(texts, variablesOf(customer, contacts.get(id) ?? [], { email }), ["html"]);
    try {
      const draft = checkEmailDraft({ recipientEmail: email, subject: rendered.subject ?? undefined, text: rendered.body, html: rendered.html });
      accepted.push({ ...outbound(actor, id, "Email", input.purpose, now), subject: draft.subject, bodyText: draft.text, bodyHtml: draft.html, recipientEmail: draft.recipientEmail, templateId: template?.id ?? null });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      blockedList.push({ customerId: id, code: error.code, reason: Object.values(error.fieldErrors).flat().join("; ") || error.message });
    }
  }
  if (accepted.length) {
    await persist(deps, actor, accepted, "EmailQueued", traceId);
    await deps.jobs.enqueueEmails(accepted.map((c) => ({ communicationId: c.id, tenantId: actor.tenantId })));
  }
  return { accepted: accepted.map((c) => ({ customerId: c.customerId, communicationId: c.id })), blocked: blockedList };
}

/** Records an interaction that already happened (calls) or is planned (meetings), with its event. */
const recordWithEvent = (deps: AppDeps, actor: Actor, c: NewCommunication, event: { type: string; data: Record<string, unknown> }, traceId: string) =>
  persist(deps, actor, [c], event.type, traceId, event);

export async function logPhoneCall(deps: AppDeps, actor: Actor, input: z.infer<typeof ZLogCallInput>, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const now = deps.now();
  const call = checkPhoneCall(input, now, customer.contactInfo.billingAddress.country);
  const c: NewCommunication = {
    id: randomUUID(),
    tenantId: actor.tenantId,
    customerId: customer.id,
    type: "PhoneCall",
    purpose: "Transactional",
    direction: call.callType,
    status: "Completed",
    occurredAt: call.callTime,
    createdAt: now,
    createdBy: actor.userId,
    subject: call.summary,
    recipientPhone: call.phoneNumber,
    durationSeconds: call.durationInSeconds,
    notes: call.notes,
  };
  await recordWithEvent(
    deps,
    actor,
    c,
    {
      type: "CustomerPhoneCallLogged",
      data: { communicationId: c.id, customerId: customer.id, phoneNumber: call.phoneNumber, durationInSeconds: call.durationInSeconds, callType: call.callType, summary: call.summary, callTime: call.callTime.toISOString() },
    },
    traceId,
  );
  return toCommunicationDto((await findCommunication(deps.db, actor.tenantId, c.id))!);
}

const reminderKey = (meetingId: string, sequence: number, minutes: number) => `meeting-reminder:${meetingId}:${sequence}:${minutes}`;

/** Invitations go out now; reminders are delayed jobs, dropped or re-planned when the meeting moves. */
async function planMeetingMail(deps: AppDeps, m: Communication, method: "REQUEST" | "CANCEL", previousSequence?: number) {
  const invite: NotificationPayload = { kind: "meeting-invite", tenantId: m.tenantId, meetingId: m.id, sequence: m.sequence, method };
  await deps.jobs.enqueueNotification(invite, `meeting-${method === "CANCEL" ? "cancel" : "invite"}:${m.id}:${m.sequence}`);
  if (previousSequence !== undefined) {
    for (const minutes of m.reminderMinutes) await deps.jobs.cancelNotification(reminderKey(m.id, previousSequence, minutes));
  }
  if (method === "CANCEL") return;
  for (const minutes of m.reminderMinutes) {
    const delay = m.scheduledStart!.getTime() - minutes * 60_000 - deps.now().getTime();
    if (delay <= 0) continue;
    const reminder: NotificationPayload = { kind: "meeting-reminder", tenantId: m.tenantId, meetingId: m.id, sequence: m.sequence, minutesBefore: minutes };
    await deps.jobs.enqueueNotification(reminder, reminderKey(m.id, m.sequence, minutes), delay);
  }
}

export async function scheduleMeeting(deps: AppDeps, actor: Actor, input: z.infer<typeof ZMeetingInput>, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const now = deps.now();
  const m = checkMeeting(input, now);
  const c: NewCommunication = {
    id: randomUUID(),
    tenantId: actor.tenantId,
    customerId: customer.id,
    type: "Meeting",
    purpose: "Transactional",
    direction: "Outbound",
    status: "Scheduled",
    occurredAt: now,
    createdAt: now,
    createdBy: actor.userId,
    subject: m.title,
    bodyText: m.description,
    scheduledStart: m.scheduledStart,
    scheduledEnd: m.scheduledEnd,
    location: m.location,
    meetingLink: m.meetingLink,
    isVirtual: m.isVirtual,
    attendees: m.attendees,
    reminderMinutes: m.reminderMinutes,
  };
  await recordWithEvent(
    deps,
    actor,
    c,
    {
      type: "CustomerMeetingScheduled",
      data: {
        meetingId: c.id,
        customerId: customer.id,
        title: m.title,
        scheduledStart: m.scheduledStart.toISOString(),
        scheduledEnd: m.scheduledEnd.toISOString(),
        location: m.isVirtual ? m.meetingLink : m.location,
        attendees: m.attendees,
        scheduledAt: now.toISOString(),
      },
    },
    traceId,
  );
  const saved = (await findCommunication(deps.db, actor.tenantId, c.id))!;
  await planMeetingMail(deps, saved, "REQUEST");
  return toCommunicationDto(saved);
}

/** The meeting of this customer, or COMM-007; a cancelled one cannot change (COMM-008). */
function changeableMeeting(m: Communication | undefined, customerId: string): Communication {
  if (!m || m.type !== "Meeting" || m.customerId !== customerId) throw communicationNotFound("Meeting");
  if (m.status === "Cancelled") throw meetingCancelled();
  return m;
}

type MeetingPatch = Omit<Parameters<typeof updateMeeting>[3], "sequence" | "occurredAt">;

/**
 * Decides on the locked row (SELECT … FOR UPDATE), so concurrent changes of one meeting take
 * turns: a change without a version applies to the current meeting, one with a stale version is 409.
 */
async function changeMeeting(
  deps: AppDeps,
  actor: Actor,
  input: { customerId: string; meetingId: string; version?: number | undefined },
  traceId: string,
  eventType: string,
  patchOf: (m: Communication) => MeetingPatch,
) {
  await loadModifiable(deps, actor, input.customerId);
  const now = deps.now();
  const { m, patch } = await inTransaction(deps.db, async (trx) => {
    const m = changeableMeeting(await lockCommunication(trx, actor.tenantId, input.meetingId), input.customerId);
    assertVersion(input.version, m.version, "meeting");
    const patch = patchOf(m);
    if (!(await updateMeeting(trx, m.id, m.version, { ...patch, sequence: m.sequence + 1, occurredAt: m.occurredAt }))) {
      throw staleVersion(m.version, m.version + 1, "meeting");
    }
    const changes = { scheduledStart: { from: m.scheduledStart, to: patch.scheduledStart }, status: { from: m.status, to: patch.status } };
    await appendAudit(trx, [{ tenantId: actor.tenantId, entityType: "Communication", entityId: m.id, action: eventType, actorId: actor.userId, occurredAt: now, changes, traceId }]);
    await appendEvents(
      trx,
      [{ type: eventType, aggregateType: "Communication", aggregateId: m.id, data: { meetingId: m.id, customerId: m.customerId, scheduledStart: patch.scheduledStart.toISOString(), scheduledEnd: patch.scheduledEnd.toISOString(), status: patch.status } }],
      { tenantId: actor.tenantId, actor: actor.userId, version: m.version + 1, occurredAt: now },
    );
    return { m, patch };
  });
  const saved = (await findCommunication(deps.db, actor.tenantId, m.id))!;
  await planMeetingMail(deps, saved, patch.status === "Cancelled" ? "CANCEL" : "REQUEST", m.sequence);
  await deps.cache.bump(cacheKeys.communicationsGeneration(actor.tenantId, m.customerId));
  return toCommunicationDto(saved);
}

export async function rescheduleMeeting(deps: AppDeps, actor: Actor, input: z.infer<typeof ZRescheduleInput>, traceId: string) {
  return changeMeeting(deps, actor, input, traceId, "CustomerMeetingRescheduled", (m) => {
    const checked = checkMeeting(
      {
        title: m.subject ?? "",
        scheduledStart: input.scheduledStart,
        scheduledEnd: input.scheduledEnd,
        isVirtual: Boolean(m.isVirtual),
        location: input.location === undefined ? m.location : input.location,
        meetingLink: input.meetingLink === undefined ? m.meetingLink : input.meetingLink,
        attendees: m.attendees,
        reminderMinutes: m.reminderMinutes,
      },
      deps.now(),
    );
    return { scheduledStart: checked.scheduledStart, scheduledEnd: checked.scheduledEnd, location: checked.location, meetingLink: checked.meetingLink, status: "Scheduled" };
  });
}

export async function cancelMeeting(deps: AppDeps, actor: Actor, input: { customerId: string; meetingId: string; version?: number | undefined }, traceId: string) {
  return changeMeeting(deps, actor, input, traceId, "CustomerMeetingCancelled", (m) => ({
    scheduledStart: m.scheduledStart!,
    scheduledEnd: m.scheduledEnd!,
    location: m.location,
    meetingLink: m.meetingLink,
    status: "Cancelled",
  }));
}

/** REQ-CUS-025, cached 10 minutes per customer and query, retired by every change to the history. */
export async function history(deps: AppDeps, actor: Actor, input: z.infer<typeof ZHistoryInput>) {
  const hash = createHash("sha1").update(JSON.stringify(input)).digest("base64url");
  return deps.cache.throughGeneration(
    cacheKeys.communicationsGeneration(actor.tenantId, input.customerId),
    (generation) => cacheKeys.communications(actor.tenantId, input.customerId, generation, hash),
    CACHE_TTL.communications,
    () => loadHistory(deps, actor, input),
  );
}

async function loadHistory(deps: AppDeps, actor: Actor, input: z.infer<typeof ZHistoryInput>) {
  await loadVisible(deps, actor, input.customerId);
  const types = input.type?.map((t) => (t === "Phone" ? "PhoneCall" : t));
  const { items, totalCount } = await listCommunications(deps.db, actor.tenantId, input.customerId, {
    ...(types ? { types } : {}),
    ...(input.startDate ? { from: input.startDate } : {}),
    ...(input.endDate ? { to: input.endDate } : {}),
    page: input.page,
    pageSize: input.pageSize,
  });
  return { items: items.map(toCommunicationDto), totalCount, page: input.page, pageSize: input.pageSize, totalPages: Math.ceil(totalCount / input.pageSize) };
}

export async function getCommunication(deps: AppDeps, actor: Actor, input: { customerId: string; communicationId: string }) {
  await loadVisible(deps, actor, input.customerId);
  const c = await findCommunication(deps.db, actor.tenantId, input.communicationId);
  if (!c || c.customerId !== input.customerId) throw communicationNotFound();
  return toCommunicationDto(c);
}


/**
 * Sends a failed email or SMS again as a new message linked to the original (resentFromId), with
 * its own delivery state and job; the original keeps its history. Consent, suppression, STOP and
 * the SMS limits are checked as for a first send. resent_from_id is unique, so of two concurrent
 * resends one inserts and the other gets COMM-011: the message never goes out twice.
 */
export async function resendCommunication(deps: AppDeps, actor: Actor, input: z.infer<typeof ZResendInput>, traceId: string) {
  const customer = await loadModifiable(deps, actor, input.customerId);
  const original = await findCommunication(deps.db, actor.tenantId, input.communicationId);
  if (!original || original.customerId !== customer.id) throw communicationNotFound();
  assertResendable(original, (await findResendOf(deps.db, actor.tenantId, original.id))?.id ?? null);
  const channel = original.type as "Email" | "SMS";
  const purpose = original.purpose as Purpose;
  await assertMaySend(deps, actor, customer, channel, purpose, (channel === "Email" ? original.recipientEmail : original.recipientPhone)!);
  const c: NewCommunication = {
    ...outbound(actor, customer.id, channel, purpose, deps.now()),
    subject: original.subject,
    bodyText: original.bodyText,
    bodyHtml: original.bodyHtml,
    recipientEmail: original.recipientEmail,
    recipientPhone: original.recipientPhone,
    templateId: original.templateId,
    attachments: original.attachments,
    segments: original.segments,
    encoding: original.encoding,
    resentFromId: original.id,
  };
  const event = { type: "CommunicationResent", data: { communicationId: c.id, resentFromId: original.id, customerId: customer.id, type: channel, purpose } };
  try {
    await persist(deps, actor, [c], `${channel}Resent`, traceId, event);
  } catch (error) {
    if ((error as { code?: string }).code !== "ER_DUP_ENTRY") throw error;
    assertResendable(original, (await findResendOf(deps.db, actor.tenantId, original.id))?.id ?? "another request");
  }
  await deps.jobs.enqueueMessage(channel, { communicationId: c.id, tenantId: actor.tenantId });
  return {
    communicationId: c.id,
    type: channel,
    status: "Queued",
    purpose,
    resentFromId: original.id,
    ...(channel === "SMS" && original.segments !== null ? { segments: original.segments } : {}),
    ...(channel === "SMS" && original.encoding !== null ? { encoding: original.encoding } : {}),
  };
}
