import type { Actor } from "../authz";
import type { Changes } from "../changes";
import { MAX_CONTACTS_PER_CUSTOMER, type Contact } from "../contact/contact";
import { customerNotFound, DomainError, validationError } from "../errors";
import type { DomainEvent } from "../events";
import { MAX_CUSTOMER_TAGS } from "./customer";
import type { Customer } from "./customer.types";

/**
 * REQ-CUS-007 / 001 §5.1.7: merging a duplicate (source) into the customer that stays (target),
 * and undoing it (issue 10 §4). Pure decisions: the use case loads both customers under their
 * locks, asks here what moves and what the two records become, and persists exactly that.
 */

export const MERGE_UNDO_DAYS = 30;

export type MergeOptions = { contacts: boolean; communicationHistory: boolean; complaints: boolean; testimonials: boolean };
export const DEFAULT_MERGE_OPTIONS: MergeOptions = { contacts: true, communicationHistory: true, complaints: true, testimonials: true };

/**
 * The kinds of record a merge moves; follow-ups travel with the communication history. The value
 * ledger (financial transactions, attendance) always moves: the merged customer's lifetime value,
 * events and rating are derived from it, and left on the deactivated source it would count nowhere.
 */
export const MOVED_KINDS = ["contacts", "communications", "followUps", "complaints", "testimonials", "transactions", "attendance"] as const;
export type MovedKind = (typeof MOVED_KINDS)[number];
export const LEDGER_KINDS = ["transactions", "attendance"] as const satisfies readonly MovedKind[];

const KINDS_BY_OPTION: Record<keyof MergeOptions, MovedKind[]> = {
  contacts: ["contacts"],
  communicationHistory: ["communications", "followUps"],
  complaints: ["complaints"],
  testimonials: ["testimonials"],
};

/** The kinds of record these options move (the ledger's always). */
export function movedKinds(options: MergeOptions): MovedKind[] {
  return [...(Object.keys(KINDS_BY_OPTION) as (keyof MergeOptions)[]).filter((o) => options[o]).flatMap((o) => KINDS_BY_OPTION[o]), ...LEDGER_KINDS];
}

type Access = { get: (c: Customer) => unknown; set: (c: Customer, v: never) => Customer };
const info = <K extends keyof Customer["contactInfo"]>(key: K): Access => ({
  get: (c) => c.contactInfo[key],
  set: (c, v) => ({ ...c, contactInfo: { ...c.contactInfo, [key]: v } }),
});
const own = <K extends "companyName" | "industry" | "website" | "notes" | "source" | "socialMediaLinks">(key: K): Access => ({
  get: (c) => c[key],
  set: (c, v) => ({ ...c, [key]: v }),
});

/**
 * Fields whose value the caller may take from the source instead of the target (the default).
 * Identity (type, number), status, value figures (segment, lifetime value, rating) and the
 * Individual-only fields stay the target's: they are derived or belong to the record that stays.
 */
const FIELDS = {
  companyName: own("companyName"),
  industry: own("industry"),
  website: own("website"),
  notes: own("notes"),
  source: own("source"),
  socialMediaLinks: own("socialMediaLinks"),
  primaryEmail: info("primaryEmail"),
  secondaryEmail: info("secondaryEmail"),
  primaryPhone: info("primaryPhone"),
  secondaryPhone: info("secondaryPhone"),
  billingAddress: info("billingAddress"),
  shippingAddress: info("shippingAddress"),
} satisfies Record<string, Access>;

export type MergeField = keyof typeof FIELDS;
export const MERGE_FIELDS = Object.keys(FIELDS) as MergeField[];
export type FieldChoices = Partial<Record<MergeField, "source" | "target">>;

export const mergeFieldValue = (c: Customer, field: MergeField): unknown => FIELDS[field].get(c);

/** A record of a moved kind as the merge sees it: enough to move it and to detect a later change. */
export type MovableRecord = { id: string; version: number };
export type MovedRecord = MovableRecord & { wasPrimary?: boolean };
export type DroppedContact = { id: string; email: string; keptContactId: string };

