import { describe, expect, it } from "vitest";
import { codeOf, fieldErrors, outcomeOf } from "./support";
import {
  archiveCustomer,
  can,
  canReceiveMarketing,
  canTransition,
  CUSTOMER_STATUSES,
  CUSTOMER_TRANSITIONS,
  deactivateCustomer,
  normalizeCustomerTags,
  reactivateCustomer,
  registerCustomer,
  ROLES,
  setCustomerTags,
  suspendCustomer,
  unsuspendCustomer,
  updateContactInfo,
  updateCustomerRecord,
  updatePreferences,
  updateProfile,
  validateRegistration,
  type Actor,
  type Customer,
  type CustomerStatus,
  type CustomerTransition,
  type RegisterCustomerInput,
} from "../src/index";

const actor: Actor = { userId: "u-1", tenantId: "t-1", roles: ["Admin"] };
const now = new Date("2026-06-15T10:00:00.000Z");
const input = (o: Partial<RegisterCustomerInput> = {}): RegisterCustomerInput => ({
  type: "Individual",
  firstName: "Ada",
  lastName: "Lovelace",
  primaryEmail: "ada@example.com",
  primaryPhone: "020 7946 0958",
  billingAddress: { street: "1 High St", city: "London", state: "London", zipCode: "SW1A 1AA", country: "GB" },
  ...o,
});
const register = (o: Partial<RegisterCustomerInput> = {}) =>
  registerCustomer(validateRegistration(input(o), now), { id: "c-1", tenantId: "t-1", customerNumber: "CUS-000001", actor, now }).customer;

/** A customer in the given status, reached through the machine's own transitions. */
function inStatus(status: CustomerStatus): Customer {
  const active = register();
  switch (status) {
    case "Active":
      return active;
    case "Inactive":
      return deactivateCustomer(active, "closed the account", actor, now).customer;
    case "Suspended":
      return suspendCustomer(active, { reason: "Blocked" }, actor, now).customer;
    case "Archived":
      return archiveCustomer(active, "no longer relevant", actor, now).customer;
  }
}

const run: Record<CustomerTransition, (c: Customer) => unknown> = {
  deactivate: (c) => deactivateCustomer(c, "a reason", actor, now),
  reactivate: (c) => reactivateCustomer(c, "a reason", actor, now),
  suspend: (c) => suspendCustomer(c, { reason: "Fraud", note: "chargebacks" }, actor, now),
  unsuspend: (c) => unsuspendCustomer(c, "cleared", actor, now),
  archive: (c) => archiveCustomer(c, "a reason", actor, now),
};

