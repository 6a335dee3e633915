import type { Actor } from "../authz";
import { assertVersion, contactNotFound, DomainError, FieldErrorCollector, validationError, type FieldErrors } from "../errors";
import type { DomainEvent } from "../events";
import { trimOrNull } from "../text";
import { validateEmail } from "../validation/email";
import { validatePhone } from "../validation/phone";

export const MAX_CONTACTS_PER_CUSTOMER = 50;
export const CONTACT_STATUSES = ["Active", "Inactive"] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export type Contact = {
  id: string;
  tenantId: string;
  customerId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  position: string | null;
  isPrimary: boolean;
  tags: string[];
  status: ContactStatus;
  removedAt: Date | null;
  removedBy: string | null;
  removalReason: string | null;
  createdAt: Date;
  createdBy: string;
  lastModifiedAt: Date | null;
  lastModifiedBy: string | null;
  version: number;
};

export type ContactFields = {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string | null;
  position?: string | null;
};

export type NewContactInput = ContactFields & { isPrimary?: boolean; tags?: string[] };
export type ContactPatch = Partial<ContactFields> & { isPrimary?: boolean };

/** What a contact operation decided: every contact whose state changed, and the events. */
export type ContactDecision = { changed: Contact[]; events: DomainEvent[]; contact: Contact };

type Ctx = { actor: Actor; now: Date; defaultCountry?: string | undefined };

const TAG = /^[A-Za-z0-9_-]{1,50}$/;

/** Tags are case-insensitive: kept in lower case, `[A-Za-z0-9_-]`, at most 50 characters. */
export function normalizeTag(raw: string): { ok: true; value: string } | { ok: false; message: string } {
  const tag = raw.trim();
  if (!TAG.test(tag)) {
    return { ok: false, message: "must be 1-50 characters of letters, digits, hyphens or underscores" };
  }
  return { ok: true, value: tag.toLowerCase() };
}

const ev = (c: Contact, type: string, data: Record<string, unknown>): DomainEvent => ({
  type,
  aggregateType: "Contact",
  aggregateId: c.id,
  data: { contactId: c.id, customerId: c.customerId, ...data },
});

/** Field rules shared by add, update and import; returns normalized values or field errors. */
export function checkContactFields(
  input: Partial<ContactFields> & { tags?: string[] },
  required: boolean,
  defaultCountry?: string,
): { ok: true; value: Partial<ContactFields> & { tags?: string[] } } | { ok: false; errors: FieldErrors } {
  const errors = new FieldErrorCollector();
  const out: Partial<ContactFields> & { tags?: string[] } = {};
  for (const field of ["firstName", "lastName"] as const) {
    const raw = input[field];
    if (raw === undefined) {
      if (required) errors.add(field, "is required");
      continue;
    }
    const value = raw.trim();
    if (!value) errors.add(field, "is required");
    else if (value.length > 100) errors.add(field, "must be at most 100 characters");
    out[field] = value;
  }
  if (input.email === undefined) {
    if (required) errors.add("email", "is required");
  } else {
    const email = validateEmail(input.email);
    if (email.ok) out.email = email.value;
    else errors.add("email", email.message);
  }
  if (input.phone !== undefined) {
    const raw = trimOrNull(input.phone);
    if (raw === null) out.phone = null;
    else {
      const phone = validatePhone(raw, defaultCountry);
      if (phone.ok) out.phone = phone.value;
      else errors.add("phone", phone.message);
    }
  }
  if (input.position !== undefined) {
    out.position = trimOrNull(input.position);
    if ((out.position?.length ?? 0) > 100) errors.add("position", "must be at most 100 characters");
  }
  if (input.tags !== undefined) {
    const tags: string[] = [];
    for (const raw of input.tags) {
      const tag = normalizeTag(raw);
      if (!tag.ok) errors.add("tags", `"${raw.slice(0, 60)}" ${tag.message}`);
      else if (!tags.includes(tag.value)) tags.push(tag.value);
    }
    if (tags.length > 50) errors.add("tags", "at most 50 tags per contact");
    out.tags = tags;
  }
  return errors.empty ? { ok: true, value: out } : { ok: false, errors: errors.errors };
}

