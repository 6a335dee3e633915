import type { Actor } from "../authz";
import { normalizeTag } from "../contact/contact";
import { assertVersion, DomainError, FieldErrorCollector } from "../errors";
import { diff } from "../changes";
import type { DomainEvent } from "../events";
import { controlCharacterMessage, trimOrNull } from "../text";
import { checkAddress, type Address } from "../validation/address";
import { validateEmail } from "../validation/email";
import { validatePhone } from "../validation/phone";
import {
  DEFAULT_PREFERENCES,
  NO_SOCIAL_MEDIA_LINKS,
  SOCIAL_NETWORKS,
  type Changes,
  type Customer,
  type CustomerStatus,
  type CustomerType,
  type Gender,
  type Preferences,
  type PreferencesPatch,
  type SocialMediaLinks,
  type SuspensionReason,
} from "./customer.types";

export type Decision = { customer: Customer; events: DomainEvent[]; changes: Changes; warnings: string[] };

export type RegisterCustomerInput = {
  type: CustomerType;
  companyName?: string;
  firstName?: string;
  lastName?: string;
  industry?: string | null;
  website?: string | null;
  primaryEmail: string;
  secondaryEmail?: string | null;
  primaryPhone: string;
  secondaryPhone?: string | null;
  billingAddress: Address;
  shippingAddress?: Address | null;
  shippingSameAsBilling?: boolean;
  preferences?: PreferencesPatch;
  notes?: string | null;
  source?: string | null;
  tags?: string[];
  dateOfBirth?: string | null;
  gender?: Gender | null;
  socialMediaLinks?: Partial<SocialMediaLinks>;
  emailVerified?: boolean;
  phoneVerified?: boolean;
};

export type ProfilePatch = {
  companyName?: string;
  firstName?: string | null;
  lastName?: string | null;
  industry?: string | null;
  website?: string | null;
  notes?: string | null;
  source?: string | null;
  dateOfBirth?: string | null;
  gender?: Gender | null;
  /** Networks given are set (null removes one); the others are kept. */
  socialMediaLinks?: Partial<SocialMediaLinks>;
};

export type ContactInfoPatch = {
  primaryEmail?: string;
  secondaryEmail?: string | null;
  primaryPhone?: string;
  secondaryPhone?: string | null;
  billingAddress?: Address;
  /** A changed primary email (phone) is unverified unless this says otherwise in the same change. */
  emailVerified?: boolean;
  phoneVerified?: boolean;
};

export type ShippingPatch = { shippingAddress: Address | null } | { sameAsBilling: true };

const ev = (customer: Customer, type: string, data: Record<string, unknown>): DomainEvent => ({
  type,
  aggregateType: "Customer",
  aggregateId: customer.id,
  data: { customerId: customer.id, ...data },
});

export function formatCustomerNumber(sequence: number): string {
  return `CUS-${String(sequence).padStart(6, "0")}`;
}

/** Control characters are refused in every customer text field (002 B013); notes may hold line breaks and tabs. */
function checkText(errors: FieldErrorCollector, field: string, value: string | null, multiline = false): void {
  const message = value === null ? null : controlCharacterMessage(value, { multiline });
  if (message) errors.add(field, message);
}

function checkName(errors: FieldErrorCollector, field: string, value: string, min: number, max: number) {
  checkText(errors, field, value);
  if (value.length < min) errors.add(field, `must be at least ${min} characters`);
  if (value.length > max) errors.add(field, `must be at most ${max} characters`);
}

function checkWebsite(errors: FieldErrorCollector, website: string | null): string | null {
  if (website === null) return null;
  checkText(errors, "website", website);
  if (website.length > 255) errors.add("website", "must be at most 255 characters");
  let url: URL;
  try {
    url = new URL(website);
  } catch {
    errors.add("website", "must be an absolute http(s) URL, e.g. https://example.com");
    return website;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname.includes(".")) {
    errors.add("website", "must be an absolute http(s) URL, e.g. https://example.com");
  }
  return website;
}

function checkEmail(errors: FieldErrorCollector, field: string, value: string): string {
  checkText(errors, field, value);
  const result = validateEmail(value);
  if (!result.ok) {
    errors.add(field, result.message);
    return value;
  }
  return result.value;
}

function checkPhone(errors: FieldErrorCollector, field: string, value: string, country: string | undefined) {
  checkText(errors, field, value);
  const result = validatePhone(value, country);
  if (!result.ok) {
    errors.add(field, result.message);
    return value;
  }
  return result.value;
}