export type MergeInput = {
  mergeId: string;
  source: Customer;
  target: Customer;
  /** Every contact of each customer (active and removed), read under the customers' locks. */
  sourceContacts: Contact[];
  targetContacts: Contact[];
  /** The other kinds' records of the source, read under the locks. */
  sourceRecords: Omit<Record<MovedKind, MovableRecord[]>, "contacts">;
  options: MergeOptions;
  fieldChoices: FieldChoices;
  actor: Actor;
  now: Date;
};

export type MergePlan = {
  source: Customer;
  target: Customer;
  /** Per kind, the records that move to the target with the version they have once moved. */
  moved: Record<MovedKind, MovedRecord[]>;
  /** Moved contacts that stop being primary (the target keeps its primary). */
  demotedContactIds: string[];
  /** One ContactUpdated per moved contact, each with the contact's new version. */
  contactEvents: (DomainEvent & { version: number })[];
  /** Source contacts left behind because an active target contact has their email. */
  droppedContacts: DroppedContact[];
  /** Tags of the source the target gains. */
  tagsAdded: string[];
  /** What the target's fields were and became (only those that changed). */
  targetFields: Changes;
  /** The source's state before it was deactivated, restored by an undo. */
  sourceBefore: Pick<Customer, "status" | "statusReason" | "isDeleted" | "deletedAt" | "deletedBy">;
  mergedEntities: string[];
  events: DomainEvent[];
  audit: { source: Changes; target: Changes };
};

export const mergeConflict = (message: string) => new DomainError("MERGE-002", "conflict", message);
export const mergeNotFound = () => new DomainError("MERGE-003", "not_found", "Merge not found.");

/** Reading a merged customer: 404 as for a missing one, with where its records went. */
export const mergedCustomer = (targetId: string) =>
  new DomainError("CUST-001", "not_found", `Customer not found: it was merged into customer ${targetId}.`, {}, { mergedInto: targetId });

/** Same id twice is a 400 on the request itself, before anything is read. */
export function assertNotSelfMerge(sourceId: string, targetId: string): void {
  if (sourceId === targetId) {
    throw new DomainError("MERGE-001", "validation", "A customer cannot be merged into itself.", {
      targetCustomerId: ["must differ from sourceCustomerId"],
    });
  }
}

/** A customer that may take part in a merge: not deactivated (merged ones are) and not archived. */
function assertMergeable(c: Customer, role: "source" | "target"): void {
  if (c.isDeleted) throw mergeConflict(`The ${role} customer ${c.customerNumber} is deactivated or already merged.`);
  if (c.status === "Archived") throw mergeConflict(`The ${role} customer ${c.customerNumber} is archived and cannot change.`);
}

const ev = (aggregateId: string, type: string, data: Record<string, unknown>): DomainEvent => ({
  type,
  aggregateType: "Customer",
  aggregateId,
  data,
});

/** A moved contact's event: ContactUpdated with the fields that changed (its customer, maybe its primary flag). */
function contactMoved(id: string, version: number, changedFields: Record<string, unknown>, actor: Actor, now: Date): DomainEvent & { version: number } {
  return {
    type: "ContactUpdated",
    aggregateType: "Contact",
    aggregateId: id,
    version,
    data: { contactId: id, customerId: changedFields.customerId, changedFields, updatedAt: now.toISOString(), updatedBy: actor.userId },
  };
}

const touch = (c: Customer, patch: Partial<Customer>, actor: Actor, now: Date): Customer => ({
  ...c,
  ...patch,
  lastModifiedAt: now,
  lastModifiedBy: actor.userId,
  version: c.version + 1,
});

