import { describe, expect, it } from "vitest";
import { fieldErrors } from "./support";
import {
  mapCustomerRow,
  recordPatchFromRow,
  registerCustomer,
  registrationFromRow,
  repeatedKeys,
  resolveCustomerMappings,
  validateRegistration,
  type Actor,
} from "../src/index";

const actor: Actor = { userId: "u-1", tenantId: "t-1", roles: ["Admin"] };
const now = new Date("2026-01-02T03:04:05.000Z");
const columns = ["Type", "Company Name", "primary_email", "Primary phone", "billingStreet", "billingCity", "billingState", "billingZipCode", "billingCountry", "Tags"];
const record = (o: Record<string, string> = {}) => ({
  Type: "smallbusiness",
  "Company Name": "Acme Widgets",
  primary_email: "owner@acme.example",
  "Primary phone": "020 7946 0958",
  billingStreet: "1 High St",
  billingCity: "London",
  billingState: "London",
  billingZipCode: "SW1A 1AA",
  billingCountry: "gb",
  Tags: "vip; Gold",
  ...o,
});
const mappings = () => {
  const m = resolveCustomerMappings(columns, {}, "email");
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value;
};

describe("customer import mappings", () => {
  it("match the usual headers by name, case and punctuation aside", () => {
    expect(mappings()).toMatchObject({ type: "Type", companyName: "Company Name", primaryEmail: "primary_email", tags: "Tags" });
  });

  it("name every field that is unknown, missing from the file, or required and unmapped", () => {
    const r = resolveCustomerMappings(["Mail", "Firm"], { nickname: "Firm", companyName: "Company" }, "email");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(["mappings.companyName", "mappings.nickname", "mappings.primaryEmail"]);
    const byNumber = resolveCustomerMappings(["Mail"], { primaryEmail: "Mail" }, "customerNumber");
    expect(byNumber.ok ? [] : Object.keys(byNumber.errors)).toEqual(["mappings.customerNumber"]);
  });
});

describe("a row as a registration", () => {
  it("becomes a customer through validateRegistration, with tags normalized and formula quotes undone", () => {
    const row = mapCustomerRow(record({ "Company Name": "'=Acme Widgets" }), mappings());
    const decision = registerCustomer(validateRegistration(registrationFromRow(row), now), { id: "c-1", tenantId: "t-1", customerNumber: "CUS-000001", actor, now });
    expect(decision.customer).toMatchObject({ type: "SmallBusiness", companyName: "=Acme Widgets", tags: ["gold", "vip"], contactInfo: { billingAddress: { country: "GB" } } });
    expect(decision.events.map((e) => e.type)).toEqual(["CustomerRegistered"]);
  });

  it("refuses a missing or unknown type and gender before the registration rules run", () => {
    expect(fieldErrors(() => registrationFromRow(mapCustomerRow(record({ Type: "" }), mappings())))).toHaveProperty("type");
    expect(fieldErrors(() => registrationFromRow(mapCustomerRow(record({ Type: "Club" }), mappings())))).toHaveProperty("type");
    const withGender = resolveCustomerMappings([...columns, "gender"], {}, "email");
    if (!withGender.ok) throw new Error("mappings");
    expect(fieldErrors(() => registrationFromRow(mapCustomerRow({ ...record(), gender: "Robot" }, withGender.value)))).toHaveProperty("gender");
  });

  it("leaves the registration rules to validateRegistration (a bad email is its field error)", () => {
    const input = registrationFromRow(mapCustomerRow(record({ primary_email: "nope" }), mappings()));
    expect(fieldErrors(() => validateRegistration(input, now))).toHaveProperty("primaryEmail");
  });
});

describe("a row as an update of the customer it matched", () => {
  const customer = registerCustomer(validateRegistration(registrationFromRow(mapCustomerRow(record(), mappings())), now), {
    id: "c-1",
    tenantId: "t-1",
    customerNumber: "CUS-000001",
    actor,
    now,
  }).customer;

  it("patches only the cells the file has, keeps the stored email spelling, adds tags and merges the billing address", () => {
    const m = resolveCustomerMappings(["primaryEmail", "companyName", "billingCity", "tags", "industry"], {}, "email");
    if (!m.ok) throw new Error("mappings");
    const row = mapCustomerRow({ primaryEmail: "OWNER@acme.example", companyName: "Acme Two", billingCity: "Leeds", tags: "new", industry: "" }, m.value);
    const { patch, tags } = recordPatchFromRow(row, customer);
    expect(patch).toEqual({
      profile: { companyName: "Acme Two", industry: null },
      contactInfo: { billingAddress: { ...customer.contactInfo.billingAddress, city: "Leeds" } },
    });
    expect(tags).toEqual(["gold", "vip", "new"]);
  });

  it("refuses to change the type", () => {
    const row = mapCustomerRow(record({ Type: "Enterprise" }), mappings());
    expect(fieldErrors(() => recordPatchFromRow(row, customer))).toHaveProperty("type");
  });
});

describe("repeatedKeys", () => {
  it("points every repeat at its first occurrence and ignores empty keys", () => {
    expect([...repeatedKeys(["a", undefined, "b", "a", "", "a", "b"])]).toEqual([
      [3, 0],
      [5, 0],
      [6, 2],
    ]);
  });
});