function checkAddressInto(errors: FieldErrorCollector, warnings: string[], field: string, address: Address) {
  for (const [part, value] of Object.entries(address)) checkText(errors, `${field}.${part}`, typeof value === "string" ? value : null);
  const result = checkAddress(address);
  if (!result.ok) {
    errors.merge(field, result.errors);
    return address;
  }
  warnings.push(...result.warnings.map((w) => `${field}: ${w}`));
  return result.value;
}

const VALID_TIME_ZONES = new Set(Intl.supportedValuesOf("timeZone").concat("UTC"));
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function applyPreferences(base: Preferences, patch: PreferencesPatch | undefined): Preferences {
  const next: Preferences = {
    communication: {
      channels: patch?.communication?.channels ?? base.communication.channels,
      frequency:
        patch?.communication?.frequency === undefined
          ? base.communication.frequency
          : trimOrNull(patch.communication.frequency),
    },
    preferredEventTypes: patch?.preferredEventTypes ?? base.preferredEventTypes,
    interests: patch?.interests ?? base.interests,
    preferredLanguage: patch?.preferredLanguage ?? base.preferredLanguage,
    timeZone: patch?.timeZone ?? base.timeZone,
    notifications: { ...base.notifications, ...patch?.notifications },
    marketingConsent: patch?.marketingConsent ?? base.marketingConsent,
    dataProcessingConsent: patch?.dataProcessingConsent ?? base.dataProcessingConsent,
    // Records stored before issue 13 have no analyticsTracking: they keep the default.
    analyticsTracking: patch?.analyticsTracking ?? base.analyticsTracking ?? DEFAULT_PREFERENCES.analyticsTracking,
  };
  const errors = new FieldErrorCollector();
  checkText(errors, "preferences.communication.frequency", next.communication.frequency);
  next.interests.forEach((v, i) => checkText(errors, `preferences.interests.${i}`, v));
  next.preferredEventTypes.forEach((v, i) => checkText(errors, `preferences.preferredEventTypes.${i}`, v));
  const channels = next.communication.channels;
  if (new Set(channels).size !== channels.length) errors.add("preferences.communication.channels", "must not repeat a channel");
  if (channels.includes("None") && channels.length > 1) {
    errors.add("preferences.communication.channels", '"None" cannot be combined with other channels');
  }
  if (!LANGUAGE_TAG.test(next.preferredLanguage)) {
    errors.add("preferences.preferredLanguage", "must be a language tag such as en or pt-BR");
  }
  if (!VALID_TIME_ZONES.has(next.timeZone)) {
    errors.add("preferences.timeZone", "must be an IANA time zone such as Europe/Berlin");
  }
  // Free-form tags are kept unique, case-insensitively, in the order given.
  next.interests = dedupe(next.interests);
  next.preferredEventTypes = dedupe(next.preferredEventTypes);
  errors.throwIfAny();
  return next;
}

function dedupe(values: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    if (value && !seen.has(value.toLowerCase())) {
      seen.add(value.toLowerCase());
      out.push(value);
    }
  }
  return out;
}

/** The most tags a customer may have (its own and, after a merge, the source's added). */
export const MAX_CUSTOMER_TAGS = 50;

/**
 * Customer tags follow the contact tags' rules (normalizeTag): `[A-Za-z0-9_-]`, 1-50 characters,
 * case-insensitive (kept in lower case), unique, at most 50; a set, so kept sorted.
 */
export function normalizeCustomerTags(raw: readonly string[]): { ok: true; value: string[] } | { ok: false; errors: Record<string, string[]> } {
  const errors = new FieldErrorCollector();
  const tags: string[] = [];
  for (const value of raw) {
    const tag = normalizeTag(value);
    if (!tag.ok) errors.add("tags", `"${value.slice(0, 60)}" ${tag.message}`);
    else if (!tags.includes(tag.value)) tags.push(tag.value);
  }
  if (tags.length > MAX_CUSTOMER_TAGS) errors.add("tags", `at most ${MAX_CUSTOMER_TAGS} tags per customer`);
  return errors.empty ? { ok: true, value: tags.sort() } : { ok: false, errors: errors.errors };
}

function checkTags(errors: FieldErrorCollector, raw: readonly string[]): string[] {
  const result = normalizeCustomerTags(raw);
  if (result.ok) return result.value;
  for (const [field, messages] of Object.entries(result.errors)) messages.forEach((m) => errors.add(field, m));
  return [];
}