describe("the status machine", () => {
  const expected: Record<CustomerStatus, Record<CustomerTransition, CustomerStatus | string>> = {
    Active: { deactivate: "Inactive", reactivate: "CUST-003", suspend: "Suspended", unsuspend: "CUST-003", archive: "Archived" },
    Inactive: { deactivate: "CUST-004", reactivate: "Active", suspend: "Suspended", unsuspend: "CUST-003", archive: "Archived" },
    Suspended: { deactivate: "CUST-003", reactivate: "CUST-003", suspend: "CUST-003", unsuspend: "Active", archive: "Archived" },
    Archived: { deactivate: "CUST-006", reactivate: "CUST-006", suspend: "CUST-006", unsuspend: "CUST-006", archive: "CUST-006" },
  };
  for (const from of CUSTOMER_STATUSES) {
    for (const transition of Object.keys(CUSTOMER_TRANSITIONS) as CustomerTransition[]) {
      const outcome = expected[from][transition];
      it(`${from} --${transition}--> ${outcome}`, () => {
        const customer = inStatus(from);
        const result = outcomeOf(() => run[transition](customer));
        if (outcome.startsWith("CUST-")) {
          expect(result).not.toBe("none");
          expect(result !== "none" && result.code).toBe(outcome);
          expect(canTransition(from, transition)).toBe(false);
        } else {
          const decision = run[transition](customer) as { customer: Customer };
          expect(decision.customer.status).toBe(outcome);
          expect(decision.customer.version).toBe(customer.version + 1);
          expect(canTransition(from, transition)).toBe(true);
        }
      });
    }
  }

  it("suspension keeps the record readable (not soft-deleted), records the reason and raises CustomerSuspended", () => {
    const fromInactive = suspendCustomer(inStatus("Inactive"), { reason: "Blocked", note: "abusive calls" }, actor, now);
    expect(fromInactive.customer).toMatchObject({ status: "Suspended", isDeleted: false, statusReason: "Blocked: abusive calls" });
    expect(fromInactive.events).toEqual([
      expect.objectContaining({ type: "CustomerSuspended", data: expect.objectContaining({ reason: "Blocked", note: "abusive calls", previousStatus: "Inactive" }) }),
    ]);
    expect(fromInactive.changes.status).toEqual({ from: "Inactive", to: "Suspended" });
  });

  it("unsuspend and archive raise their events with the reason; archive records the previous status", () => {
    const back = unsuspendCustomer(inStatus("Suspended"), "  paid up  ", actor, now);
    expect(back.customer.status).toBe("Active");
    expect(back.events[0]).toMatchObject({ type: "CustomerUnsuspended", data: { reason: "paid up" } });
    const archived = archiveCustomer(inStatus("Suspended"), "gone", actor, now);
    expect(archived.events[0]).toMatchObject({ type: "CustomerArchived", data: { previousStatus: "Suspended", reason: "gone" } });
    expect(archived.customer.isDeleted).toBe(false);
  });

  it("requires a reason for unsuspend and archive, and a plain note for suspend", () => {
    expect(fieldErrors(() => unsuspendCustomer(inStatus("Suspended"), " ", actor, now)).reason).toBeDefined();
    expect(fieldErrors(() => archiveCustomer(register(), "x", actor, now)).reason).toBeDefined();
    expect(fieldErrors(() => suspendCustomer(register(), { reason: "Other", note: "bad\u0007" }, actor, now)).note).toEqual(["must not contain control characters"]);
  });

  it("an archived customer takes no further change of any kind", () => {
    const archived = inStatus("Archived");
    expect(codeOf(() => updateProfile(archived, { notes: "x" }, actor, now))).toBe("CUST-006");
    expect(codeOf(() => updateContactInfo(archived, { primaryPhone: "020 7946 0000" }, actor, now))).toBe("CUST-006");
    expect(codeOf(() => updatePreferences(archived, { marketingConsent: true }, actor, now))).toBe("CUST-006");
    expect(codeOf(() => setCustomerTags(archived, ["vip"], actor, now))).toBe("CUST-006");
  });

  it("a stale version is refused before the transition is judged", () => {
    expect(codeOf(() => suspendCustomer(register(), { reason: "Blocked" }, actor, now, 7))).toBe("CONCURRENCY");
    expect(codeOf(() => archiveCustomer(register(), "reason", actor, now, 7))).toBe("CONCURRENCY");
  });

  it("only Admin holds the suspend privilege", () => {
    expect(ROLES.filter((r) => can([r], "customer:suspend"))).toEqual(["Admin"]);
  });
});

describe("canReceiveMarketing", () => {
  const consenting = (c: Customer): Customer => ({ ...c, preferences: { ...c.preferences, marketingConsent: true } });
  it("is true only for an Active customer who consented", () => {
    expect(canReceiveMarketing(consenting(inStatus("Active")))).toBe(true);
    expect(canReceiveMarketing(inStatus("Active"))).toBe(false);
    for (const status of ["Inactive", "Suspended", "Archived"] as const) expect(canReceiveMarketing(consenting(inStatus(status)))).toBe(false);
  });
});

