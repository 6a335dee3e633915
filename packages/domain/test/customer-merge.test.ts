import { describe, expect, it } from "vitest";
import { codeOf, fieldErrors, outcomeOf } from "./support";
import {
  DEFAULT_MERGE_OPTIONS,
  MAX_CONTACTS_PER_CUSTOMER,
  movedKinds,
  planMerge,
  planUndo,
  registerCustomer,
  validateRegistration,
  type Actor,
  type Contact,
  type Customer,
  type CurrentRecord,
  type MergeInput,
  type MergeRecord,
  type MovedKind,
} from "../src/index";

const actor: Actor = { userId: "u-1", tenantId: "t-1", roles: ["Admin"] };
const now = new Date("2026-03-01T10:00:00.000Z");

function customer(id: string, number: string, o: Partial<Customer> = {}): Customer {
  const valid = validateRegistration({
    type: "SmallBusiness",
    companyName: `Company ${id}`,
    industry: `Industry ${id}`,
    primaryEmail: `${id}@example.com`,
    primaryPhone: "+442079460958",
    billingAddress: { street: "1 High St", city: "London", state: "London", zipCode: "SW1A 1AA", country: "GB" },
  });
  const { customer: c } = registerCustomer(valid, { id, tenantId: "t-1", customerNumber: number, actor, now: new Date("2026-01-01T00:00:00Z") });
  return { ...c, ...o };
}

let seq = 0;
function contact(customerId: string, email: string, o: Partial<Contact> = {}): Contact {
  seq += 1;
  return {
    id: `k-${seq}`,
    tenantId: "t-1",
    customerId,
    firstName: "Ann",
    lastName: `Person${seq}`,
    email,
    phone: null,
    position: null,
    isPrimary: false,
    tags: [],
    status: "Active",
    removedAt: null,
    removedBy: null,
    removalReason: null,
    createdAt: now,
    createdBy: "u-1",
    lastModifiedAt: null,
    lastModifiedBy: null,
    version: 3,
    ...o,
  };
}

const source = () => customer("src", "CUS-000001");
const target = () => customer("tgt", "CUS-000002");

function input(o: Partial<MergeInput> = {}): MergeInput {
  return {
    mergeId: "m-1",
    source: source(),
    target: target(),
    sourceContacts: [],
    targetContacts: [],
    sourceRecords: {
      communications: [{ id: "comm-1", version: 2 }],
      followUps: [{ id: "fu-1", version: 1 }],
      complaints: [{ id: "cmp-1", version: 4 }],
      testimonials: [{ id: "tst-1", version: 1 }],
      transactions: [{ id: "txn-1", version: 0 }],
      attendance: [{ id: "att-1", version: 0 }],
    },
    options: DEFAULT_MERGE_OPTIONS,
    fieldChoices: {},
    actor,
    now,
    ...o,
  };
}

describe("planMerge: the pair", () => {
  it("refuses the same customer twice with a 400 naming targetCustomerId", () => {
    const c = source();
    expect(codeOf(() => planMerge(input({ source: c, target: c })))).toBe("MERGE-001");
    expect(fieldErrors(() => planMerge(input({ source: c, target: c })))).toHaveProperty("targetCustomerId");
  });

  it("refuses a deactivated (or already merged) source or target, and an archived one, as conflicts", () => {
    const gone = { ...source(), isDeleted: true, status: "Inactive" as const };
    for (const o of [{ source: gone }, { target: { ...target(), isDeleted: true } }, { target: { ...target(), status: "Archived" as const } }]) {
      const outcome = outcomeOf(() => planMerge(input(o)));
      expect(outcome !== "none" && [outcome.code, outcome.kind]).toEqual(["MERGE-002", "conflict"]);
    }
  });
});