function planContacts(input: MergeInput) {
  const targetActive = input.targetContacts.filter((c) => c.status === "Active");
  const byEmail = new Map(targetActive.map((c) => [c.email.toLowerCase(), c]));
  const moving: Contact[] = [];
  const dropped: DroppedContact[] = [];
  for (const c of input.sourceContacts) {
    const kept = c.status === "Active" ? byEmail.get(c.email.toLowerCase()) : undefined;
    if (kept) dropped.push({ id: c.id, email: c.email, keptContactId: kept.id });
    else moving.push(c);
  }
  const arriving = moving.filter((c) => c.status === "Active").length;
  if (targetActive.length + arriving > MAX_CONTACTS_PER_CUSTOMER) {
    throw new DomainError(
      "CONT-004",
      "business_rule",
      `The target has ${targetActive.length} active contacts and the source brings ${arriving} more; a customer can have at most ${MAX_CONTACTS_PER_CUSTOMER}. Remove contacts first or merge without contacts.`,
      { "mergeOptions.contacts": [`would give the target ${targetActive.length + arriving} active contacts (at most ${MAX_CONTACTS_PER_CUSTOMER})`] },
    );
  }
  // The target keeps its primary contact; without one, the source's primary becomes the target's.
  const targetHasPrimary = targetActive.some((c) => c.isPrimary);
  const demoted = targetHasPrimary ? moving.filter((c) => c.isPrimary) : [];
  // A contact is an aggregate of its own: its move (and demotion) is a change with a new version.
  const moved: MovedRecord[] = moving.map((c) => ({ id: c.id, version: c.version + 1, ...(demoted.includes(c) ? { wasPrimary: true } : {}) }));
  return { moved, demoted: demoted.map((c) => c.id), dropped };
}

function resolveFields(source: Customer, target: Customer, choices: FieldChoices): { next: Customer; changes: Changes } {
  let next = target;
  const changes: Changes = {};
  for (const field of MERGE_FIELDS) {
    if (choices[field] !== "source") continue;
    const from = FIELDS[field].get(target);
    const to = FIELDS[field].get(source);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    next = FIELDS[field].set(next, to as never);
    changes[field] = { from: from ?? null, to: to ?? null };
  }
  return { next, changes };
}

/** Decides a merge: validates the pair, resolves the fields, and lists what moves. Throws before anything is written. */
export function planMerge(input: MergeInput): MergePlan {
  const { source, target, options, actor, now } = input;
  assertNotSelfMerge(source.id, target.id);
  assertMergeable(source, "source");
  assertMergeable(target, "target");

  const contacts = options.contacts ? planContacts(input) : { moved: [], demoted: [], dropped: [] };
  const recordsOf = (kind: Exclude<MovedKind, "contacts">, enabled: boolean) => (enabled ? input.sourceRecords[kind].map((r) => ({ ...r })) : []);
  const moved: Record<MovedKind, MovedRecord[]> = {
    contacts: contacts.moved,
    communications: recordsOf("communications", options.communicationHistory),
    followUps: recordsOf("followUps", options.communicationHistory),
    complaints: recordsOf("complaints", options.complaints),
    testimonials: recordsOf("testimonials", options.testimonials),
    transactions: recordsOf("transactions", true),
    attendance: recordsOf("attendance", true),
  };

  const tagsAdded = source.tags.filter((t) => !target.tags.includes(t));
  if (target.tags.length + tagsAdded.length > MAX_CUSTOMER_TAGS) {
    throw validationError(
      { tags: [`the merged customer would have ${target.tags.length + tagsAdded.length} tags (at most ${MAX_CUSTOMER_TAGS}); remove some first`] },
      "The merged customer would have too many tags.",
    );
  }

  const { next, changes: targetFields } = resolveFields(source, target, input.fieldChoices);
  // Tags are a set, kept sorted (as the customer record keeps them).
  const mergedTarget = touch(next, { tags: [...target.tags, ...tagsAdded].sort() }, actor, now);
  const reason = `Merged into ${target.customerNumber}`;
  const mergedSource = touch(source, { isDeleted: true, status: "Inactive", deletedAt: now, deletedBy: actor.userId, statusReason: reason }, actor, now);

  const mergedEntities = (Object.keys(KINDS_BY_OPTION) as (keyof MergeOptions)[]).filter((o) => options[o]);
  const counts = Object.fromEntries(MOVED_KINDS.map((k) => [k, moved[k].length]));
  const at = now.toISOString();
  const events = [
    ev(source.id, "CustomerDeactivated", { customerId: source.id, reason, deactivatedAt: at, deactivatedBy: actor.userId, mergedInto: target.id }),
    ev(target.id, "CustomerMerged", {
      mergeId: input.mergeId,
      sourceCustomerId: source.id,
      targetCustomerId: target.id,
      mergedEntities,
      movedCounts: counts,
      droppedContactIds: contacts.dropped.map((d) => d.id),
      fieldsFromSource: Object.keys(targetFields),
      tagsAdded,
      mergedAt: at,
      mergedBy: actor.userId,
    }),
  ];
  return {
    source: mergedSource,
    target: mergedTarget,
    moved,
    demotedContactIds: contacts.demoted,
    contactEvents: contacts.moved.map((c) =>
      contactMoved(c.id, c.version, { customerId: target.id, ...(c.wasPrimary ? { isPrimary: false } : {}) }, actor, now),
    ),
    droppedContacts: contacts.dropped,
    tagsAdded,
    targetFields,
    sourceBefore: { status: source.status, statusReason: source.statusReason, isDeleted: source.isDeleted, deletedAt: source.deletedAt, deletedBy: source.deletedBy },
    mergedEntities,
    events,
    audit: {
      source: {
        status: { from: source.status, to: "Inactive" },
        isDeleted: { from: false, to: true },
        statusReason: { from: source.statusReason, to: reason },
        mergedInto: { from: null, to: target.id },
        mergeId: { from: null, to: input.mergeId },
      },
      target: {
        ...targetFields,
        ...(tagsAdded.length ? { tags: { from: target.tags, to: mergedTarget.tags } } : {}),
        mergedFrom: { from: null, to: source.id },
        mergeId: { from: null, to: input.mergeId },
        movedCounts: { from: null, to: counts },
        ...(contacts.dropped.length ? { droppedContacts: { from: contacts.dropped, to: null } } : {}),
      },
    },
  };
}

