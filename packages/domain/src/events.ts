/** A domain event as the aggregate raises it; the outbox wraps it in the DESIGN.md envelope. */
export type DomainEvent = {
  type: string;
  aggregateType: AggregateType;
  aggregateId: string;
  data: Record<string, unknown>;
};

export type AggregateType = "Customer" | "CustomerList" | "CustomerSegment" | "Contact" | "ContactList" | "Communication" | "Complaint" | "Testimonial";

export const TOPICS = [
  "customer-events",
  "contact-events",
  "communication-events",
  "complaint-events",
  "testimonial-events",
] as const;
export type Topic = (typeof TOPICS)[number];

const TOPIC_BY_AGGREGATE: Record<AggregateType, Topic> = {
  Customer: "customer-events",
  // Customer imports, exports and bulk jobs: about many customers at once.
  CustomerList: "customer-events",
  // Issue 13: rule-based segment definitions (their members' joins and leaves are Customer events).
  CustomerSegment: "customer-events",
  Contact: "contact-events",
  ContactList: "contact-events",
  Communication: "communication-events",
  Complaint: "complaint-events",
  Testimonial: "testimonial-events",
};

export const topicFor = (aggregateType: AggregateType): Topic => TOPIC_BY_AGGREGATE[aggregateType];

/** Envelope published to the topics (DESIGN.md); consumers dedupe by `id`. */
export type EventEnvelope = {
  id: string;
  type: string;
  tenantId: string;
  aggregateType: AggregateType;
  aggregateId: string;
  version: number;
  occurredAt: string;
  actor: string;
  data: Record<string, unknown>;
};