function checkNotes(errors: FieldErrorCollector, raw: string | null | undefined): string | null {
  // Notes are stored as given (only blank becomes null): their line breaks and indentation are content.
  const notes = raw?.trim() ? raw : null;
  checkText(errors, "notes", notes, true);
  if (notes && notes.length > 4000) errors.add("notes", "must be at most 4000 characters");
  return notes;
}

function checkSource(errors: FieldErrorCollector, raw: string | null | undefined): string | null {
  const source = trimOrNull(raw);
  checkText(errors, "source", source);
  if (source && source.length > 100) errors.add("source", "must be at most 100 characters");
  return source;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An ISO calendar date, not in the future, at most 150 years ago (age 0-150), as of `now` (UTC). */
function checkDateOfBirth(errors: FieldErrorCollector, raw: string | null, now: Date): string | null {
  if (raw === null) return null;
  const m = ISO_DATE.exec(raw);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !date || date.toISOString().slice(0, 10) !== raw) {
    errors.add("dateOfBirth", "must be a date as YYYY-MM-DD");
    return raw;
  }
  const today = now.toISOString().slice(0, 10);
  const oldest = `${String(now.getUTCFullYear() - 150).padStart(4, "0")}${today.slice(4)}`;
  if (raw > today) errors.add("dateOfBirth", "must not be in the future");
  else if (raw < oldest) errors.add("dateOfBirth", "must give an age of at most 150 years");
  return raw;
}

const SOCIAL_HOSTS: Record<keyof SocialMediaLinks, readonly string[]> = {
  linkedin: ["linkedin.com"],
  twitter: ["twitter.com", "x.com"],
  facebook: ["facebook.com", "fb.com"],
};

const onHost = (hostname: string, hosts: readonly string[]) => hosts.some((h) => hostname === h || hostname.endsWith(`.${h}`));

/** Each link an https URL on its network's host (a subdomain such as www. or uk. included). */
function checkSocialLinks(errors: FieldErrorCollector, base: SocialMediaLinks, patch: Partial<SocialMediaLinks> | undefined): SocialMediaLinks {
  const next = { ...base };
  for (const network of SOCIAL_NETWORKS) {
    const given = patch?.[network];
    if (given === undefined) continue;
    const link = trimOrNull(given);
    next[network] = link;
    if (link === null) continue;
    const field = `socialMediaLinks.${network}`;
    checkText(errors, field, link);
    if (link.length > 255) errors.add(field, "must be at most 255 characters");
    let url: URL | null = null;
    try {
      url = new URL(link);
    } catch {
      url = null;
    }
    if (!url || url.protocol !== "https:" || !onHost(url.hostname.toLowerCase(), SOCIAL_HOSTS[network])) {
      errors.add(field, `must be an https URL on ${SOCIAL_HOSTS[network].join(" or ")}`);
    }
  }
  return next;
}

/** Date of birth and gender describe a person: Individuals only. */
function checkPersonal(
  errors: FieldErrorCollector,
  type: CustomerType,
  dateOfBirth: string | null,
  gender: Gender | null,
  now: Date,
): { dateOfBirth: string | null; gender: Gender | null } {
  if (type !== "Individual") {
    if (dateOfBirth !== null) errors.add("dateOfBirth", "is only for Individual customers");
    if (gender !== null) errors.add("gender", "is only for Individual customers");
  }
  return { dateOfBirth: checkDateOfBirth(errors, dateOfBirth, now), gender };
}

/** REQ-CUS-017: Enterprise customers start in Corporate, everybody else in Standard. */
export const initialSegment = (type: CustomerType) => (type === "Enterprise" ? "Corporate" : "Standard");

/** Registration data that passed every rule; only a number and an id are missing. */
export type ValidRegistration = Pick<
  Customer,
  | "type"
  | "companyName"
  | "firstName"
  | "lastName"
  | "industry"
  | "website"
  | "contactInfo"
  | "preferences"
  | "notes"
  | "source"
  | "tags"
  | "dateOfBirth"
  | "gender"
  | "socialMediaLinks"
  | "emailVerified"
  | "phoneVerified"
> & { warnings: string[] };