/** What a merge recorded, as undo needs it. */
export type MergeRecord = {
  id: string;
  sourceCustomerId: string;
  targetCustomerId: string;
  moved: Record<MovedKind, MovedRecord[]>;
  tagsAdded: string[];
  targetFields: Changes;
  sourceBefore: MergePlan["sourceBefore"];
  sourceVersion: number;
  mergedAt: Date;
  undoneAt: Date | null;
};

/** Where a moved record is now (absent: it no longer exists). */
export type CurrentRecord = { id: string; customerId: string; version: number };

export type UndoInput = {
  merge: MergeRecord;
  source: Customer | undefined;
  target: Customer | undefined;
  current: Record<MovedKind, CurrentRecord[]>;
  actor: Actor;
  now: Date;
};

export type UndoPlan = {
  source: Customer;
  target: Customer;
  /** Per kind, the ids that go back to the source; contacts that were primary there are promoted again. */
  back: Record<MovedKind, string[]>;
  promotedContactIds: string[];
  contactEvents: (DomainEvent & { version: number })[];
  tagsRemoved: string[];
  events: DomainEvent[];
  audit: { source: Changes; target: Changes };
};

const SINGULAR: Record<MovedKind, string> = {
  contacts: "contact",
  communications: "communication",
  followUps: "follow-up",
  complaints: "complaint",
  testimonials: "testimonial",
  transactions: "transaction",
  attendance: "attendance record",
};

/**
 * Decides an undo: within 30 days, once, and only while nothing the merge touched has changed
 * since (each moved record's version, the source, the target's fields taken from the source).
 * A refusal names every change it found.
 */
