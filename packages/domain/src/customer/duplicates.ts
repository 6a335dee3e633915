import { createHash } from "node:crypto";
import { doubleMetaphone } from "double-metaphone";
import freeEmailDomains from "free-email-domains";
import { DomainError } from "../errors";
import type { Customer } from "./customer.types";
import { foldText, foldWords } from "./fold";
import { sortedLetters } from "./search-keys";

/**
 * Duplicate detection (002 REQ-CM-B012, 003 FR-5/BR-10): every customer has match keys, hashes of
 * what two records of one real customer tend to share. Two customers sharing a key are a
 * candidate pair; the kinds of keys they share are the reasons, and the reasons make the score.
 */
/**
 * `lettersPostal`/`lettersCity` are the name by its words' sorted letters (as the fuzzy search's
 * "s:" keys): a transposition that changes the sound ("Smtih") keeps them. They give the same
 * reasons as the phonetic name keys.
 */
export const MATCH_KEY_KINDS = ["email", "phone", "namePostal", "nameCity", "lettersPostal", "lettersCity", "emailDomain"] as const;
export type MatchKeyKind = (typeof MATCH_KEY_KINDS)[number];

/** `hash`: the first 128 bits of the SHA-256 of the normalized value, as 32 hex digits. */
export type MatchKey = { kind: MatchKeyKind; hash: string };

export const DUPLICATE_REASONS = ["sameEmail", "samePhone", "similarName+samePostalCode", "similarName+sameCity", "sameEmailDomain"] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

const REASON_OF: Record<MatchKeyKind, DuplicateReason> = {
  email: "sameEmail",
  phone: "samePhone",
  namePostal: "similarName+samePostalCode",
  nameCity: "similarName+sameCity",
  lettersPostal: "similarName+samePostalCode",
  lettersCity: "similarName+sameCity",
  emailDomain: "sameEmailDomain",
};

/**
 * How much each reason alone says (0–1). Reasons combine as independent evidence:
 * score = 100 × (1 − Π(1 − w)), so more reasons always score higher and nothing reaches 100.
 */
export const REASON_WEIGHTS: Record<DuplicateReason, number> = {
  sameEmail: 0.6,
  samePhone: 0.45,
  "similarName+samePostalCode": 0.4,
  "similarName+sameCity": 0.3,
  sameEmailDomain: 0.15,
};

/**
 * Kinds that find candidates. A company's email domain is shared by all its people, so it only
 * adds to a pair found by another key; alone it would pair every colleague with every other.
 */
export const CANDIDATE_KEY_KINDS: readonly MatchKeyKind[] = ["email", "phone", "namePostal", "nameCity", "lettersPostal", "lettersCity"];

/**
 * A key shared by more customers than this does not tell them apart (a switchboard number, a
 * common name in a big city): it finds no candidates, in the lookup and in the full scan alike.
 */
export const MAX_KEY_GROUP = 50;

export type MatchSubject = Pick<Customer, "companyName" | "isDeleted" | "status"> & {
  contactInfo: Pick<Customer["contactInfo"], "primaryEmail" | "secondaryEmail" | "primaryPhone" | "secondaryPhone"> & {
    billingAddress: Pick<Customer["contactInfo"]["billingAddress"], "city" | "zipCode" | "country">;
  };
};

const FREE_MAIL = new Set<string>(freeEmailDomains);

// Legal forms and filler words: "Acme Ltd" and "ACME Limited" are one company.
const NAME_NOISE = new Set(
  "ltd limited llc llp inc incorporated corp corporation co company gmbh mbh ag kg ohg ug sa sas sarl srl spa bv nv plc pty oy ab as aps the and of und et"
    .split(" "),
);

const hash = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 32);

/**
 * A phonetic key of a name: accents folded, legal forms dropped, each word by its primary Double
 * Metaphone code (numbers as they are), sorted, so "Müller GmbH", "Mueller" and "MULLER" agree and
 * word order does not matter ("Smith John" = "John Smith"). Empty when nothing is left.
 */
export function nameKey(name: string): string {
  const codes = nameWordsOf(name).map((w) => (/^\p{N}+$/u.test(w) ? w : doubleMetaphone(w)[0] || w));
  return [...new Set(codes)].sort().join(" ");
}

const nameWordsOf = (name: string) => foldWords(name).filter((w) => !NAME_NOISE.has(w));

/**
 * The name by its words' sorted letters, sorted: "John Smtih", "Smith John" and "Jonh Smith" agree,
 * where a transposition changed the sound and so the phonetic key. Empty when nothing is left.
 */