/** Checks a registration completely before the caller spends a customer number on it. */
export function validateRegistration(input: RegisterCustomerInput, now: Date = new Date()): ValidRegistration {
  const errors = new FieldErrorCollector();
  const warnings: string[] = [];
  const firstName = trimOrNull(input.firstName);
  const lastName = trimOrNull(input.lastName);
  let companyName = input.companyName?.trim() ?? "";
  if (!companyName && input.type === "Individual" && (firstName || lastName)) {
    companyName = [firstName, lastName].filter(Boolean).join(" ");
  }
  if (!companyName) {
    errors.add(
      "companyName",
      input.type === "Individual" ? "is required (or give firstName/lastName)" : "is required",
    );
  } else {
    checkName(errors, "companyName", companyName, 2, 200);
  }
  if (input.type !== "Individual" && (firstName || lastName)) {
    errors.add("firstName", "is only for Individual customers");
  }
  if (firstName && firstName.length > 100) errors.add("firstName", "must be at most 100 characters");
  if (lastName && lastName.length > 100) errors.add("lastName", "must be at most 100 characters");
  if (firstName) checkText(errors, "firstName", firstName);
  if (lastName) checkText(errors, "lastName", lastName);
  const industry = trimOrNull(input.industry);
  checkText(errors, "industry", industry);
  if (industry && industry.length > 100) errors.add("industry", "must be at most 100 characters");
  const website = checkWebsite(errors, trimOrNull(input.website));
  const notes = checkNotes(errors, input.notes);
  const source = checkSource(errors, input.source);
  const tags = checkTags(errors, input.tags ?? []);
  const personal = checkPersonal(errors, input.type, input.dateOfBirth ?? null, input.gender ?? null, now);
  const socialMediaLinks = checkSocialLinks(errors, NO_SOCIAL_MEDIA_LINKS, input.socialMediaLinks);

  const billingAddress = checkAddressInto(errors, warnings, "billingAddress", input.billingAddress);
  const country = /^[A-Z]{2}$/.test(billingAddress.country) ? billingAddress.country : undefined;
  const primaryEmail = checkEmail(errors, "primaryEmail", input.primaryEmail);
  const secondaryEmailRaw = trimOrNull(input.secondaryEmail);
  const secondaryEmail = secondaryEmailRaw && checkEmail(errors, "secondaryEmail", secondaryEmailRaw);
  const primaryPhone = checkPhone(errors, "primaryPhone", input.primaryPhone, country);
  const secondaryPhoneRaw = trimOrNull(input.secondaryPhone);
  const secondaryPhone = secondaryPhoneRaw && checkPhone(errors, "secondaryPhone", secondaryPhoneRaw, country);

  let shippingAddress: Address | null = null;
  if (input.shippingSameAsBilling) {
    if (input.shippingAddress) errors.add("shippingAddress", "give an address or sameAsBilling, not both");
    shippingAddress = billingAddress;
  } else if (input.shippingAddress) {
    shippingAddress = checkAddressInto(errors, warnings, "shippingAddress", input.shippingAddress);
  }

  let preferences = DEFAULT_PREFERENCES;
  try {
    preferences = applyPreferences(DEFAULT_PREFERENCES, input.preferences);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    for (const [field, messages] of Object.entries(error.fieldErrors)) messages.forEach((m) => errors.add(field, m));
  }
  errors.throwIfAny();
  return {
    type: input.type,
    companyName,
    firstName: input.type === "Individual" ? firstName : null,
    lastName: input.type === "Individual" ? lastName : null,
    industry,
    website,
    contactInfo: {
      primaryEmail,
      secondaryEmail: secondaryEmail || null,
      primaryPhone,
      secondaryPhone: secondaryPhone || null,
      billingAddress,
      shippingAddress,
    },
    preferences,
    notes,
    source,
    tags,
    ...personal,
    socialMediaLinks,
    emailVerified: input.emailVerified ?? false,
    phoneVerified: input.phoneVerified ?? false,
    warnings,
  };
}

export function registerCustomer(
  valid: ValidRegistration,
  ctx: { id: string; tenantId: string; customerNumber: string; actor: Actor; now: Date },
): Decision {
  const { warnings, ...fields } = valid;
  const customer: Customer = {
    ...fields,
    id: ctx.id,
    tenantId: ctx.tenantId,
    customerNumber: ctx.customerNumber,
    segment: initialSegment(valid.type),
    lifetimeValue: "0.00",
    totalEvents: 0,
    rating: "Unrated",
    status: "Active",
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    statusReason: null,
    createdAt: ctx.now,
    createdBy: ctx.actor.userId,
    lastModifiedAt: null,
    lastModifiedBy: null,
    version: 1,
    lastActivityAt: null,
  };
  const event = ev(customer, "CustomerRegistered", {
    customerNumber: customer.customerNumber,
    companyName: customer.companyName,
    type: customer.type,
    primaryEmail: customer.contactInfo.primaryEmail,
    primaryPhone: customer.contactInfo.primaryPhone,
    registeredAt: ctx.now.toISOString(),
    registeredBy: ctx.actor.userId,
  });
  return { customer, events: [event], changes: {}, warnings };
}