export function planUndo(input: UndoInput): UndoPlan {
  const { merge, actor, now } = input;
  if (merge.undoneAt) throw new DomainError("MERGE-004", "conflict", `The merge was already undone at ${merge.undoneAt.toISOString()}.`);
  const deadline = new Date(merge.mergedAt.getTime() + MERGE_UNDO_DAYS * 86_400_000);
  if (now > deadline) {
    throw new DomainError("MERGE-005", "conflict", `A merge can be undone for ${MERGE_UNDO_DAYS} days; this one could be until ${deadline.toISOString()}.`);
  }
  // The merge's own rows exist (foreign keys), but a customer can be erased since.
  if (!input.source || !input.target) throw customerNotFound();
  const { source, target } = input;

  const changed: string[] = [];
  if (source.version !== merge.sourceVersion) changed.push(`the source customer ${source.customerNumber} (version ${merge.sourceVersion} → ${source.version})`);
  if (target.isDeleted) changed.push(`the target customer ${target.customerNumber} was deactivated or merged`);
  for (const [field, { to }] of Object.entries(merge.targetFields)) {
    const value = mergeFieldValue(target, field as MergeField);
    if (JSON.stringify(value ?? null) !== JSON.stringify(to)) changed.push(`the target's ${field}`);
  }
  const back = {} as Record<MovedKind, string[]>;
  for (const kind of MOVED_KINDS) {
    const byId = new Map(input.current[kind].map((r) => [r.id, r]));
    back[kind] = [];
    for (const m of merge.moved[kind]) {
      const cur = byId.get(m.id);
      if (!cur) changed.push(`${SINGULAR[kind]} ${m.id} (deleted)`);
      else if (cur.customerId !== merge.targetCustomerId) changed.push(`${SINGULAR[kind]} ${m.id} (moved to another customer)`);
      else if (cur.version !== m.version) changed.push(`${SINGULAR[kind]} ${m.id} (version ${m.version} → ${cur.version})`);
      else back[kind].push(m.id);
    }
  }
  if (changed.length) {
    const shown = changed.slice(0, 20);
    throw new DomainError(
      "MERGE-006",
      "conflict",
      `The merge cannot be undone: changed since: ${shown.join("; ")}${changed.length > shown.length ? `; and ${changed.length - shown.length} more` : ""}.`,
      { changed: shown },
    );
  }

  let restoredTarget = target;
  const targetChanges: Changes = {};
  for (const [field, { from, to }] of Object.entries(merge.targetFields)) {
    restoredTarget = FIELDS[field as MergeField].set(restoredTarget, from as never);
    targetChanges[field] = { from: to, to: from };
  }
  const tagsRemoved = merge.tagsAdded.filter((t) => target.tags.includes(t));
  if (tagsRemoved.length) targetChanges.tags = { from: target.tags, to: target.tags.filter((t) => !tagsRemoved.includes(t)) };
  restoredTarget = touch(restoredTarget, { tags: target.tags.filter((t) => !tagsRemoved.includes(t)) }, actor, now);
  const restoredSource = touch(source, { ...merge.sourceBefore }, actor, now);
  const at = now.toISOString();
  const reason = `Merge into ${target.customerNumber} undone`;
  const counts = Object.fromEntries(MOVED_KINDS.map((k) => [k, back[k].length]));
  return {
    source: restoredSource,
    target: restoredTarget,
    back,
    promotedContactIds: merge.moved.contacts.filter((c) => c.wasPrimary).map((c) => c.id),
    contactEvents: merge.moved.contacts.map((c) =>
      contactMoved(c.id, c.version + 1, { customerId: source.id, ...(c.wasPrimary ? { isPrimary: true } : {}) }, actor, now),
    ),
    tagsRemoved,
    events: [
      ev(source.id, "CustomerReactivated", { customerId: source.id, reason, reactivatedAt: at, reactivatedBy: actor.userId }),
      ev(target.id, "CustomerMergeUndone", {
        mergeId: merge.id,
        sourceCustomerId: source.id,
        targetCustomerId: target.id,
        movedBackCounts: counts,
        undoneAt: at,
        undoneBy: actor.userId,
      }),
    ],
    audit: {
      source: {
        status: { from: source.status, to: merge.sourceBefore.status },
        isDeleted: { from: true, to: merge.sourceBefore.isDeleted },
        statusReason: { from: source.statusReason, to: merge.sourceBefore.statusReason },
        mergedInto: { from: target.id, to: null },
        mergeId: { from: merge.id, to: null },
      },
      target: { ...targetChanges, mergedFrom: { from: source.id, to: null }, mergeId: { from: merge.id, to: null }, movedBackCounts: { from: null, to: counts } },
    },
  };
}
