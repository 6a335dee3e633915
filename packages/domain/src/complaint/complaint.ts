import type { Actor } from "../authz";
import { can } from "../authz";
import { checkAttachmentLimits } from "../attachments";
import { DomainError, FieldErrorCollector } from "../errors";

export const COMPLAINT_STATUSES = ["New", "InProgress", "Resolved", "Closed", "Escalated"] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];
export const COMPLAINT_PRIORITIES = ["Low", "Medium", "High", "Critical"] as const;
export type ComplaintPriority = (typeof COMPLAINT_PRIORITIES)[number];

/** Complaints whose resolution stands: the knowledge base (a reopened one drops out until resolved again). */
export const RESOLVED_COMPLAINT_STATUSES = ["Resolved", "Closed"] as const satisfies readonly ComplaintStatus[];

/** The shortest word the full-text index holds (InnoDB's innodb_ft_min_token_size). */
export const KNOWLEDGE_BASE_MIN_WORD = 3;

/** The words a knowledge-base search looks for: runs of letters and digits, lower-cased, each once. */
export function knowledgeBaseWords(query: string): string[] {
  return [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= KNOWLEDGE_BASE_MIN_WORD))];
}

export const MAX_COMPLAINT_ATTACHMENTS = 5;
export const MAX_COMPLAINT_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** REQ-CUS-027: the only moves a complaint may make; Closed is final. */
export const COMPLAINT_TRANSITIONS: Record<ComplaintStatus, readonly ComplaintStatus[]> = {
  New: ["InProgress", "Escalated"],
  InProgress: ["Resolved", "Escalated"],
  Resolved: ["Closed", "InProgress"],
  Escalated: ["InProgress", "Resolved"],
  Closed: [],
};

/** REQ-CUS-029 / Appendix C defaults, in hours, measured from submission. */
export const DEFAULT_ESCALATION_HOURS: Record<ComplaintPriority, number> = { Critical: 4, High: 24, Medium: 48, Low: 168 };

/** Statuses the automatic escalation looks at. */
export const ESCALATABLE: readonly ComplaintStatus[] = ["New", "InProgress"];

/** Open = not yet resolved or closed. */
export const OPEN_COMPLAINT_STATUSES: readonly ComplaintStatus[] = ["New", "InProgress", "Escalated"];

export type ComplaintState = {
  status: ComplaintStatus;
  assignedTo: string | null;
  createdAt: Date;
};

export function formatComplaintNumber(day: Date, sequence: number): string {
  const ymd = day.toISOString().slice(0, 10).replace(/-/g, "");
  return `COMP-${ymd}-${String(sequence).padStart(4, "0")}`;
}

export function checkComplaint(d: { subject: string; description: string; category?: string | null | undefined; priority: string }) {
  const errors = new FieldErrorCollector();
  const subject = d.subject.trim();
  const description = d.description.trim();
  if (!subject) errors.add("subject", "is required");
  if (subject.length > 500) errors.add("subject", "must be at most 500 characters");
  if (!description) errors.add("description", "is required");
  if (description.length > 5000) errors.add("description", "must be at most 5000 characters");
  const category = d.category?.trim() || null;
  if (category && category.length > 100) errors.add("category", "must be at most 100 characters");
  if (!(COMPLAINT_PRIORITIES as readonly string[]).includes(d.priority)) errors.add("priority", "must be Low, Medium, High or Critical");
  errors.throwIfAny();
  return { subject, description, category, priority: d.priority as ComplaintPriority };
}

export function checkComplaintAttachments(files: { size: number }[]) {
  checkAttachmentLimits(files, { maxCount: MAX_COMPLAINT_ATTACHMENTS, maxBytes: MAX_COMPLAINT_ATTACHMENT_BYTES });
}

const isManager = (actor: Actor) => can(actor.roles, "customer:delete");

function invalidTransition(from: ComplaintStatus, to: string): DomainError {
  const allowed = COMPLAINT_TRANSITIONS[from];
  return new DomainError(
    "COMP-003",
    "business_rule",
    from === "Closed" ? "A closed complaint cannot change any more." : `A complaint cannot go from ${from} to ${to}; from ${from} it may go to ${allowed.join(" or ")}.`,
    { status: [`invalid transition ${from} → ${to}`] },
  );
}

/**
 * A manual status change (REQ-CUS-027): notes required, only the assignee or a manager, manual
 * escalation only by a manager, and only the moves in the table. Resolving has its own operation.
 */
