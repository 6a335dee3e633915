import { describe, expect, it } from "vitest";
import { codeOf, fieldErrors } from "./support";
import {
  deactivateCustomer,
  formatCustomerNumber,
  reactivateCustomer,
  registerCustomer,
  updateContactInfo,
  updatePreferences,
  updateProfile,
  updateShippingAddress,
  validateRegistration,
  type Actor,
  type RegisterCustomerInput,
} from "../src/index";

const actor: Actor = { userId: "u-1", tenantId: "t-1", roles: ["Admin"] };
const now = new Date("2026-01-02T03:04:05.000Z");
const later = new Date("2026-01-03T00:00:00.000Z");
const input = (o: Partial<RegisterCustomerInput> = {}): RegisterCustomerInput => ({
  type: "SmallBusiness",
  companyName: "Acme Widgets",
  primaryEmail: "owner@Acme-Widgets.COM",
  primaryPhone: "020 7946 0958",
  billingAddress: { street: "1 High St", city: "London", state: "London", zipCode: "sw1a 1aa", country: "gb" },
  ...o,
});
const register = (o: Partial<RegisterCustomerInput> = {}) =>
  registerCustomer(validateRegistration(input(o)), { id: "c-1", tenantId: "t-1", customerNumber: "CUS-000007", actor, now });

describe("registerCustomer", () => {
  it("normalizes contact data and starts Active, Standard, Unrated, version 1", () => {
    const { customer, events, warnings } = register();
    expect(customer).toMatchObject({ status: "Active", segment: "Standard", rating: "Unrated", version: 1, isDeleted: false });
    expect(customer.contactInfo.primaryEmail).toBe("owner@acme-widgets.com");
    expect(customer.contactInfo.primaryPhone).toBe("+442079460958");
    expect(customer.contactInfo.billingAddress).toMatchObject({ country: "GB", zipCode: "SW1A 1AA" });
    expect(warnings).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        type: "CustomerRegistered",
        aggregateId: "c-1",
        data: expect.objectContaining({ customerNumber: "CUS-000007", registeredBy: "u-1", registeredAt: now.toISOString() }),
      }),
    ]);
  });

  it("puts Enterprise customers in Corporate", () => {
    expect(register({ type: "Enterprise" }).customer.segment).toBe("Corporate");
  });

  it("derives an Individual's display name; other types may not carry person names", () => {
    expect(register({ type: "Individual", companyName: undefined, firstName: "Ada", lastName: "Lovelace" }).customer.companyName).toBe(
      "Ada Lovelace",
    );
    expect(fieldErrors(() => validateRegistration(input({ firstName: "Ada" })))).toHaveProperty("firstName");
    expect(fieldErrors(() => validateRegistration(input({ type: "Individual", companyName: undefined })))).toHaveProperty("companyName");
  });

  it("collects every invalid field at once", () => {
    const errors = fieldErrors(() =>
      validateRegistration(
        input({
          companyName: "A",
          website: "ftp://x",
          primaryEmail: "bad",
          primaryPhone: "12",
          billingAddress: { street: "", city: "c", state: "s", zipCode: "1", country: "ZZ" },
          preferences: { timeZone: "Mars/Olympus" },
        }),
      ),
    );
    expect(Object.keys(errors).sort()).toEqual(
      ["billingAddress.country", "billingAddress.street", "companyName", "preferences.timeZone", "primaryEmail", "primaryPhone", "website"].sort(),
    );
  });

  it("takes the shipping address complete, or copied from billing, not both", () => {
    expect(register({ shippingSameAsBilling: true }).customer.contactInfo.shippingAddress).toEqual(
      register().customer.contactInfo.billingAddress,
    );
    expect(fieldErrors(() => validateRegistration(input({ shippingAddress: { street: "x", city: "", state: "s", zipCode: "1", country: "GB" } })))).toHaveProperty(
      "shippingAddress.city",
    );
    expect(
      fieldErrors(() => validateRegistration(input({ shippingSameAsBilling: true, shippingAddress: input().billingAddress }))),
    ).toHaveProperty("shippingAddress");
  });

  it("returns postal-code mismatches as warnings", () => {
    const { warnings } = register({ billingAddress: { street: "1 St", city: "Berlin", state: "BE", zipCode: "ABC", country: "DE" } });
    expect(warnings).toHaveLength(1);
  });

  it("formats customer numbers with six digits and grows past them", () => {
    expect(formatCustomerNumber(1)).toBe("CUS-000001");
    expect(formatCustomerNumber(1234567)).toBe("CUS-1234567");
  });
});

