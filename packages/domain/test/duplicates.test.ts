import { describe, expect, it } from "vitest";
import { codeOf, fieldErrors } from "./support";
import {
  assertDistinctDuplicatePair,
  assessDuplicate,
  companyEmailDomain,
  duplicateReasons,
  duplicateScore,
  isDuplicateCandidate,
  matchKeys,
  lettersKey,
  nameKey,
  orderedPair,
  type MatchSubject,
} from "../src/index";

const subject = (o: { name?: string; email?: string; secondaryEmail?: string | null; phone?: string; secondaryPhone?: string | null; city?: string; zip?: string; country?: string; isDeleted?: boolean; status?: MatchSubject["status"] } = {}): MatchSubject => ({
  companyName: o.name ?? "Acme Widgets Ltd",
  isDeleted: o.isDeleted ?? false,
  status: o.status ?? "Active",
  contactInfo: {
    primaryEmail: o.email ?? "orders@acme-widgets.example",
    secondaryEmail: o.secondaryEmail ?? null,
    primaryPhone: o.phone ?? "+442079460958",
    secondaryPhone: o.secondaryPhone ?? null,
    billingAddress: { city: o.city ?? "London", zipCode: o.zip ?? "SW1A 1AA", country: o.country ?? "GB" },
  },
});

const kinds = (s: MatchSubject) => matchKeys(s).map((k) => k.kind);

describe("nameKey", () => {
  it("folds case, accents, legal forms and word order onto one phonetic key", () => {
    expect(nameKey("Müller GmbH")).toBe(nameKey("MUELLER"));
    expect(nameKey("Smith, John")).toBe(nameKey("john smith"));
    expect(nameKey("Jonh Smith")).toBe(nameKey("John Smith"));
    expect(nameKey("Acme Widgets Ltd")).toBe(nameKey("ACME Widgets Limited"));
  });

  it("keeps different names and numbers apart", () => {
    expect(nameKey("Acme Widgets")).not.toBe(nameKey("Globex Widgets"));
    expect(nameKey("Acme Widgets 1")).not.toBe(nameKey("Acme Widgets 2"));
    expect(nameKey("Ltd & Co")).toBe("");
  });
});

describe("names folded like the search (ß, æ, ø, ł included)", () => {
  it("gives the same phonetic and letters key with and without the letters NFKD keeps", () => {
    const spellings: [string, string][] = [
      ["Łukasz Nowak", "Lukasz Nowak"],
      ["Søren Ølsen", "Soren Olsen"],
      ["Straßer", "Strasser"],
      ["Æbeltoft", "Aebeltoft"],
    ];
    for (const [typed, plain] of spellings) {
      expect(nameKey(typed)).toBe(nameKey(plain));
      expect(lettersKey(typed)).toBe(lettersKey(plain));
    }
  });

  it("pairs accented and plain spellings of one customer", () => {
    const a = matchKeys(subject({ name: "Søren Ølsen", email: "s1@one.example", phone: "+442079460001" }));
    const b = matchKeys(subject({ name: "Soren Olsen", email: "s2@two.example", phone: "+442079460002" }));
    expect(duplicateReasons(a, b)).toEqual(["similarName+samePostalCode", "similarName+sameCity"]);
  });
});

describe("lettersKey", () => {
  it("keeps a transposition that changes the sound, whatever the word order", () => {
    expect(nameKey("John Smtih")).not.toBe(nameKey("John Smith"));
    expect(lettersKey("John Smtih")).toBe(lettersKey("Smith, John"));
    expect(lettersKey("Acme Widgets Ltd")).toBe(lettersKey("ACME Widgets Limited"));
    expect(lettersKey("John Smith")).not.toBe(lettersKey("Jane Smith"));
    expect(lettersKey("Ltd & Co")).toBe("");
  });

  it("pairs a transposed surname by the name reasons", () => {
    const a = matchKeys(subject({ name: "John Smith", email: "j1@one.example", phone: "+442079460001" }));
    const b = matchKeys(subject({ name: "John Smtih", email: "j2@two.example", phone: "+442079460002" }));
    expect(assessDuplicate(a, b)).toEqual({ reasons: ["similarName+samePostalCode", "similarName+sameCity"], score: 58 });
  });
});

describe("companyEmailDomain", () => {
  it("answers a company's domain, lower-cased", () => {
    expect(companyEmailDomain("Jane@Acme-Widgets.EXAMPLE")).toBe("acme-widgets.example");
  });
  it("ignores free-mail providers and malformed addresses", () => {
    for (const email of ["a@gmail.com", "b@outlook.com", "c@yahoo.com", "d@hotmail.com", "e@gmx.de"]) expect(companyEmailDomain(email)).toBeNull();
    expect(companyEmailDomain("no-at-sign")).toBeNull();
  });
});

