import type { Preferences } from "../customer/customer.types";
import { checkAttachmentLimits } from "../attachments";
import { DomainError, FieldErrorCollector } from "../errors";
import { hasLineBreak } from "../text";
import { validateEmail } from "../validation/email";
import { validatePhone } from "../validation/phone";

export const COMMUNICATION_TYPES = ["Email", "SMS", "PhoneCall", "Meeting"] as const;
export type CommunicationType = (typeof COMMUNICATION_TYPES)[number];
export const PURPOSES = ["Transactional", "Marketing"] as const;
export type Purpose = (typeof PURPOSES)[number];

export const DELIVERY_STATUSES = ["Queued", "Sending", "Sent", "Delivered", "Undelivered", "Bounced", "Failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_SMS_CHARS = 1600;

// Later states never step back: a late "sent" callback must not undo "delivered".
const RANK: Record<DeliveryStatus, number> = { Queued: 0, Sending: 1, Sent: 2, Delivered: 3, Undelivered: 3, Failed: 3, Bounced: 4 };

/** The status a delivery report moves a message to, or null when it would move it backwards. */
export function nextDeliveryStatus(current: DeliveryStatus, reported: DeliveryStatus): DeliveryStatus | null {
  if (current === reported) return null;
  if (current === "Failed" || current === "Bounced") return null;
  return RANK[reported] >= RANK[current] ? reported : null;
}

/** Only a message that did not get through may be sent again; anything else would be a duplicate. */
export const RESENDABLE_STATUSES = ["Failed", "Bounced", "Undelivered"] as const satisfies readonly DeliveryStatus[];

/** An email or SMS may be resent once it failed, and only once: a failed resend is resent in turn. */
export function assertResendable(c: { type: string; status: string }, resentAlreadyAs: string | null): void {
  if (c.type !== "Email" && c.type !== "SMS") {
    throw new DomainError("COMM-010", "business_rule", `Only an email or a text message can be resent, not a ${c.type}.`, { communicationId: ["is not an email or SMS"] });
  }
  if (!(RESENDABLE_STATUSES as readonly string[]).includes(c.status)) {
    throw new DomainError("COMM-010", "business_rule", `Only a message that failed (${RESENDABLE_STATUSES.join(", ")}) can be resent; this one is ${c.status}.`, {
      status: [`is ${c.status}`],
    });
  }
  if (resentAlreadyAs) {
    throw new DomainError("COMM-011", "conflict", `This message was already resent as ${resentAlreadyAs}; resend that one if it failed too.`, { communicationId: [`resent as ${resentAlreadyAs}`] });
  }
}

/** Twilio's message statuses in ours. */
export function fromTwilioStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case "accepted":
    case "queued":
    case "scheduled":
      return "Queued";
    case "sending":
      return "Sending";
    case "sent":
      return "Sent";
    case "delivered":
    case "read":
      return "Delivered";
    case "undelivered":
      return "Undelivered";
    case "failed":
    case "canceled":
      return "Failed";
    default:
      return null;
  }
}

export type ConsentDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * REQ-CUS-016: marketing needs the customer's explicit opt-in and a channel they have not switched
 * off. Transactional messages (a complaint update, an invoice) go regardless, marked as such.
 */
export function checkConsent(p: Preferences, channel: "Email" | "SMS", purpose: Purpose): ConsentDecision {
  if (purpose === "Transactional") return { allowed: true };
  if (!p.marketingConsent) return { allowed: false, reason: "the customer has not opted in to marketing messages" };
  const channels = p.communication.channels;
  if (channels.includes("None") || !channels.includes(channel)) {
    return { allowed: false, reason: `the customer does not accept ${channel} (preferred channels: ${channels.join(", ") || "none"})` };
  }
  const notifications = channel === "Email" ? p.notifications.email : p.notifications.sms;
  if (!notifications) return { allowed: false, reason: `the customer switched ${channel} notifications off` };
  return { allowed: true };
}

/** Appendix B: an invalid recipient is COMM-001 (400), with every field problem listed. */
function throwIfInvalidRecipient(errors: FieldErrorCollector, field: string, message: string): void {
  if (errors.errors[field]) throw new DomainError("COMM-001", "validation", message, errors.errors);
}

export type EmailDraft = { recipientEmail: string; subject: string; text: string | null; html: string | null };

/** REQ-CUS-020: a valid recipient, a subject without line breaks (header injection), some body. */
export function checkEmailDraft(d: { recipientEmail: string; subject?: string | undefined; text?: string | null | undefined; html?: string | null | undefined }) {
  const errors = new FieldErrorCollector();
  const email = validateEmail(d.recipientEmail);
  if (!email.ok) errors.add("recipientEmail", email.message);
  const subject = d.subject?.trim() ?? "";
  if (!subject) errors.add("subject", "is required");
  else if (subject.length > 500) errors.add("subject", "must be at most 500 characters");
  else if (hasLineBreak(subject)) errors.add("subject", "must not contain line breaks");
  const text = d.text?.trim() ? d.text : null;
  const html = d.html?.trim() ? d.html : null;
  if (!text && !html) errors.add("body", "is required: give a text body, an HTML body, or both");
  throwIfInvalidRecipient(errors, "recipientEmail", "The recipient's email address is not valid.");
  errors.throwIfAny();
  return { recipientEmail: (email as { value: string }).value, subject, text, html } satisfies EmailDraft;
}

export function checkAttachments(files: { size: number }[]) {
  checkAttachmentLimits(files, { maxCount: MAX_ATTACHMENTS, maxBytes: MAX_ATTACHMENT_BYTES });
}