describe("record fields", () => {
  it("registers notes, source, tags, date of birth, gender, social links and verification flags", () => {
    const c = register({
      notes: "Prefers calls.\n\tAsk for Ada.",
      source: " Trade fair ",
      tags: ["VIP", "vip", "early_adopter"],
      dateOfBirth: "1990-12-10",
      gender: "PreferNotToSay",
      socialMediaLinks: { linkedin: "https://www.linkedin.com/in/ada", twitter: "https://x.com/ada" },
      emailVerified: true,
    });
    expect(c).toMatchObject({
      notes: "Prefers calls.\n\tAsk for Ada.",
      source: "Trade fair",
      tags: ["early_adopter", "vip"],
      dateOfBirth: "1990-12-10",
      gender: "PreferNotToSay",
      socialMediaLinks: { linkedin: "https://www.linkedin.com/in/ada", twitter: "https://x.com/ada", facebook: null },
      emailVerified: true,
      phoneVerified: false,
      lastActivityAt: null,
    });
  });

  it("checks notes and source sizes", () => {
    expect(fieldErrors(() => validateRegistration(input({ notes: "n".repeat(4001), source: "s".repeat(101) }), now))).toMatchObject({
      notes: ["must be at most 4000 characters"],
      source: ["must be at most 100 characters"],
    });
    expect(validateRegistration(input({ notes: "n".repeat(4000) }), now).notes).toHaveLength(4000);
  });

  it("dates of birth: ISO dates, age 0-150, not in the future, Individuals only", () => {
    const dob = (dateOfBirth: string, o: Partial<RegisterCustomerInput> = {}) => fieldErrors(() => validateRegistration(input({ dateOfBirth, ...o }), now)).dateOfBirth;
    expect(dob("15/06/1990")).toEqual(["must be a date as YYYY-MM-DD"]);
    expect(dob("2023-02-30")).toEqual(["must be a date as YYYY-MM-DD"]);
    expect(dob("2026-06-16")).toEqual(["must not be in the future"]);
    expect(dob("1876-06-14")).toEqual(["must give an age of at most 150 years"]);
    expect(dob("1990-01-01", { type: "SmallBusiness", companyName: "Acme", firstName: undefined, lastName: undefined })).toEqual([
      "is only for Individual customers",
    ]);
    expect(validateRegistration(input({ dateOfBirth: "2026-06-15" }), now).dateOfBirth).toBe("2026-06-15");
    expect(validateRegistration(input({ dateOfBirth: "1876-06-15" }), now).dateOfBirth).toBe("1876-06-15");
  });

  it("gender is for Individuals", () => {
    const errors = fieldErrors(() =>
      validateRegistration(input({ type: "Enterprise", companyName: "Globex", firstName: undefined, lastName: undefined, gender: "Female" }), now),
    );
    expect(errors.gender).toEqual(["is only for Individual customers"]);
  });

  it("social links must be https on their network's host", () => {
    const errors = fieldErrors(() =>
      validateRegistration(
        input({ socialMediaLinks: { linkedin: "http://linkedin.com/in/ada", twitter: "https://evil.com/x.com", facebook: "https://notfacebook.com/ada" } }),
        now,
      ),
    );
    expect(errors["socialMediaLinks.linkedin"]).toEqual(["must be an https URL on linkedin.com"]);
    expect(errors["socialMediaLinks.twitter"]).toEqual(["must be an https URL on twitter.com or x.com"]);
    expect(errors["socialMediaLinks.facebook"]).toEqual(["must be an https URL on facebook.com or fb.com"]);
    expect(validateRegistration(input({ socialMediaLinks: { facebook: "https://m.facebook.com/ada", twitter: "https://twitter.com/ada" } }), now).socialMediaLinks).toEqual({
      linkedin: null,
      twitter: "https://twitter.com/ada",
      facebook: "https://m.facebook.com/ada",
    });
  });

  it("tags follow the contact tag rules", () => {
    expect(normalizeCustomerTags([" Gold ", "GOLD", "b2b"])).toEqual({ ok: true, value: ["b2b", "gold"] });
    const bad = normalizeCustomerTags(["has space", "x".repeat(51)]);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.tags).toHaveLength(2);
    const many = normalizeCustomerTags(Array.from({ length: 51 }, (_, i) => `t${i}`));
    expect(!many.ok && many.errors.tags).toEqual(["at most 50 tags per customer"]);
  });

  it("setCustomerTags replaces the set with one event naming what was added and removed", () => {
    const c = register({ tags: ["a", "b"] });
    const d = setCustomerTags(c, ["B", "c"], actor, now, 1);
    expect(d.customer.tags).toEqual(["b", "c"]);
    expect(d.events[0]).toMatchObject({ type: "CustomerTagsChanged", data: { added: ["c"], removed: ["a"] } });
    expect(setCustomerTags(c, ["A", "b"], actor, now).events).toEqual([]);
  });

  it("a changed email or phone is unverified unless the same change says otherwise", () => {
    const verified = { ...register(), emailVerified: true, phoneVerified: true };
    const email = updateContactInfo(verified, { primaryEmail: "new@example.com" }, actor, now).customer;
    expect(email).toMatchObject({ emailVerified: false, phoneVerified: true });
    const sameCase = updateContactInfo(verified, { primaryEmail: "ADA@example.com" }, actor, now);
    expect(sameCase.customer.emailVerified).toBe(true);
    const phone = updateContactInfo(verified, { primaryPhone: "020 7946 0000" }, actor, now).customer;
    expect(phone).toMatchObject({ emailVerified: true, phoneVerified: false });
    const both = updateContactInfo(verified, { primaryEmail: "other@example.com", emailVerified: true }, actor, now);
    expect(both.customer.emailVerified).toBe(true);
    expect(updateContactInfo(register(), { emailVerified: true }, actor, now).changes).toEqual({ emailVerified: { from: false, to: true } });
  });

  it("profile updates take the new fields and judge only what was given", () => {
    const c = { ...register(), dateOfBirth: "1870-01-01" };
    const d = updateProfile(c, { notes: "hello", source: "Referral", gender: "Female", socialMediaLinks: { linkedin: "https://linkedin.com/in/x" } }, actor, now);
    expect(d.customer).toMatchObject({ notes: "hello", source: "Referral", gender: "Female", dateOfBirth: "1870-01-01" });
    expect(Object.keys(d.changes).sort()).toEqual(["gender", "notes", "socialMediaLinks", "source"]);
    expect(fieldErrors(() => updateProfile(c, { dateOfBirth: "2100-01-01" }, actor, now)).dateOfBirth).toEqual(["must not be in the future"]);
    expect(updateProfile(c, { dateOfBirth: null }, actor, now).customer.dateOfBirth).toBeNull();
  });
});

