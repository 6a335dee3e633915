import type { Actor } from "../authz";
import { assertVersion, DomainError, FieldErrorCollector } from "../errors";
import { diff } from "../changes";
import type { DomainEvent } from "../events";
import { trimOrNull } from "../text";
import { checkAddress, type Address } from "../validation/address";
import { validateEmail } from "../validation/email";
import { validatePhone } from "../validation/phone";
import {
  DEFAULT_PREFERENCES,
  type Changes,
  type Customer,
  type CustomerType,
  type Preferences,
  type PreferencesPatch,
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
};

export type ProfilePatch = {
  companyName?: string;
  firstName?: string | null;
  lastName?: string | null;
  industry?: string | null;
  website?: string | null;
};

export type ContactInfoPatch = {
  primaryEmail?: string;
  secondaryEmail?: string | null;
  primaryPhone?: string;
  secondaryPhone?: string | null;
  billingAddress?: Address;
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

function checkName(errors: FieldErrorCollector, field: string, value: string, min: number, max: number) {
  if (value.length < min) errors.add(field, `must be at least ${min} characters`);
  if (value.length > max) errors.add(field, `must be at most ${max} characters`);
}

function checkWebsite(errors: FieldErrorCollector, website: string | null): string | null {
  if (website === null) return null;
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
  const result = validateEmail(value);
  if (!result.ok) {
    errors.add(field, result.message);
    return value;
  }
  return result.value;
}

function checkPhone(errors: FieldErrorCollector, field: string, value: string, country: string | undefined) {
  const result = validatePhone(value, country);
  if (!result.ok) {
    errors.add(field, result.message);
    return value;
  }
  return result.value;
}

function checkAddressInto(errors: FieldErrorCollector, warnings: string[], field: string, address: Address) {
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
  };
  const errors = new FieldErrorCollector();
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

/** REQ-CUS-017: Enterprise customers start in Corporate, everybody else in Standard. */
export const initialSegment = (type: CustomerType) => (type === "Enterprise" ? "Corporate" : "Standard");

/** Registration data that passed every rule; only a number and an id are missing. */
export type ValidRegistration = Pick<
  Customer,
  "type" | "companyName" | "firstName" | "lastName" | "industry" | "website" | "contactInfo" | "preferences"
> & { warnings: string[] };

/** Checks a registration completely before the caller spends a customer number on it. */
export function validateRegistration(input: RegisterCustomerInput): ValidRegistration {
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
  const industry = trimOrNull(input.industry);
  if (industry && industry.length > 100) errors.add("industry", "must be at most 100 characters");
  const website = checkWebsite(errors, trimOrNull(input.website));

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
  if (customer.isDeleted) {
    throw new DomainError(
      "CUST-004",
      "business_rule",
      "The customer is deactivated and cannot be modified; reactivate it first.",
    );
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
  const next: Pick<Customer, "companyName" | "firstName" | "lastName" | "industry" | "website"> = {
    companyName: customer.companyName,
    firstName: customer.firstName,
    lastName: customer.lastName,
    industry: customer.industry,
    website: customer.website,
  };
  if (patch.companyName !== undefined) {
    next.companyName = patch.companyName.trim();
    checkName(errors, "companyName", next.companyName, 2, 200);
  }
  for (const field of ["firstName", "lastName"] as const) {
    if (patch[field] === undefined) continue;
    if (customer.type !== "Individual") errors.add(field, "is only for Individual customers");
    next[field] = trimOrNull(patch[field]);
    if ((next[field]?.length ?? 0) > 100) errors.add(field, "must be at most 100 characters");
  }
  if (patch.industry !== undefined) {
    next.industry = trimOrNull(patch.industry);
    if ((next.industry?.length ?? 0) > 100) errors.add("industry", "must be at most 100 characters");
  }
  if (patch.website !== undefined) next.website = checkWebsite(errors, trimOrNull(patch.website));
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
  return contactInfoDecision(customer, info, actor, now, warnings);
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

function contactInfoDecision(
  customer: Customer,
  info: Customer["contactInfo"],
  actor: Actor,
  now: Date,
  warnings: string[],
): Decision {
  const changes = diff(customer.contactInfo, info);
  if (Object.keys(changes).length === 0) return unchanged(customer, warnings);
  const updated = touched(customer, { contactInfo: info }, actor, now);
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
  if (customer.isDeleted) throw new DomainError("CUST-004", "business_rule", "The customer is already deactivated.");
  assertModifiable(customer, expectedVersion);
  return setDeactivated(customer, true, reason, actor, now);
}

export function reactivateCustomer(customer: Customer, reason: string, actor: Actor, now: Date, expectedVersion?: number): Decision {
  assertVersion(expectedVersion, customer.version);
  if (!customer.isDeleted) throw new DomainError("CUST-003", "business_rule", "Only a deactivated customer can be reactivated.");
  return setDeactivated(customer, false, reason, actor, now);
}