describe("updates", () => {
  it("records only changed profile fields and bumps the version", () => {
    const { customer } = register();
    const d = updateProfile(customer, { companyName: "Acme Widgets", industry: "Tools" }, actor, later, 1);
    expect(d.changes).toEqual({ industry: { from: null, to: "Tools" } });
    expect(d.customer).toMatchObject({ version: 2, lastModifiedAt: later, lastModifiedBy: "u-1" });
    expect(d.events[0]).toMatchObject({ type: "CustomerProfileUpdated", data: { changedFields: { industry: "Tools" } } });
  });

  it("does nothing (no event, same version) when nothing changes", () => {
    const { customer } = register();
    const d = updateProfile(customer, { companyName: "Acme Widgets" }, actor, later);
    expect(d.events).toEqual([]);
    expect(d.customer.version).toBe(1);
  });

  it("rejects a stale version with a conflict", () => {
    const { customer } = register();
    expect(codeOf(() => updateProfile(customer, { industry: "x" }, actor, later, 5))).toBe("CONCURRENCY");
  });

  it("validates the website URL", () => {
    const { customer } = register();
    expect(fieldErrors(() => updateProfile(customer, { website: "not a url" }, actor, later))).toHaveProperty("website");
    expect(updateProfile(customer, { website: "https://acme.example" }, actor, later).customer.website).toBe("https://acme.example");
  });

  it("reports previous and new email/phone and keeps the old address in the changes", () => {
    const { customer } = register();
    const d = updateContactInfo(
      customer,
      { primaryEmail: "new@acme.com", billingAddress: { street: "2 Low St", city: "Leeds", state: "WY", zipCode: "LS1 1AA", country: "GB" } },
      actor,
      later,
    );
    expect(d.events[0]).toMatchObject({
      type: "CustomerContactInfoUpdated",
      data: { previousEmail: "owner@acme-widgets.com", newEmail: "new@acme.com", previousPhone: "+442079460958", newPhone: "+442079460958" },
    });
    expect(d.changes.billingAddress?.from).toMatchObject({ street: "1 High St" });
  });

  it("copies billing into shipping, or removes shipping", () => {
    const { customer } = register();
    const copied = updateShippingAddress(customer, { sameAsBilling: true }, actor, later).customer;
    expect(copied.contactInfo.shippingAddress).toEqual(customer.contactInfo.billingAddress);
    expect(updateShippingAddress(copied, { shippingAddress: null }, actor, later).customer.contactInfo.shippingAddress).toBeNull();
  });

  it("merges preferences and enforces their consistency", () => {
    const { customer } = register();
    const d = updatePreferences(customer, { marketingConsent: true, notifications: { sms: true } }, actor, later);
    expect(d.customer.preferences).toMatchObject({ marketingConsent: true, notifications: { email: true, sms: true, push: true }, timeZone: "UTC" });
    expect(d.events[0]?.type).toBe("CustomerPreferencesUpdated");
    expect(fieldErrors(() => updatePreferences(customer, { communication: { channels: ["None", "Email"] } }, actor, later))).toHaveProperty(
      "preferences.communication.channels",
    );
    expect(fieldErrors(() => updatePreferences(customer, { preferredLanguage: "English!" }, actor, later))).toHaveProperty(
      "preferences.preferredLanguage",
    );
  });
});

describe("deactivate and reactivate", () => {
  it("soft-deletes with a reason, freezes the customer, and can be reversed", () => {
    const { customer } = register();
    expect(fieldErrors(() => deactivateCustomer(customer, "  ", actor, later))).toHaveProperty("reason");
    const off = deactivateCustomer(customer, "Duplicate", actor, later).customer;
    expect(off).toMatchObject({ isDeleted: true, status: "Inactive", deletedAt: later, deletedBy: "u-1", statusReason: "Duplicate" });
    expect(codeOf(() => updateProfile(off, { industry: "x" }, actor, later))).toBe("CUST-004");
    expect(codeOf(() => deactivateCustomer(off, "Again", actor, later))).toBe("CUST-004");

    const on = reactivateCustomer(off, "Customer returned", actor, later);
    expect(on.customer).toMatchObject({ isDeleted: false, status: "Active", deletedAt: null });
    expect(on.events[0]).toMatchObject({ type: "CustomerReactivated", data: { reason: "Customer returned", reactivatedBy: "u-1" } });
  });

  it("refuses to reactivate an active customer", () => {
    expect(codeOf(() => reactivateCustomer(register().customer, "why not", actor, later))).toBe("CUST-003");
  });
});