describe("control characters", () => {
  it("are refused in every text field with a field message; notes may hold line breaks and tabs", () => {
    const errors = fieldErrors(() =>
      validateRegistration(
        input({
          firstName: "Ada\u0000",
          lastName: "Love\u001blace",
          industry: "Te\nch",
          source: "Fa\tir",
          notes: "ok\nok\tbut\u0007",
          billingAddress: { street: "1 High\r St", city: "London", state: "London", zipCode: "SW1A 1AA", country: "GB" },
        }),
        now,
      ),
    );
    for (const field of ["firstName", "lastName", "industry", "source", "billingAddress.street"]) {
      expect(errors[field]).toContain("must not contain control characters");
    }
    expect(errors.notes).toEqual(["must not contain control characters (line breaks and tabs are allowed)"]);
  });

  it("apply to updates and preferences too, and leave other text as given", () => {
    const c = register();
    expect(fieldErrors(() => updateProfile(c, { notes: "a\u0085b" }, actor, now)).notes).toBeDefined();
    expect(fieldErrors(() => updatePreferences(c, { interests: ["golf\u0000"] }, actor, now))["preferences.interests.0"]).toBeDefined();
    expect(fieldErrors(() => deactivateCustomer(c, "why\u0000not", actor, now)).reason).toBeDefined();
    expect(updateProfile(c, { notes: "<script>alert(1)</script> & ünïcödé" }, actor, now).customer.notes).toBe("<script>alert(1)</script> & ünïcödé");
  });
});

describe("updateCustomerRecord", () => {
  it("applies profile, contact info and preferences with one version bump and every section's event", () => {
    const c = register();
    const d = updateCustomerRecord(
      c,
      { profile: { notes: "n" }, contactInfo: { primaryEmail: "x@example.com" }, preferences: { marketingConsent: true } },
      actor,
      now,
      1,
    );
    expect(d.customer.version).toBe(2);
    expect(d.events.map((e) => e.type)).toEqual(["CustomerProfileUpdated", "CustomerContactInfoUpdated", "CustomerPreferencesUpdated"]);
    expect(Object.keys(d.changes).sort()).toEqual(["marketingConsent", "notes", "primaryEmail"]);
  });

  it("reports field errors of every section at once and changes nothing", () => {
    const errors = fieldErrors(() =>
      updateCustomerRecord(register(), { profile: { source: "s".repeat(101) }, contactInfo: { primaryEmail: "nope" }, preferences: { timeZone: "Mars/Base" } }, actor, now, 1),
    );
    expect(Object.keys(errors).sort()).toEqual(["contactInfo.primaryEmail", "preferences.timeZone", "profile.source"]);
  });

  it("is a no-op without changes, and refuses a stale version", () => {
    expect(updateCustomerRecord(register(), { profile: { firstName: "Ada" } }, actor, now, 1).events).toEqual([]);
    expect(codeOf(() => updateCustomerRecord(register(), {}, actor, now, 2))).toBe("CONCURRENCY");
  });
});