describe("matchKeys", () => {
  it("has an email, phone, name+postal, name+city (phonetic and by letters) and company-domain key", () => {
    expect(kinds(subject())).toEqual(["email", "emailDomain", "phone", "namePostal", "nameCity", "lettersPostal", "lettersCity"]);
    for (const k of matchKeys(subject())) expect(k.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it("compares emails case-folded and postal codes without spacing", () => {
    const a = matchKeys(subject({ email: "Orders@Acme-Widgets.example", zip: "sw1a1aa" }));
    const b = matchKeys(subject({ email: "orders@acme-widgets.EXAMPLE" }));
    expect(a).toEqual(b);
  });

  it("covers secondary emails and phones, without repeating a key", () => {
    const keys = matchKeys(subject({ secondaryEmail: "billing@acme-widgets.example", secondaryPhone: "+442079460959" }));
    expect(keys.filter((k) => k.kind === "email")).toHaveLength(2);
    expect(keys.filter((k) => k.kind === "phone")).toHaveLength(2);
    expect(keys.filter((k) => k.kind === "emailDomain")).toHaveLength(1);
  });

  it("has no domain key for free mail, no name keys without a name, none at all when deactivated", () => {
    expect(kinds(subject({ email: "jane@gmail.com" }))).not.toContain("emailDomain");
    expect(kinds(subject({ name: "The Co" }))).toEqual(["email", "emailDomain", "phone"]);
    expect(kinds(subject({ zip: " " }))).not.toContain("namePostal");
    expect(matchKeys(subject({ isDeleted: true }))).toEqual([]);
  });

  it("gives an archived customer no keys: it cannot be merged, so it is nobody's duplicate", () => {
    expect(matchKeys(subject({ status: "Archived" }))).toEqual([]);
    expect(matchKeys(subject({ status: "Suspended" })).length).toBeGreaterThan(0);
  });

  it("keeps the same postal code in another country apart", () => {
    const a = matchKeys(subject({ country: "GB" })).find((k) => k.kind === "namePostal");
    const b = matchKeys(subject({ country: "IE" })).find((k) => k.kind === "namePostal");
    expect(a?.hash).not.toBe(b?.hash);
  });
});

describe("duplicateReasons and duplicateScore", () => {
  it("gives every shared kind of key as a reason, in a fixed order", () => {
    const a = matchKeys(subject());
    const b = matchKeys(subject({ name: "ACME Widgets Limited" }));
    expect(duplicateReasons(a, b)).toEqual(["sameEmail", "samePhone", "similarName+samePostalCode", "similarName+sameCity", "sameEmailDomain"]);
  });

  it("finds the same email whichever slot it is in", () => {
    const a = matchKeys(subject({ email: "x@one.example", phone: "+442079460001", name: "Alpha" }));
    const b = matchKeys(subject({ email: "y@two.example", secondaryEmail: "X@one.example", phone: "+442079460002", name: "Beta", zip: "N1 1AA", city: "Leeds" }));
    expect(duplicateReasons(a, b)).toEqual(["sameEmail", "sameEmailDomain"]);
  });

  it("scores reasons as combined evidence: more reasons score higher, none scores 0, never 100", () => {
    expect(duplicateScore([])).toBe(0);
    expect(duplicateScore(["sameEmail"])).toBe(60);
    expect(duplicateScore(["samePhone"])).toBe(45);
    expect(duplicateScore(["similarName+samePostalCode", "similarName+sameCity"])).toBe(58);
    expect(duplicateScore(["sameEmail", "samePhone"])).toBe(78);
    expect(duplicateScore(["sameEmail", "sameEmail"])).toBe(60);
    const all = duplicateScore(["sameEmail", "samePhone", "similarName+samePostalCode", "similarName+sameCity", "sameEmailDomain"]);
    expect(all).toBe(92);
    expect(all).toBeLessThan(100);
  });

  it("does not make colleagues duplicates by their company domain alone", () => {
    const a = matchKeys(subject({ email: "jane@acme.example", phone: "+442079460001", name: "Jane Doe" }));
    const b = matchKeys(subject({ email: "bob@acme.example", phone: "+442079460002", name: "Bob Roe" }));
    expect(duplicateReasons(a, b)).toEqual(["sameEmailDomain"]);
    expect(isDuplicateCandidate(["sameEmailDomain"])).toBe(false);
    expect(assessDuplicate(a, b)).toBeNull();
  });

  it("assesses a candidate pair with its reasons and score", () => {
    const a = matchKeys(subject({ email: "a@gmail.com" }));
    const b = matchKeys(subject({ email: "b@gmail.com", name: "Akme Widgets" }));
    expect(assessDuplicate(a, b)).toEqual({ reasons: ["samePhone", "similarName+samePostalCode", "similarName+sameCity"], score: 77 });
  });
});

describe("orderedPair", () => {
  it("orders the two ids, whichever comes first", () => {
    expect(orderedPair("b", "a")).toEqual(["a", "b"]);
    expect(orderedPair("a", "b")).toEqual(["a", "b"]);
  });
});

describe("assertDistinctDuplicatePair", () => {
  it("accepts two customers and refuses one customer twice with DUP-001 on the field", () => {
    expect(() => assertDistinctDuplicatePair("a", "b")).not.toThrow();
    expect(codeOf(() => assertDistinctDuplicatePair("a", "a"))).toBe("DUP-001");
    expect(fieldErrors(() => assertDistinctDuplicatePair("a", "a"))).toEqual({ customerIdB: ["must be another customer than customerIdA"] });
  });
});