export function lettersKey(name: string): string {
  return [...new Set(nameWordsOf(name).map(sortedLetters))].sort().join(" ");
}

/** The domain of a company address; null for free-mail providers (gmail.com, outlook.com, …). */
export function companyEmailDomain(email: string): string | null {
  const at = email.lastIndexOf("@");
  if (at < 0) return null;
  const domain = email.slice(at + 1).trim().toLowerCase();
  if (!domain || FREE_MAIL.has(domain)) return null;
  return domain;
}

const postalCode = (zip: string) => zip.toUpperCase().replace(/[^A-Z0-9]/g, "");
const city = (name: string) => foldText(name).replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/**
 * The match keys of a customer: case-folded emails (primary and secondary), phones (E.164 as
 * stored, primary and secondary), name key with the billing postal code, name key with the
 * billing city (both within the country), the same two by the name's letters, and the company email
 * domain. A deactivated or archived customer has none: it is nobody's duplicate (an archived one
 * cannot be merged).
 */
export function matchKeys(c: MatchSubject): MatchKey[] {
  if (c.isDeleted || c.status === "Archived") return [];
  const { contactInfo: ci } = c;
  const values: [MatchKeyKind, string][] = [];
  for (const email of [ci.primaryEmail, ci.secondaryEmail]) {
    if (!email?.trim()) continue;
    values.push(["email", email.trim().toLowerCase()]);
    const domain = companyEmailDomain(email);
    if (domain) values.push(["emailDomain", domain]);
  }
  for (const phone of [ci.primaryPhone, ci.secondaryPhone]) if (phone?.trim()) values.push(["phone", phone.trim()]);
  const country = ci.billingAddress.country.trim().toUpperCase();
  const zip = postalCode(ci.billingAddress.zipCode);
  const town = city(ci.billingAddress.city);
  const names: [string, MatchKeyKind, MatchKeyKind][] = [
    [nameKey(c.companyName), "namePostal", "nameCity"],
    [lettersKey(c.companyName), "lettersPostal", "lettersCity"],
  ];
  for (const [name, byPostal, byCity] of names) {
    if (!name) continue;
    if (zip) values.push([byPostal, `${name}|${country}|${zip}`]);
    if (town) values.push([byCity, `${name}|${country}|${town}`]);
  }
  const seen = new Set<string>();
  const keys: MatchKey[] = [];
  for (const [kind, value] of values) {
    const key = { kind, hash: hash(value) };
    const id = `${kind}:${key.hash}`;
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push(key);
  }
  return keys;
}

/** The reasons two customers look alike: one per kind of key they share, in DUPLICATE_REASONS order. */
export function duplicateReasons(a: readonly MatchKey[], b: readonly MatchKey[]): DuplicateReason[] {
  const mine = new Set(a.map((k) => `${k.kind}:${k.hash}`));
  const shared = new Set(b.filter((k) => mine.has(`${k.kind}:${k.hash}`)).map((k) => REASON_OF[k.kind]));
  return DUPLICATE_REASONS.filter((r) => shared.has(r));
}

/** 0–100 from the reasons (see REASON_WEIGHTS); 0 without any. */
export function duplicateScore(reasons: readonly DuplicateReason[]): number {
  const miss = [...new Set(reasons)].reduce((p, r) => p * (1 - REASON_WEIGHTS[r]), 1);
  return Math.round(100 * (1 - miss));
}

/** A pair is a candidate when a candidate-finding key matched (the email domain alone is not enough). */
export function isDuplicateCandidate(reasons: readonly DuplicateReason[]): boolean {
  return reasons.some((r) => r !== "sameEmailDomain");
}

export type DuplicateAssessment = { reasons: DuplicateReason[]; score: number };

/** Reasons and score of a pair, or null when they are not a candidate pair. */
export function assessDuplicate(a: readonly MatchKey[], b: readonly MatchKey[]): DuplicateAssessment | null {
  const reasons = duplicateReasons(a, b);
  if (!isDuplicateCandidate(reasons)) return null;
  return { reasons, score: duplicateScore(reasons) };
}

/** A pair is stored once, its ids in order (customer_a < customer_b). */
export function orderedPair(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}

/** A pair is two different customers (DUP-001, 400). */
export function assertDistinctDuplicatePair(x: string, y: string, field = "customerIdB"): void {
  if (x === y) throw new DomainError("DUP-001", "validation", "A customer cannot be its own duplicate.", { [field]: ["must be another customer than customerIdA"] });
}

export const duplicateScanNotFound = () => new DomainError("DUP-002", "not_found", "Duplicate scan not found.");
