import { describe, expect, it } from "vitest";
import { codeOf, fieldErrors } from "./support";
import { checkTestimonial, decideTestimonial, maskProfanity, receiveTestimonial, type TestimonialInput } from "../src/index";

const now = new Date("2026-03-04T05:06:07.000Z");
const later = new Date("2026-03-05T00:00:00.000Z");
const input = (o: Partial<TestimonialInput> = {}): TestimonialInput => ({ content: "Great service, fast delivery.", rating: 5, authorName: "Jane Doe", ...o });
const receive = (o: Partial<TestimonialInput> = {}) =>
  receiveTestimonial(checkTestimonial(input(o)), { id: "t-1", tenantId: "ten-1", customerId: "c-1", actorId: "u-1", now });

describe("submitting a testimonial (REQ-CUS-030)", () => {
  it("accepts a valid one as Pending, private by default, and raises CustomerTestimonialReceived", () => {
    const { testimonial, event } = receive({ relatedEventId: "e-1" });
    expect(testimonial).toMatchObject({ status: "Pending", isPublic: false, containsProfanity: false, rating: 5, authorName: "Jane Doe", relatedEventId: "e-1", version: 1, approvedBy: null });
    expect(event).toEqual({
      type: "CustomerTestimonialReceived",
      aggregateType: "Testimonial",
      aggregateId: "t-1",
      data: { testimonialId: "t-1", customerId: "c-1", content: "Great service, fast delivery.", rating: 5, relatedEventId: "e-1", isPublic: false, receivedAt: now.toISOString() },
    });
    expect(receive({ isPublic: true }).testimonial.isPublic).toBe(true);
  });

  it.each([0, 6, 2.5, -1, Number.NaN])("refuses rating %s", (rating) => {
    expect(fieldErrors(() => checkTestimonial(input({ rating })))).toHaveProperty("rating");
  });

  it.each([1, 3, 5])("accepts rating %s", (rating) => {
    expect(checkTestimonial(input({ rating })).rating).toBe(rating);
  });

  it("requires content of at most 2000 characters (counted as characters, not UTF-16 units)", () => {
    expect(fieldErrors(() => checkTestimonial(input({ content: "   " })))).toEqual({ content: ["is required"] });
    expect(fieldErrors(() => checkTestimonial(input({ content: "a".repeat(2001) })))).toHaveProperty("content");
    expect(checkTestimonial(input({ content: "a".repeat(2000) })).content).toHaveLength(2000);
    expect([...checkTestimonial(input({ content: "😀".repeat(2000) })).content]).toHaveLength(2000);
  });

  it("requires a one-line author name of at most 200 characters, and reports every problem at once", () => {
    expect(fieldErrors(() => checkTestimonial(input({ authorName: " " })))).toEqual({ authorName: ["is required"] });
    expect(fieldErrors(() => checkTestimonial(input({ authorName: "x".repeat(201) })))).toHaveProperty("authorName");
    expect(fieldErrors(() => checkTestimonial(input({ authorName: "Jane\r\nBcc: x@y.z" })))).toHaveProperty("authorName");
    expect(Object.keys(fieldErrors(() => checkTestimonial({ content: "", rating: 9, authorName: "" })))).toEqual(["content", "rating", "authorName"]);
  });

  it("masks profanity, keeps the first letter, flags it, and never keeps the original", () => {
    const { testimonial, event } = receive({ content: "This shit is fucking great" });
    expect(testimonial.content).toBe("This s*** is f***ing great");
    expect(testimonial.containsProfanity).toBe(true);
    expect(JSON.stringify(event)).not.toMatch(/shit|fuck/);
  });

  it("catches obfuscated variants and leaves innocent words alone", () => {
    expect(maskProfanity("fuuuuuck").containsProfanity).toBe(true);
    expect(maskProfanity("what a b1tch").containsProfanity).toBe(true);
    expect(maskProfanity("The pen is mightier; grapes, class and analysis in Scunthorpe")).toEqual({
      text: "The pen is mightier; grapes, class and analysis in Scunthorpe",
      containsProfanity: false,
    });
  });
});

describe("deciding on a testimonial (REQ-CUS-031)", () => {
  const pending = () => receive().testimonial;

  it("approves: records approver and time, keeps or sets public visibility, raises the event", () => {
    const kept = decideTestimonial(receive({ isPublic: true }).testimonial, { kind: "approve" }, { actorId: "mm-1", now: later });
    expect(kept.testimonial).toMatchObject({ status: "Approved", isPublic: true, approvedBy: "mm-1", approvedAt: later, version: 2 });
    const set = decideTestimonial(pending(), { kind: "approve", isPublic: true }, { actorId: "mm-1", now: later });
    expect(set.testimonial.isPublic).toBe(true);
    expect(set.event).toEqual({
      type: "CustomerTestimonialApproved",
      aggregateType: "Testimonial",
      aggregateId: "t-1",
      data: { testimonialId: "t-1", customerId: "c-1", isPublic: true, approvedBy: "mm-1", approvedAt: later.toISOString() },
    });
    expect(set.changes).toMatchObject({ status: { from: "Pending", to: "Approved" }, isPublic: { from: false, to: true }, approvedBy: { from: null, to: "mm-1" } });
  });

  it("rejects with a reason of at least 3 characters", () => {
    expect(fieldErrors(() => decideTestimonial(pending(), { kind: "reject", reason: " no " }, { actorId: "mm-1", now: later }))).toHaveProperty("reason");
    expect(fieldErrors(() => decideTestimonial(pending(), { kind: "reject", reason: "x".repeat(501) }, { actorId: "mm-1", now: later }))).toHaveProperty("reason");
    const r = decideTestimonial(pending(), { kind: "reject", reason: " Off topic " }, { actorId: "mm-1", now: later });
    expect(r.testimonial).toMatchObject({ status: "Rejected", rejectedBy: "mm-1", rejectedAt: later, rejectionReason: "Off topic", approvedBy: null, version: 2 });
    expect(r.event).toMatchObject({ type: "CustomerTestimonialRejected", data: { reason: "Off topic", rejectedBy: "mm-1" } });
  });

  it("is final: no second decision of either kind (TEST-002)", () => {
    const approved = decideTestimonial(pending(), { kind: "approve" }, { actorId: "mm-1", now: later }).testimonial;
    const rejected = decideTestimonial(pending(), { kind: "reject", reason: "Spam" }, { actorId: "mm-1", now: later }).testimonial;
    for (const t of [approved, rejected]) {
      expect(codeOf(() => decideTestimonial(t, { kind: "approve", isPublic: true }, { actorId: "mm-2", now: later }))).toBe("TEST-002");
      expect(codeOf(() => decideTestimonial(t, { kind: "reject", reason: "Changed my mind" }, { actorId: "mm-2", now: later }))).toBe("TEST-002");
    }
  });
});