describe("planMerge: what moves", () => {
  it("moves every kind by default and deactivates the source with a pointer to the target", () => {
    const k = contact("src", "a@example.com");
    const plan = planMerge(input({ sourceContacts: [k] }));
    expect(plan.moved).toEqual({
      contacts: [{ id: k.id, version: 4 }],
      communications: [{ id: "comm-1", version: 2 }],
      followUps: [{ id: "fu-1", version: 1 }],
      complaints: [{ id: "cmp-1", version: 4 }],
      testimonials: [{ id: "tst-1", version: 1 }],
      transactions: [{ id: "txn-1", version: 0 }],
      attendance: [{ id: "att-1", version: 0 }],
    });
    expect(plan.source).toMatchObject({ isDeleted: true, status: "Inactive", statusReason: "Merged into CUS-000002", version: 2, deletedBy: "u-1" });
    expect(plan.target.version).toBe(2);
    expect(plan.sourceBefore).toEqual({ status: "Active", statusReason: null, isDeleted: false, deletedAt: null, deletedBy: null });
    expect(plan.mergedEntities).toEqual(["contacts", "communicationHistory", "complaints", "testimonials"]);
    const merged = plan.events.find((e) => e.type === "CustomerMerged")!;
    expect(merged).toMatchObject({
      aggregateId: "tgt",
      data: { sourceCustomerId: "src", targetCustomerId: "tgt", mergeId: "m-1", mergedBy: "u-1", mergedAt: now.toISOString() },
    });
    expect(plan.events.find((e) => e.type === "CustomerDeactivated")).toMatchObject({ aggregateId: "src", data: { mergedInto: "tgt" } });
    expect(plan.contactEvents).toEqual([
      expect.objectContaining({ type: "ContactUpdated", aggregateType: "Contact", aggregateId: k.id, version: 4, data: expect.objectContaining({ changedFields: { customerId: "tgt" } }) }),
    ]);
    expect(plan.audit.source.mergedInto).toEqual({ from: null, to: "tgt" });
    expect(plan.audit.target.mergedFrom).toEqual({ from: null, to: "src" });
  });

  it("moves only the kinds the options choose; follow-ups travel with the communication history", () => {
    const options = { contacts: false, communicationHistory: false, complaints: true, testimonials: false };
    const plan = planMerge(input({ options, sourceContacts: [contact("src", "a@example.com")] }));
    expect(plan.moved.contacts).toEqual([]);
    expect(plan.moved.communications).toEqual([]);
    expect(plan.moved.followUps).toEqual([]);
    expect(plan.moved.complaints).toHaveLength(1);
    expect(plan.moved.testimonials).toEqual([]);
    expect(plan.mergedEntities).toEqual(["complaints"]);
    // The value ledger moves whatever the options say: the target's figures are derived from it.
    expect(plan.moved.transactions).toHaveLength(1);
    expect(plan.moved.attendance).toHaveLength(1);
    expect(movedKinds({ ...options, communicationHistory: true })).toEqual(["communications", "followUps", "complaints", "transactions", "attendance"]);
  });

  it("keeps the target's contact when emails clash (case-insensitively) and records the dropped one", () => {
    const kept = contact("tgt", "Same@Example.com", { isPrimary: true });
    const clash = contact("src", "same@example.com");
    const other = contact("src", "other@example.com");
    const plan = planMerge(input({ sourceContacts: [clash, other], targetContacts: [kept] }));
    expect(plan.moved.contacts.map((c) => c.id)).toEqual([other.id]);
    expect(plan.droppedContacts).toEqual([{ id: clash.id, email: "same@example.com", keptContactId: kept.id }]);
    expect(plan.audit.target.droppedContacts).toEqual({ from: plan.droppedContacts, to: null });
  });

  it("a removed source contact does not clash: it moves as history", () => {
    const removed = contact("src", "same@example.com", { status: "Inactive" });
    const plan = planMerge(input({ sourceContacts: [removed], targetContacts: [contact("tgt", "same@example.com")] }));
    expect(plan.moved.contacts.map((c) => c.id)).toEqual([removed.id]);
    expect(plan.droppedContacts).toEqual([]);
  });

  it("the target keeps its primary: the source's primary is demoted and remembered", () => {
    const primary = contact("src", "p@example.com", { isPrimary: true, version: 5 });
    const plan = planMerge(input({ sourceContacts: [primary], targetContacts: [contact("tgt", "t@example.com", { isPrimary: true })] }));
    expect(plan.demotedContactIds).toEqual([primary.id]);
    expect(plan.moved.contacts).toEqual([{ id: primary.id, version: 6, wasPrimary: true }]);
    expect(plan.contactEvents[0]?.data.changedFields).toEqual({ customerId: "tgt", isPrimary: false });
    // A target without contacts takes the source's primary as it is.
    expect(planMerge(input({ sourceContacts: [primary] })).demotedContactIds).toEqual([]);
  });

  it("refuses with 400 CONT-004 when the target would pass 50 active contacts; clashing and removed ones do not count", () => {
    const targetContacts = Array.from({ length: 45 }, (_, i) => contact("tgt", `t${i}@example.com`));
    const five = Array.from({ length: 5 }, (_, i) => contact("src", `s${i}@example.com`));
    const extras = [contact("src", "t0@example.com"), contact("src", "gone@example.com", { status: "Inactive" })];
    expect(planMerge(input({ targetContacts, sourceContacts: [...five, ...extras] })).moved.contacts).toHaveLength(6);
    const six = [...five, contact("src", "s5@example.com")];
    const outcome = outcomeOf(() => planMerge(input({ targetContacts, sourceContacts: six })));
    expect(outcome !== "none" && [outcome.code, outcome.kind]).toEqual(["CONT-004", "business_rule"]);
    expect(outcome !== "none" && outcome.fieldErrors["mergeOptions.contacts"]?.[0]).toContain(`${MAX_CONTACTS_PER_CUSTOMER + 1} active contacts`);
    // Without contacts in the merge the limit is not in play.
    expect(outcomeOf(() => planMerge(input({ targetContacts, sourceContacts: six, options: { ...DEFAULT_MERGE_OPTIONS, contacts: false } })))).toBe("none");
  });

  it("gives the target the union of both customers' tags, at most 50", () => {
    const plan = planMerge(input({ source: { ...source(), tags: ["vip", "north"] }, target: { ...target(), tags: ["vip"] } }));
    expect(plan.tagsAdded).toEqual(["north"]);
    expect(plan.target.tags).toEqual(["north", "vip"]);
    const many = (p: string) => Array.from({ length: 30 }, (_, i) => `${p}${i}`);
    expect(fieldErrors(() => planMerge(input({ source: { ...source(), tags: many("a") }, target: { ...target(), tags: many("b") } })))).toHaveProperty("tags");
  });
});