/** Every modification goes through here: deactivated customers are frozen, versions must match. */
export function assertModifiable(customer: Customer, expectedVersion: number | undefined): void {
  assertVersion(expectedVersion, customer.version);
  assertNotArchived(customer);
  if (customer.isDeleted) {
    throw new DomainError(
      "CUST-004",
      "business_rule",
      "The customer is deactivated and cannot be modified; reactivate it first.",
    );
  }
}

/** Archived is terminal (001 §3.3): the record stays readable, nothing about it changes again. */
export function assertNotArchived(customer: Customer): void {
  if (customer.status === "Archived") {
    throw new DomainError("CUST-006", "business_rule", "The customer is archived; an archived customer cannot be changed.");
  }
}

function touched(customer: Customer, patch: Partial<Customer>, actor: Actor, now: Date): Customer {
  return { ...customer, ...patch, lastModifiedAt: now, lastModifiedBy: actor.userId, version: customer.version + 1 };
}

const unchanged = (customer: Customer, warnings: string[] = []): Decision => ({
  customer,
  events: [],
  changes: {},
  warnings,
});

export function updateProfile(
  customer: Customer,
  patch: ProfilePatch,
  actor: Actor,
  now: Date,
  expectedVersion?: number,
): Decision {
  assertModifiable(customer, expectedVersion);
  const errors = new FieldErrorCollector();
  const next: Pick<
    Customer,
    "companyName" | "firstName" | "lastName" | "industry" | "website" | "notes" | "source" | "dateOfBirth" | "gender" | "socialMediaLinks"
  > = {
    companyName: customer.companyName,
    firstName: customer.firstName,
    lastName: customer.lastName,
    industry: customer.industry,
    website: customer.website,
    notes: customer.notes,
    source: customer.source,
    dateOfBirth: customer.dateOfBirth,
    gender: customer.gender,
    socialMediaLinks: customer.socialMediaLinks,
  };
  if (patch.companyName !== undefined) {
    next.companyName = patch.companyName.trim();
    checkName(errors, "companyName", next.companyName, 2, 200);
  }
  for (const field of ["firstName", "lastName"] as const) {
    if (patch[field] === undefined) continue;
    if (customer.type !== "Individual") errors.add(field, "is only for Individual customers");
    next[field] = trimOrNull(patch[field]);
    checkText(errors, field, next[field]);
    if ((next[field]?.length ?? 0) > 100) errors.add(field, "must be at most 100 characters");
  }
  if (patch.industry !== undefined) {
    next.industry = trimOrNull(patch.industry);
    checkText(errors, "industry", next.industry);
    if ((next.industry?.length ?? 0) > 100) errors.add("industry", "must be at most 100 characters");
  }
  if (patch.website !== undefined) next.website = checkWebsite(errors, trimOrNull(patch.website));
  if (patch.notes !== undefined) next.notes = checkNotes(errors, patch.notes);
  if (patch.source !== undefined) next.source = checkSource(errors, patch.source);
  if (patch.dateOfBirth !== undefined || patch.gender !== undefined) {
    // Only the fields given are checked: an existing value is not re-judged against today's date.
    const personal = checkPersonal(errors, customer.type, patch.dateOfBirth ?? null, patch.gender ?? null, now);
    if (patch.dateOfBirth !== undefined) next.dateOfBirth = personal.dateOfBirth;
    if (patch.gender !== undefined) next.gender = personal.gender;
  }
  if (patch.socialMediaLinks !== undefined) next.socialMediaLinks = checkSocialLinks(errors, customer.socialMediaLinks, patch.socialMediaLinks);
  errors.throwIfAny();

  const changes = diff(customer, next);
  if (Object.keys(changes).length === 0) return unchanged(customer);
  const updated = touched(customer, next, actor, now);
  const event = ev(updated, "CustomerProfileUpdated", {
    changedFields: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])),
    updatedAt: now.toISOString(),
    updatedBy: actor.userId,
  });
  return { customer: updated, events: [event], changes, warnings: [] };
}