const emailTaken = (others: Contact[], email: string, exceptId?: string) =>
  others.some((c) => c.status === "Active" && c.id !== exceptId && c.email.toLowerCase() === email.toLowerCase());

function duplicateEmail(): DomainError {
  return new DomainError("CONT-002", "conflict", "Another active contact of this customer has that email.", {
    email: ["is already used by another contact of this customer"],
  });
}

/** Unsets the current primary (if any other) so exactly one contact is primary. */
function demotePrimary(active: Contact[], exceptId: string, ctx: Ctx): Contact[] {
  return active
    .filter((c) => c.isPrimary && c.id !== exceptId)
    .map((c) => ({ ...c, isPrimary: false, lastModifiedAt: ctx.now, lastModifiedBy: ctx.actor.userId, version: c.version + 1 }));
}

/**
 * Adds a contact to a customer whose active contacts are `active` (read under the customer's
 * lock): at most 50, emails unique among active ones, the first one primary, one primary at most.
 */
export function addContact(active: Contact[], input: NewContactInput, ids: { id: string; tenantId: string; customerId: string }, ctx: Ctx): ContactDecision {
  const checked = checkContactFields(input, true, ctx.defaultCountry);
  if (!checked.ok) throw validationError(checked.errors);
  const v = checked.value as ContactFields & { tags?: string[] };
  if (active.length >= MAX_CONTACTS_PER_CUSTOMER) {
    throw new DomainError("CONT-004", "business_rule", `A customer can have at most ${MAX_CONTACTS_PER_CUSTOMER} active contacts.`);
  }
  if (emailTaken(active, v.email)) throw duplicateEmail();
  const isPrimary = active.length === 0 || input.isPrimary === true;
  const contact: Contact = {
    ...ids,
    firstName: v.firstName,
    lastName: v.lastName,
    email: v.email,
    phone: v.phone ?? null,
    position: v.position ?? null,
    isPrimary,
    tags: v.tags ?? [],
    status: "Active",
    removedAt: null,
    removedBy: null,
    removalReason: null,
    createdAt: ctx.now,
    createdBy: ctx.actor.userId,
    lastModifiedAt: null,
    lastModifiedBy: null,
    version: 1,
  };
  const demoted = isPrimary ? demotePrimary(active, contact.id, ctx) : [];
  const events = [
    ev(contact, "ContactAdded", {
      fullName: `${contact.firstName} ${contact.lastName}`,
      email: contact.email,
      isPrimary,
      tags: contact.tags,
      addedAt: ctx.now.toISOString(),
      addedBy: ctx.actor.userId,
    }),
    ...demoted.map((d) => ev(d, "ContactUpdated", { changedFields: { isPrimary: false }, updatedAt: ctx.now.toISOString() })),
  ];
  return { contact, changed: [contact, ...demoted], events };
}

function assertActive(contact: Contact) {
  if (contact.status !== "Active") throw contactNotFound();
}