describe("planMerge: field choices", () => {
  it("keeps the target's values by default and takes the source's where chosen, recording from/to", () => {
    const s = customer("src", "CUS-000001", { website: "https://source.example.com" });
    const plan = planMerge(input({ source: s, fieldChoices: { industry: "source", website: "source", companyName: "target", secondaryEmail: "source" } }));
    expect(plan.target.industry).toBe("Industry src");
    expect(plan.target.website).toBe("https://source.example.com");
    expect(plan.target.companyName).toBe("Company tgt");
    // The same value on both sides is no change.
    expect(plan.targetFields).toEqual({
      industry: { from: "Industry tgt", to: "Industry src" },
      website: { from: null, to: "https://source.example.com" },
    });
    expect(plan.audit.target.industry).toEqual({ from: "Industry tgt", to: "Industry src" });
  });

  it("takes contact info and addresses as whole values", () => {
    const shipping = { street: "2 Low St", city: "Leeds", state: "West Yorkshire", zipCode: "LS1 1AA", country: "GB" };
    const s = customer("src", "CUS-000001");
    const withShipping = { ...s, contactInfo: { ...s.contactInfo, shippingAddress: shipping } };
    const plan = planMerge(input({ source: withShipping, fieldChoices: { primaryEmail: "source", shippingAddress: "source" } }));
    expect(plan.target.contactInfo.primaryEmail).toBe("src@example.com");
    expect(plan.target.contactInfo.shippingAddress).toEqual(shipping);
    expect(plan.target.contactInfo.billingAddress).toEqual(target().contactInfo.billingAddress);
  });
});