export function decideStatusChange(c: ComplaintState, to: string, notes: string, actor: Actor): { to: ComplaintStatus; notes: string } {
  const trimmed = notes.trim();
  if (trimmed.length < 3) throw new DomainError("VALIDATION", "validation", "Notes are required.", { notes: ["are required for every status change (at least 3 characters)"] });
  if (!(COMPLAINT_STATUSES as readonly string[]).includes(to)) {
    throw new DomainError("VALIDATION", "validation", "Unknown status.", { status: [`must be one of ${COMPLAINT_STATUSES.join(", ")}`] });
  }
  if (c.assignedTo !== actor.userId && !isManager(actor)) {
    throw new DomainError("AUTH-002", "forbidden", "Only the assignee or a manager may change this complaint's status.");
  }
  const target = to as ComplaintStatus;
  if (!COMPLAINT_TRANSITIONS[c.status].includes(target)) throw invalidTransition(c.status, target);
  if (target === "Escalated" && !isManager(actor)) {
    throw new DomainError("AUTH-002", "forbidden", "Escalation needs a manager (CustomerManager or Admin).");
  }
  if (target === "Resolved") {
    throw new DomainError("VALIDATION", "validation", "Resolve with POST …/resolve, which records the resolution.", { status: ["use the resolve operation to resolve"] });
  }
  return { to: target, notes: trimmed };
}

/** REQ-CUS-028. Already resolved (or closed) is COMP-002; any other illegal state is COMP-003. */
export function decideResolution(
  c: ComplaintState,
  r: { resolution: string; compensationOffered?: string | null | undefined; customerSatisfied: boolean },
  actor: Actor,
  now: Date,
) {
  if (c.status === "Resolved" || c.status === "Closed") {
    throw new DomainError("COMP-002", "business_rule", "The complaint is already resolved.");
  }
  if (c.assignedTo !== actor.userId && !isManager(actor)) {
    throw new DomainError("AUTH-002", "forbidden", "Only the assignee or a manager may resolve this complaint.");
  }
  const errors = new FieldErrorCollector();
  const resolution = r.resolution.trim();
  if (resolution.length < 20) errors.add("resolution", "must be at least 20 characters");
  if (resolution.length > 10_000) errors.add("resolution", "must be at most 10000 characters");
  errors.throwIfAny();
  if (!COMPLAINT_TRANSITIONS[c.status].includes("Resolved")) throw invalidTransition(c.status, "Resolved");
  const hours = (now.getTime() - c.createdAt.getTime()) / 3_600_000;
  return {
    resolution,
    compensationOffered: r.compensationOffered?.trim() || null,
    customerSatisfied: r.customerSatisfied,
    resolutionTimeInHours: Math.max(0, Math.round(hours)),
  };
}

const HOUR_MS = 3_600_000;

/** The moment a complaint of this priority becomes due for escalation. */
export function escalationDueAt(createdAt: Date, priority: ComplaintPriority, hours: Record<ComplaintPriority, number>): Date {
  return new Date(createdAt.getTime() + hours[priority] * HOUR_MS);
}

/**
 * The latest creation time at which a complaint is due for escalation at `now` after `hours`:
 * a complaint is due when `createdAt <= escalationCutoff(now, hours)`, i.e. when
 * `escalationDueAt(createdAt, …) <= now`.
 */
export function escalationCutoff(now: Date, hours: number): Date {
  return new Date(now.getTime() - hours * HOUR_MS);
}

/** Per-tenant thresholds merged over the defaults; each must be a positive number of hours. */
export function escalationHours(overrides: Partial<Record<string, number>> | undefined): Record<ComplaintPriority, number> {
  const out = { ...DEFAULT_ESCALATION_HOURS };
  for (const p of COMPLAINT_PRIORITIES) {
    const v = overrides?.[p];
    if (typeof v === "number" && Number.isFinite(v) && v > 0) out[p] = v;
  }
  return out;
}

export type AssignmentRules = {
  /** category (case-insensitive) → a user id or a team name */
  rules: { category: string; userId?: string | undefined; team?: string | undefined }[];
  teams: Record<string, string[]>;
};

/**
 * Where a new complaint goes: a category rule names a user or a team (a "*" rule catches the
 * rest). The caller turns a team into one member, round-robin, with a counter it keeps.
 */
export function routeComplaint(category: string | null, routing: AssignmentRules | undefined): { userId: string } | { team: string; members: string[] } | null {
  if (!routing) return null;
  const rule =
    (category ? routing.rules.find((r) => r.category.toLowerCase() === category.toLowerCase()) : undefined) ?? routing.rules.find((r) => r.category === "*");
  if (!rule) return null;
  if (rule.userId) return { userId: rule.userId };
  const members = rule.team ? routing.teams[rule.team] : undefined;
  return rule.team && members?.length ? { team: rule.team, members } : null;
}
