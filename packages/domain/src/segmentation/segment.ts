import { DomainError, FieldErrorCollector } from "../errors";
import type { DomainEvent } from "../events";
import type { SegmentCriteria } from "./criteria";

/** The CustomerSegment aggregate (004, issue 13 §1): many-to-many, rule-based or hand-kept. */
export const SEGMENT_STATUSES = ["ACTIVE", "INACTIVE", "CALCULATING", "ERROR"] as const;
export type SegmentStatus = (typeof SEGMENT_STATUSES)[number];
/** A dynamic segment's members are what its criteria select; a static one's are added and removed by hand. */
export const SEGMENT_KINDS = ["dynamic", "static"] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];
export const MEMBERSHIP_REASONS = ["criteria", "manual", "recalculation"] as const;
export type MembershipReason = (typeof MEMBERSHIP_REASONS)[number];

export type SegmentDefinition = {
  id: string;
  name: string;
  description: string | null;
  ruleId: string | null;
  kind: SegmentKind;
  criteria: SegmentCriteria | null;
  status: SegmentStatus;
  version: number;
};

export type SegmentDraft = { name: string; description?: string | null; ruleId?: string | null; kind: SegmentKind; criteria?: SegmentCriteria | null; status?: "ACTIVE" | "INACTIVE" };

export const segmentNotFound = () => new DomainError("SEG-001", "not_found", "Segment not found.");
export const duplicateSegmentName = () => new DomainError("SEG-002", "conflict", "Another segment of this tenant has this name.", { name: ["is already used by another segment"] });
export const notStaticSegment = (field = "segmentId") =>
  new DomainError("SEG-003", "business_rule", "Members are added and removed by hand only in a static segment; a dynamic one follows its criteria.", {
    [field]: ["must be a static segment"],
  });

/** 004 "at least one criteria must be specified": a dynamic segment needs criteria, a static one has none. */
export function checkSegmentDraft(d: SegmentDraft): void {
  const errors = new FieldErrorCollector();
  if (d.kind === "dynamic" && !d.criteria) errors.add("criteria", "is required for a dynamic segment");
  if (d.kind === "static" && d.criteria) errors.add("criteria", "must be omitted for a static segment (its members are kept by hand)");
  errors.throwIfAny();
}

/** Whether the segment's members follow its criteria right now (an INACTIVE one keeps its members as they are). */
export const followsCriteria = <T extends Pick<SegmentDefinition, "kind" | "status" | "criteria">>(s: T): s is T & { criteria: SegmentCriteria } =>
  s.kind === "dynamic" && s.status !== "INACTIVE" && s.criteria !== null;

/** Who joins and who leaves when the members become `next`. */
export function membershipDiff(current: Iterable<string>, next: Iterable<string>): { joined: string[]; left: string[] } {
  const now = new Set(current);
  const then = new Set(next);
  return { joined: [...then].filter((id) => !now.has(id)), left: [...now].filter((id) => !then.has(id)) };
}

export function membershipEvents(segment: Pick<SegmentDefinition, "id" | "name">, change: { joined: string[]; left: string[] }, reason: MembershipReason): DomainEvent[] {
  const ev = (type: string, customerId: string): DomainEvent => ({
    type,
    aggregateType: "Customer",
    aggregateId: customerId,
    data: { customerId, segmentId: segment.id, segmentName: segment.name, reason },
  });
  return [...change.joined.map((id) => ev("CustomerSegmentJoined", id)), ...change.left.map((id) => ev("CustomerSegmentLeft", id))];
}

export const segmentEvent = (type: "CustomerSegmentCreated" | "CustomerSegmentUpdated" | "CustomerSegmentDeleted", s: Pick<SegmentDefinition, "id" | "name" | "kind">, data: Record<string, unknown> = {}): DomainEvent => ({
  type,
  aggregateType: "CustomerSegment",
  aggregateId: s.id,
  data: { segmentId: s.id, name: s.name, kind: s.kind, ...data },
});