export function updateContactInfo(
  customer: Customer,
  patch: ContactInfoPatch,
  actor: Actor,
  now: Date,
  expectedVersion?: number,
): Decision {
  assertModifiable(customer, expectedVersion);
  const errors = new FieldErrorCollector();
  const warnings: string[] = [];
  const info = { ...customer.contactInfo };
  if (patch.billingAddress !== undefined) {
    info.billingAddress = checkAddressInto(errors, warnings, "billingAddress", patch.billingAddress);
  }
  const country = /^[A-Z]{2}$/.test(info.billingAddress.country) ? info.billingAddress.country : undefined;
  if (patch.primaryEmail !== undefined) info.primaryEmail = checkEmail(errors, "primaryEmail", patch.primaryEmail);
  if (patch.secondaryEmail !== undefined) {
    const raw = trimOrNull(patch.secondaryEmail);
    info.secondaryEmail = raw && checkEmail(errors, "secondaryEmail", raw);
  }
  if (patch.primaryPhone !== undefined) {
    info.primaryPhone = checkPhone(errors, "primaryPhone", patch.primaryPhone, country);
  }
  if (patch.secondaryPhone !== undefined) {
    const raw = trimOrNull(patch.secondaryPhone);
    info.secondaryPhone = raw && checkPhone(errors, "secondaryPhone", raw, country);
  }
  errors.throwIfAny();
  // A new address is not verified yet unless the same change says so; an unchanged one keeps its flag.
  const emailChanged = info.primaryEmail.toLowerCase() !== customer.contactInfo.primaryEmail.toLowerCase();
  const phoneChanged = info.primaryPhone !== customer.contactInfo.primaryPhone;
  const verified = {
    emailVerified: patch.emailVerified ?? (emailChanged ? false : customer.emailVerified),
    phoneVerified: patch.phoneVerified ?? (phoneChanged ? false : customer.phoneVerified),
  };
  return contactInfoDecision(customer, info, actor, now, warnings, verified);
}

export function updateShippingAddress(
  customer: Customer,
  patch: ShippingPatch,
  actor: Actor,
  now: Date,
  expectedVersion?: number,
): Decision {
  assertModifiable(customer, expectedVersion);
  const errors = new FieldErrorCollector();
  const warnings: string[] = [];
  let shippingAddress: Address | null;
  if ("sameAsBilling" in patch) {
    shippingAddress = customer.contactInfo.billingAddress;
  } else {
    shippingAddress =
      patch.shippingAddress && checkAddressInto(errors, warnings, "shippingAddress", patch.shippingAddress);
  }
  errors.throwIfAny();
  return contactInfoDecision(customer, { ...customer.contactInfo, shippingAddress }, actor, now, warnings);
}

type Verification = Pick<Customer, "emailVerified" | "phoneVerified">;

function contactInfoDecision(
  customer: Customer,
  info: Customer["contactInfo"],
  actor: Actor,
  now: Date,
  warnings: string[],
  verified: Verification = { emailVerified: customer.emailVerified, phoneVerified: customer.phoneVerified },
): Decision {
  const changes = {
    ...diff(customer.contactInfo, info),
    ...diff({ emailVerified: customer.emailVerified, phoneVerified: customer.phoneVerified }, verified),
  };
  if (Object.keys(changes).length === 0) return unchanged(customer, warnings);
  const updated = touched(customer, { contactInfo: info, ...verified }, actor, now);
  const before = customer.contactInfo;
  const event = ev(updated, "CustomerContactInfoUpdated", {
    previousEmail: before.primaryEmail,
    newEmail: info.primaryEmail,
    previousPhone: before.primaryPhone,
    newPhone: info.primaryPhone,
    changedFields: Object.keys(changes),
    updatedAt: now.toISOString(),
    updatedBy: actor.userId,
  });
  return { customer: updated, events: [event], changes, warnings };
}

export function updatePreferences(
  customer: Customer,
  patch: PreferencesPatch,
  actor: Actor,
  now: Date,
  expectedVersion?: number,
): Decision {
  assertModifiable(customer, expectedVersion);
  const preferences = applyPreferences(customer.preferences, patch);
  const changes = diff(customer.preferences, preferences);
  if (Object.keys(changes).length === 0) return unchanged(customer);
  const updated = touched(customer, { preferences }, actor, now);
  const event = ev(updated, "CustomerPreferencesUpdated", {
    updatedPreferences: preferences,
    changedFields: Object.keys(changes),
    updatedAt: now.toISOString(),
    updatedBy: actor.userId,
  });
  return { customer: updated, events: [event], changes, warnings: [] };
}

function requireReason(reason: string): string {
  const trimmed = reason.trim();
  const errors = new FieldErrorCollector();
  checkText(errors, "reason", trimmed);
  if (trimmed.length < 3) errors.add("reason", "is required (at least 3 characters)");
  if (trimmed.length > 500) errors.add("reason", "must be at most 500 characters");
  errors.throwIfAny();
  return trimmed;
}