/** REQ-CUS-021: an E.164 recipient (a national number is read in the customer's country) and 1-1600 characters. */
export function checkSmsDraft(d: { recipientPhone: string; message?: string | undefined }, defaultCountry?: string) {
  const errors = new FieldErrorCollector();
  const phone = validatePhone(d.recipientPhone, defaultCountry);
  if (!phone.ok) errors.add("recipientPhone", phone.message);
  const message = d.message ?? "";
  if (!message.trim()) errors.add("message", "is required");
  else if ([...message].length > MAX_SMS_CHARS) errors.add("message", `must be at most ${MAX_SMS_CHARS} characters`);
  throwIfInvalidRecipient(errors, "recipientPhone", "The recipient's phone number is not valid.");
  errors.throwIfAny();
  return { recipientPhone: (phone as { value: string }).value, message };
}

export const CALL_TYPES = ["Inbound", "Outbound"] as const;

/** REQ-CUS-022. */
export function checkPhoneCall(
  d: { phoneNumber: string; callType: string; durationInSeconds: number; summary: string; notes?: string | null | undefined; callTime: Date },
  now: Date,
  defaultCountry?: string,
) {
  const errors = new FieldErrorCollector();
  const phone = validatePhone(d.phoneNumber, defaultCountry);
  if (!phone.ok) errors.add("phoneNumber", phone.message);
  if (!(CALL_TYPES as readonly string[]).includes(d.callType)) errors.add("callType", "must be Inbound or Outbound");
  if (!Number.isInteger(d.durationInSeconds) || d.durationInSeconds < 0) errors.add("durationInSeconds", "must be a whole number of seconds, 0 or more");
  const summary = d.summary.trim();
  if (summary.length < 10) errors.add("summary", "must be at least 10 characters");
  if (d.callTime.getTime() > now.getTime() + 5 * 60_000) errors.add("callTime", "cannot be in the future");
  errors.throwIfAny();
  return {
    phoneNumber: (phone as { value: string }).value,
    callType: d.callType as (typeof CALL_TYPES)[number],
    durationInSeconds: d.durationInSeconds,
    summary,
    notes: d.notes?.trim() || null,
    callTime: d.callTime,
  };
}

export const DEFAULT_REMINDER_MINUTES = [24 * 60, 60];

export type MeetingInput = {
  title: string;
  description?: string | null | undefined;
  scheduledStart: Date;
  scheduledEnd: Date;
  isVirtual: boolean;
  location?: string | null | undefined;
  meetingLink?: string | null | undefined;
  attendees: string[];
  reminderMinutes?: number[] | undefined;
};

/** REQ-CUS-023: start before end (and ahead), a place or a link, at least one valid attendee. */
export function checkMeeting(d: MeetingInput, now: Date) {
  const errors = new FieldErrorCollector();
  const title = d.title.trim();
  if (!title) errors.add("title", "is required");
  if (hasLineBreak(title)) errors.add("title", "must not contain line breaks");
  if (d.scheduledEnd.getTime() <= d.scheduledStart.getTime()) errors.add("scheduledEnd", "must be after scheduledStart");
  if (d.scheduledStart.getTime() <= now.getTime()) errors.add("scheduledStart", "must be in the future");
  const location = d.location?.trim() || null;
  const link = d.meetingLink?.trim() || null;
  if (d.isVirtual) {
    if (!link) errors.add("meetingLink", "is required for a virtual meeting");
    else if (!/^https?:\/\/\S+\.\S+$/.test(link)) errors.add("meetingLink", "must be an http(s) URL");
  } else if (!location) {
    errors.add("location", "is required for an in-person meeting");
  }
  if (location && hasLineBreak(location)) errors.add("location", "must not contain line breaks");
  const attendees: string[] = [];
  if (d.attendees.length === 0) errors.add("attendees", "at least one attendee is required");
  d.attendees.forEach((a, i) => {
    const email = validateEmail(a);
    if (!email.ok) errors.add(`attendees.${i}`, email.message);
    else if (!attendees.some((x) => x.toLowerCase() === email.value.toLowerCase())) attendees.push(email.value);
  });
  const reminders = [...new Set(d.reminderMinutes ?? DEFAULT_REMINDER_MINUTES)].sort((a, b) => b - a);
  if (reminders.some((m) => !Number.isInteger(m) || m < 1 || m > 60 * 24 * 14)) {
    errors.add("reminderMinutes", "each must be a whole number of minutes between 1 and 20160 (14 days)");
  }
  errors.throwIfAny();
  return {
    title,
    description: d.description?.trim() || null,
    scheduledStart: d.scheduledStart,
    scheduledEnd: d.scheduledEnd,
    isVirtual: d.isVirtual,
    location,
    meetingLink: link,
    attendees,
    reminderMinutes: reminders,
  };
}

export const FOLLOW_UP_PRIORITIES = ["Low", "Medium", "High"] as const;
export type FollowUpPriority = (typeof FOLLOW_UP_PRIORITIES)[number];

/** REQ-CUS-024. */
export function checkFollowUp(d: { subject: string; description?: string | null | undefined; dueDate: Date; priority: string }, now: Date) {
  const errors = new FieldErrorCollector();
  const subject = d.subject.trim();
  if (!subject) errors.add("subject", "is required");
  if (subject.length > 500) errors.add("subject", "must be at most 500 characters");
  if (d.dueDate.getTime() <= now.getTime()) errors.add("dueDate", "must be in the future");
  if (!(FOLLOW_UP_PRIORITIES as readonly string[]).includes(d.priority)) errors.add("priority", "must be Low, Medium or High");
  errors.throwIfAny();
  return { subject, description: d.description?.trim() || null, dueDate: d.dueDate, priority: d.priority as FollowUpPriority };
}

/** A follow-up is overdue while pending past its due date. */
export const isOverdue = (f: { status: string; dueDate: Date }, now: Date) => f.status === "Pending" && f.dueDate.getTime() < now.getTime();