function recorded(o: Partial<MergeRecord> = {}) {
  const plan = planMerge(
    input({
      sourceContacts: [contact("src", "p@example.com", { isPrimary: true, version: 2 })],
      targetContacts: [contact("tgt", "t@example.com", { isPrimary: true })],
      fieldChoices: { industry: "source" },
      source: { ...source(), tags: ["north"] },
    }),
  );
  const merge: MergeRecord = {
    id: "m-1",
    sourceCustomerId: "src",
    targetCustomerId: "tgt",
    moved: plan.moved,
    tagsAdded: plan.tagsAdded,
    targetFields: plan.targetFields,
    sourceBefore: plan.sourceBefore,
    sourceVersion: plan.source.version,
    mergedAt: now,
    undoneAt: null,
    ...o,
  };
  // Every moved record where the merge left it.
  const current = Object.fromEntries(
    (Object.keys(plan.moved) as MovedKind[]).map((k) => [k, plan.moved[k].map((r) => ({ id: r.id, customerId: "tgt", version: r.version }))]),
  ) as Record<MovedKind, CurrentRecord[]>;
  return { merge, current, plan };
}

describe("planUndo", () => {
  const later = new Date(now.getTime() + 86_400_000);
  type Recorded = ReturnType<typeof recorded>;
  const undo = (r: Recorded, o: { source?: Customer; target?: Customer; at?: Date } = {}) =>
    planUndo({ merge: r.merge, current: r.current, source: o.source ?? r.plan.source, target: o.target ?? r.plan.target, actor, now: o.at ?? later });

  it("restores the source as it was, puts every record back, promotes its primary again and undoes the target's fields and tags", () => {
    const plan = undo(recorded());
    expect(plan.source).toMatchObject({ isDeleted: false, status: "Active", statusReason: null, deletedAt: null, version: 3 });
    expect(plan.target.industry).toBe("Industry tgt");
    expect(plan.target.tags).toEqual([]);
    expect(plan.tagsRemoved).toEqual(["north"]);
    expect(plan.back.communications).toEqual(["comm-1"]);
    expect([plan.back.transactions, plan.back.attendance]).toEqual([["txn-1"], ["att-1"]]);
    expect(plan.back.contacts).toHaveLength(1);
    expect(plan.promotedContactIds).toEqual(plan.back.contacts);
    expect(plan.contactEvents).toEqual([
      expect.objectContaining({ aggregateId: plan.back.contacts[0], version: 4, data: expect.objectContaining({ changedFields: { customerId: "src", isPrimary: true } }) }),
    ]);
    expect(plan.events.map((e) => e.type)).toEqual(["CustomerReactivated", "CustomerMergeUndone"]);
    expect(plan.audit.target.industry).toEqual({ from: "Industry src", to: "Industry tgt" });
  });

  it("refuses (409 MERGE-006) naming each record or field changed since the merge", () => {
    const r = recorded();
    r.current.complaints = [{ id: "cmp-1", customerId: "tgt", version: 5 }];
    r.current.testimonials = [];
    r.current.communications = [{ id: "comm-1", customerId: "someone-else", version: 2 }];
    r.current.transactions = [];
    const outcome = outcomeOf(() => undo(r, { target: { ...r.plan.target, industry: "Changed" } }));
    expect(outcome !== "none" && [outcome.code, outcome.kind]).toEqual(["MERGE-006", "conflict"]);
    const message = outcome !== "none" ? outcome.message : "";
    expect(message).toContain("complaint cmp-1 (version 4 → 5)");
    expect(message).toContain("testimonial tst-1 (deleted)");
    expect(message).toContain("communication comm-1 (moved to another customer)");
    expect(message).toContain("transaction txn-1 (deleted)");
    expect(message).toContain("the target's industry");
    expect(message).not.toContain("contact ");
  });

  it("refuses when the source changed since (e.g. reactivated by hand)", () => {
    const r = recorded();
    expect(codeOf(() => undo(r, { source: { ...r.plan.source, version: r.plan.source.version + 1 } }))).toBe("MERGE-006");
  });

  it("refuses a second undo (MERGE-004) and one after 30 days (MERGE-005)", () => {
    expect(codeOf(() => undo(recorded({ undoneAt: later })))).toBe("MERGE-004");
    const thirtyDays = now.getTime() + 30 * 86_400_000;
    expect(outcomeOf(() => undo(recorded(), { at: new Date(thirtyDays) }))).toBe("none");
    expect(codeOf(() => undo(recorded(), { at: new Date(thirtyDays + 1) }))).toBe("MERGE-005");
  });
});