/** Deactivation and reactivation: the same soft-delete flag flipped, with the reason kept. */
function setDeactivated(customer: Customer, deactivated: boolean, reason: string, actor: Actor, now: Date): Decision {
  const why = requireReason(reason);
  const updated = touched(
    customer,
    deactivated
      ? { isDeleted: true, status: "Inactive", deletedAt: now, deletedBy: actor.userId, statusReason: why }
      : { isDeleted: false, status: "Active", deletedAt: null, deletedBy: null, statusReason: why },
    actor,
    now,
  );
  const changes = diff({ status: customer.status, isDeleted: customer.isDeleted }, { status: updated.status, isDeleted: deactivated });
  const verb = deactivated ? "deactivated" : "reactivated";
  const event = ev(updated, deactivated ? "CustomerDeactivated" : "CustomerReactivated", {
    reason: why,
    [`${verb}At`]: now.toISOString(),
    [`${verb}By`]: actor.userId,
  });
  return { customer: updated, events: [event], changes, warnings: [] };
}

export function deactivateCustomer(customer: Customer, reason: string, actor: Actor, now: Date, expectedVersion?: number): Decision {
  assertTransition(customer, "deactivate", ["Active", "Inactive"]);
  if (customer.isDeleted) throw new DomainError("CUST-004", "business_rule", "The customer is already deactivated.");
  assertModifiable(customer, expectedVersion);
  return setDeactivated(customer, true, reason, actor, now);
}

export function reactivateCustomer(customer: Customer, reason: string, actor: Actor, now: Date, expectedVersion?: number): Decision {
  assertVersion(expectedVersion, customer.version);
  assertTransition(customer, "reactivate", ["Inactive", "Active"]);
  if (!customer.isDeleted) throw new DomainError("CUST-003", "business_rule", "Only a deactivated customer can be reactivated.");
  return setDeactivated(customer, false, reason, actor, now);
}

/**
 * The status machine (001 §3.3, 004 B2). Active <-> Inactive is deactivate/reactivate (the
 * soft-delete flag); Active or Inactive -> Suspended (admins, with a reason; 002's "Blocked" is
 * one); Suspended -> Active; any -> Archived, which is terminal.
 */
export const CUSTOMER_TRANSITIONS = {
  deactivate: { from: ["Active"], to: "Inactive" },
  reactivate: { from: ["Inactive"], to: "Active" },
  suspend: { from: ["Active", "Inactive"], to: "Suspended" },
  unsuspend: { from: ["Suspended"], to: "Active" },
  archive: { from: ["Active", "Inactive", "Suspended"], to: "Archived" },
} as const satisfies Record<string, { from: readonly CustomerStatus[]; to: CustomerStatus }>;
export type CustomerTransition = keyof typeof CUSTOMER_TRANSITIONS;

export function canTransition(from: CustomerStatus, transition: CustomerTransition): boolean {
  return (CUSTOMER_TRANSITIONS[transition].from as readonly CustomerStatus[]).includes(from);
}

/** CUST-006 for an archived customer, CUST-003 (invalid status transition) for any other illegal move. */
function assertTransition(customer: Customer, transition: CustomerTransition, alsoHandled: readonly CustomerStatus[] = []): void {
  assertNotArchived(customer);
  if (canTransition(customer.status, transition) || alsoHandled.includes(customer.status)) return;
  const allowed = CUSTOMER_TRANSITIONS[transition].from.join(" or ");
  throw new DomainError("CUST-003", "business_rule", `Invalid status transition: "${transition}" is not allowed for a ${customer.status} customer (only ${allowed}).`);
}

/** Marketing (campaigns, bulk promotional email) only to Active customers who consented (001 §3.3). */
export function canReceiveMarketing(customer: Pick<Customer, "status" | "isDeleted" | "preferences">): boolean {
  return customer.status === "Active" && !customer.isDeleted && customer.preferences.marketingConsent;
}

export function suspendCustomer(
  customer: Customer,
  input: { reason: SuspensionReason; note?: string | null },
  actor: Actor,
  now: Date,
  expectedVersion?: number,
): Decision {
  assertVersion(expectedVersion, customer.version);
  assertTransition(customer, "suspend");
  const errors = new FieldErrorCollector();
  const note = trimOrNull(input.note);
  checkText(errors, "note", note);
  if (note && note.length > 400) errors.add("note", "must be at most 400 characters");
  errors.throwIfAny();
  const statusReason = note ? `${input.reason}: ${note}` : input.reason;
  return statusChange(customer, "Suspended", statusReason, "CustomerSuspended", { reason: input.reason, note, suspendedAt: now.toISOString(), suspendedBy: actor.userId }, actor, now);
}