export function updateContact(active: Contact[], contact: Contact, patch: ContactPatch, ctx: Ctx, expectedVersion?: number): ContactDecision {
  assertActive(contact);
  assertVersion(expectedVersion, contact.version, "contact");
  const checked = checkContactFields(patch, false, ctx.defaultCountry);
  if (!checked.ok) throw validationError(checked.errors);
  const v = checked.value;
  if (v.email !== undefined && emailTaken(active, v.email, contact.id)) throw duplicateEmail();
  if (patch.isPrimary === false && contact.isPrimary) {
    throw new DomainError("CONT-003", "business_rule", "Make another contact primary instead; a customer keeps one primary contact.", {
      isPrimary: ["set isPrimary on the new primary contact instead"],
    });
  }
  const next: Contact = {
    ...contact,
    ...(v.firstName !== undefined ? { firstName: v.firstName } : {}),
    ...(v.lastName !== undefined ? { lastName: v.lastName } : {}),
    ...(v.email !== undefined ? { email: v.email } : {}),
    ...(v.phone !== undefined ? { phone: v.phone ?? null } : {}),
    ...(v.position !== undefined ? { position: v.position ?? null } : {}),
    ...(patch.isPrimary === true ? { isPrimary: true } : {}),
  };
  const changedFields: Record<string, unknown> = {};
  for (const key of ["firstName", "lastName", "email", "phone", "position", "isPrimary"] as const) {
    if (next[key] !== contact[key]) changedFields[key] = next[key];
  }
  if (Object.keys(changedFields).length === 0) return { contact, changed: [], events: [] };
  const updated = { ...next, lastModifiedAt: ctx.now, lastModifiedBy: ctx.actor.userId, version: contact.version + 1 };
  const demoted = patch.isPrimary === true && !contact.isPrimary ? demotePrimary(active, contact.id, ctx) : [];
  const events = [
    ev(updated, "ContactUpdated", { changedFields, updatedAt: ctx.now.toISOString(), updatedBy: ctx.actor.userId }),
    ...demoted.map((d) => ev(d, "ContactUpdated", { changedFields: { isPrimary: false }, updatedAt: ctx.now.toISOString() })),
  ];
  return { contact: updated, changed: [updated, ...demoted], events };
}

export function removeContact(active: Contact[], contact: Contact, reason: string | null, ctx: Ctx, expectedVersion?: number): ContactDecision {
  assertActive(contact);
  assertVersion(expectedVersion, contact.version, "contact");
  if (active.length <= 1) {
    throw new DomainError("CONT-005", "business_rule", "The only contact of a customer cannot be removed.");
  }
  if (contact.isPrimary) {
    throw new DomainError("CONT-003", "business_rule", "The primary contact cannot be removed; make another contact primary first.");
  }
  const why = trimOrNull(reason);
  if (why && why.length > 500) throw new DomainError("VALIDATION", "validation", "Invalid reason.", { reason: ["must be at most 500 characters"] });
  const removed: Contact = {
    ...contact,
    status: "Inactive",
    removedAt: ctx.now,
    removedBy: ctx.actor.userId,
    removalReason: why,
    lastModifiedAt: ctx.now,
    lastModifiedBy: ctx.actor.userId,
    version: contact.version + 1,
  };
  const event = ev(removed, "ContactRemoved", { reason: why, removedAt: ctx.now.toISOString(), removedBy: ctx.actor.userId });
  return { contact: removed, changed: [removed], events: [event] };
}

export function tagContact(contact: Contact, rawTag: string, ctx: Ctx): ContactDecision {
  assertActive(contact);
  const tag = normalizeTag(rawTag);
  if (!tag.ok) throw new DomainError("VALIDATION", "validation", "Invalid tag.", { tag: [tag.message] });
  if (contact.tags.includes(tag.value)) return { contact, changed: [], events: [] };
  if (contact.tags.length >= 50) {
    throw new DomainError("VALIDATION", "validation", "Too many tags.", { tag: ["a contact can have at most 50 tags"] });
  }
  const updated = touched(contact, { tags: [...contact.tags, tag.value] }, ctx);
  return { contact: updated, changed: [updated], events: [ev(updated, "ContactTagged", { tag: tag.value, taggedAt: ctx.now.toISOString() })] };
}

export function untagContact(contact: Contact, rawTag: string, ctx: Ctx): ContactDecision {
  assertActive(contact);
  const tag = normalizeTag(rawTag);
  if (!tag.ok) throw new DomainError("VALIDATION", "validation", "Invalid tag.", { tag: [tag.message] });
  if (!contact.tags.includes(tag.value)) return { contact, changed: [], events: [] };
  const updated = touched(contact, { tags: contact.tags.filter((t) => t !== tag.value) }, ctx);
  return { contact: updated, changed: [updated], events: [ev(updated, "ContactUntagged", { tag: tag.value, untaggedAt: ctx.now.toISOString() })] };
}

function touched(c: Contact, patch: Partial<Contact>, ctx: Ctx): Contact {
  return { ...c, ...patch, lastModifiedAt: ctx.now, lastModifiedBy: ctx.actor.userId, version: c.version + 1 };
}
