import { asteriskCensorStrategy, englishDataset, englishRecommendedTransformers, keepStartCensorStrategy, RegExpMatcher, TextCensor } from "obscenity";
import { diff, type Changes } from "../changes";
import { DomainError, FieldErrorCollector } from "../errors";
import type { DomainEvent } from "../events";
import { hasLineBreak } from "../text";

export const TESTIMONIAL_STATUSES = ["Pending", "Approved", "Rejected"] as const;
export type TestimonialStatus = (typeof TESTIMONIAL_STATUSES)[number];

export const MAX_TESTIMONIAL_CHARS = 2000;
export const MAX_AUTHOR_NAME_CHARS = 200;
export const MIN_REJECTION_REASON_CHARS = 3;
export const MAX_REJECTION_REASON_CHARS = 500;

export type Testimonial = {
  id: string;
  tenantId: string;
  customerId: string;
  /** As stored: profanity already masked; the submitted original is never kept. */
  content: string;
  rating: number;
  relatedEventId: string | null;
  isPublic: boolean;
  status: TestimonialStatus;
  containsProfanity: boolean;
  authorName: string;
  approvedBy: string | null;
  approvedAt: Date | null;
  rejectedBy: string | null;
  rejectedAt: Date | null;
  rejectionReason: string | null;
  createdAt: Date;
  createdBy: string;
  version: number;
};

export const testimonialNotFound = () => new DomainError("TEST-001", "not_found", "Testimonial not found.");

// Built once: the English preset with its transformers catches variants such as "fuuuck" or "sh1t".
const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
// Keeping the first letter ("f***") tells a moderator what kind of word it was without repeating it.
const censor = new TextCensor().setStrategy(keepStartCensorStrategy(asteriskCensorStrategy()));

/** Masks every profane word the English preset finds. */
export function maskProfanity(text: string): { text: string; containsProfanity: boolean } {
  const matches = matcher.getAllMatches(text, true);
  if (matches.length === 0) return { text, containsProfanity: false };
  return { text: censor.applyTo(text, matches), containsProfanity: true };
}

const chars = (s: string) => [...s].length;

export type TestimonialInput = {
  content: string;
  rating: number;
  relatedEventId?: string | null | undefined;
  isPublic?: boolean | undefined;
  authorName: string;
};

/** REQ-CUS-030: content 1-2000 characters, a whole-star rating 1-5, an author name; profanity masked. */
export function checkTestimonial(d: TestimonialInput) {
  const errors = new FieldErrorCollector();
  const content = d.content.trim();
  if (!content) errors.add("content", "is required");
  else if (chars(content) > MAX_TESTIMONIAL_CHARS) errors.add("content", `must be at most ${MAX_TESTIMONIAL_CHARS} characters`);
  if (!Number.isInteger(d.rating) || d.rating < 1 || d.rating > 5) errors.add("rating", "must be a whole number from 1 to 5");
  const authorName = d.authorName.trim();
  if (!authorName) errors.add("authorName", "is required");
  else if (chars(authorName) > MAX_AUTHOR_NAME_CHARS) errors.add("authorName", `must be at most ${MAX_AUTHOR_NAME_CHARS} characters`);
  // The name goes into email subjects and onto the public website: one line only.
  else if (hasLineBreak(authorName)) errors.add("authorName", "must not contain line breaks");
  errors.throwIfAny();
  const masked = maskProfanity(content);
  return {
    content: masked.text,
    containsProfanity: masked.containsProfanity,
    rating: d.rating,
    relatedEventId: d.relatedEventId ?? null,
    isPublic: d.isPublic ?? false,
    authorName,
  };
}

/** A new testimonial waits for a marketing manager's decision (status Pending). */
export function receiveTestimonial(
  v: ReturnType<typeof checkTestimonial>,
  ctx: { id: string; tenantId: string; customerId: string; actorId: string; now: Date },
): { testimonial: Testimonial; event: DomainEvent } {
  const testimonial: Testimonial = {
    id: ctx.id,
    tenantId: ctx.tenantId,
    customerId: ctx.customerId,
    ...v,
    status: "Pending",
    approvedBy: null,
    approvedAt: null,
    rejectedBy: null,
    rejectedAt: null,
    rejectionReason: null,
    createdAt: ctx.now,
    createdBy: ctx.actorId,
    version: 1,
  };
  return {
    testimonial,
    event: {
      type: "CustomerTestimonialReceived",
      aggregateType: "Testimonial",
      aggregateId: testimonial.id,
      data: {
        testimonialId: testimonial.id,
        customerId: testimonial.customerId,
        content: testimonial.content,
        rating: testimonial.rating,
        relatedEventId: testimonial.relatedEventId,
        isPublic: testimonial.isPublic,
        receivedAt: ctx.now.toISOString(),
      },
    },
  };
}

export type TestimonialDecision = { kind: "approve"; isPublic?: boolean | undefined } | { kind: "reject"; reason: string };

/**
 * REQ-CUS-031: a pending testimonial is approved (optionally made public) or rejected with a
 * reason. The decision is final: neither can follow the other, nor repeat.
 */
export function decideTestimonial(
  t: Testimonial,
  decision: TestimonialDecision,
  ctx: { actorId: string; now: Date },
): { testimonial: Testimonial; event: DomainEvent; changes: Changes } {
  if (t.status !== "Pending") {
    throw new DomainError("TEST-002", "business_rule", `The testimonial was already ${t.status.toLowerCase()}; the decision is final.`);
  }
  let next: Testimonial;
  let event: DomainEvent;
  if (decision.kind === "approve") {
    next = { ...t, status: "Approved", isPublic: decision.isPublic ?? t.isPublic, approvedBy: ctx.actorId, approvedAt: ctx.now, version: t.version + 1 };
    event = {
      type: "CustomerTestimonialApproved",
      aggregateType: "Testimonial",
      aggregateId: t.id,
      data: { testimonialId: t.id, customerId: t.customerId, isPublic: next.isPublic, approvedBy: ctx.actorId, approvedAt: ctx.now.toISOString() },
    };
  } else {
    const reason = decision.reason.trim();
    const errors = new FieldErrorCollector();
    if (chars(reason) < MIN_REJECTION_REASON_CHARS) errors.add("reason", `is required (at least ${MIN_REJECTION_REASON_CHARS} characters)`);
    else if (chars(reason) > MAX_REJECTION_REASON_CHARS) errors.add("reason", `must be at most ${MAX_REJECTION_REASON_CHARS} characters`);
    errors.throwIfAny();
    next = { ...t, status: "Rejected", rejectedBy: ctx.actorId, rejectedAt: ctx.now, rejectionReason: reason, version: t.version + 1 };
    event = {
      type: "CustomerTestimonialRejected",
      aggregateType: "Testimonial",
      aggregateId: t.id,
      data: { testimonialId: t.id, customerId: t.customerId, reason, rejectedBy: ctx.actorId, rejectedAt: ctx.now.toISOString() },
    };
  }
  const { version: _v, ...before } = t;
  const { version: _n, ...after } = next;
  return { testimonial: next, event, changes: diff(before, after) };
}

export const isApproved = (t: { status: string }) => t.status === "Approved";