export function unsuspendCustomer(customer: Customer, reason: string, actor: Actor, now: Date, expectedVersion?: number): Decision {
  assertVersion(expectedVersion, customer.version);
  assertTransition(customer, "unsuspend");
  const why = requireReason(reason);
  return statusChange(customer, "Active", why, "CustomerUnsuspended", { reason: why, unsuspendedAt: now.toISOString(), unsuspendedBy: actor.userId }, actor, now);
}

export function archiveCustomer(customer: Customer, reason: string, actor: Actor, now: Date, expectedVersion?: number): Decision {
  assertVersion(expectedVersion, customer.version);
  assertTransition(customer, "archive");
  const why = requireReason(reason);
  return statusChange(customer, "Archived", why, "CustomerArchived", { reason: why, previousStatus: customer.status, archivedAt: now.toISOString(), archivedBy: actor.userId }, actor, now);
}

/** Suspended and Archived customers are not deactivated: readable by id (archived ones hidden from default searches). */
function statusChange(
  customer: Customer,
  status: CustomerStatus,
  statusReason: string,
  eventType: string,
  data: Record<string, unknown>,
  actor: Actor,
  now: Date,
): Decision {
  const updated = touched(customer, { status, statusReason, isDeleted: false, deletedAt: null, deletedBy: null }, actor, now);
  const changes = diff(
    { status: customer.status, statusReason: customer.statusReason, isDeleted: customer.isDeleted },
    { status, statusReason, isDeleted: false },
  );
  return { customer: updated, events: [ev(updated, eventType, { previousStatus: customer.status, ...data })], changes, warnings: [] };
}

/** PUT /customers/{id}/tags: the tag set replaced by the one given. */
export function setCustomerTags(customer: Customer, rawTags: readonly string[], actor: Actor, now: Date, expectedVersion?: number): Decision {
  assertModifiable(customer, expectedVersion);
  const errors = new FieldErrorCollector();
  const tags = checkTags(errors, rawTags);
  errors.throwIfAny();
  const changes = diff({ tags: customer.tags }, { tags });
  if (Object.keys(changes).length === 0) return unchanged(customer);
  const updated = touched(customer, { tags }, actor, now);
  const added = tags.filter((t) => !customer.tags.includes(t));
  const removed = customer.tags.filter((t) => !tags.includes(t));
  return { customer: updated, events: [ev(updated, "CustomerTagsChanged", { tags, added, removed, updatedAt: now.toISOString(), updatedBy: actor.userId })], changes, warnings: [] };
}

export type CustomerRecordPatch = { profile?: ProfilePatch; contactInfo?: ContactInfoPatch; preferences?: PreferencesPatch };

/**
 * PUT /customers/{id}: profile, contact info and preferences in one change: every section's
 * rules and events, one version bump. Field errors of all sections are reported together.
 */
export function updateCustomerRecord(customer: Customer, patch: CustomerRecordPatch, actor: Actor, now: Date, expectedVersion?: number): Decision {
  assertModifiable(customer, expectedVersion);
  const errors = new FieldErrorCollector();
  // Field errors are named by their section, as the request nests them (preferences' already are).
  const steps: [string, (c: Customer) => Decision][] = [
    ["profile.", (c) => (patch.profile ? updateProfile(c, patch.profile, actor, now) : unchanged(c))],
    ["contactInfo.", (c) => (patch.contactInfo ? updateContactInfo(c, patch.contactInfo, actor, now) : unchanged(c))],
    ["", (c) => (patch.preferences ? updatePreferences(c, patch.preferences, actor, now) : unchanged(c))],
  ];
  let current = customer;
  const events: DomainEvent[] = [];
  const warnings: string[] = [];
  let changes: Changes = {};
  for (const [prefix, step] of steps) {
    try {
      const d = step(current);
      current = d.customer;
      events.push(...d.events);
      warnings.push(...d.warnings);
      changes = { ...changes, ...d.changes };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== "VALIDATION") throw error;
      for (const [field, messages] of Object.entries(error.fieldErrors)) messages.forEach((m) => errors.add(`${prefix}${field}`, m));
    }
  }
  errors.throwIfAny();
  if (events.length === 0) return unchanged(customer, warnings);
  return { customer: { ...current, version: customer.version + 1 }, events, changes, warnings };
}
