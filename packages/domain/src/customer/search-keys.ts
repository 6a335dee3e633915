import { jaroWinkler } from "@skyra/jaro-winkler";
import { doubleMetaphone } from "double-metaphone";
import { parsePhone } from "../validation/phone";
import { foldWords } from "./fold";

/**
 * Keys and scores of the advanced customer search (issue 10 §2): fuzzy names and partial phones.
 * Pure: the repository stores the keys beside each customer and looks candidates up by them; the
 * scores rank those candidates.
 */

const MAX_WORD = 60;
/** The fewest digits a phone query may have: one 4-digit window of the gram index. */
export const PHONE_GRAM = 4;

/** Words of a name, accents folded and lower-cased: "Müller-Lüdenscheidt" → ["muller", "ludenscheidt"]. */
export function nameWords(text: string | null | undefined): string[] {
  const words = foldWords(text)
    .filter((w) => w.length >= 2)
    .map((w) => w.slice(0, MAX_WORD));
  return [...new Set(words)];
}

/** Sorted letters: any transposition of a word has the same one ("smtih", "smith" → "himst"). */
export const sortedLetters = (word: string) => [...word].sort().join("");

/**
 * The consonant skeleton: the first letter, then the consonants without repeats, so a dropped or
 * wrong vowel keeps it ("isolatd", "isolated" → "isltd"; "jahn", "john" → "jhn").
 */
const skeleton = (word: string) => word[0] + word.slice(1).replace(/[aeiouy]/g, "").replace(/(.)\1+/g, "$1");

/**
 * The lookup keys of one word: the word itself ("w:"), its sorted letters ("s:"), its Double
 * Metaphone primary code ("p:"), which joins spellings that sound alike ("Jon"/"John",
 * "Muller"/"Mueller"), and its consonant skeleton ("c:"). Their first letters order them from the
 * strictest ("w") to the loosest ("c"). The secondary Metaphone code is left out: it is broad
 * ("John" → "AN" as "Ann").
 */
export function wordKeys(word: string): string[] {
  const keys = [`w:${word}`, `s:${sortedLetters(word)}`, `c:${skeleton(word)}`];
  const [primary] = doubleMetaphone(word);
  if (primary) keys.push(`p:${primary}`);
  return [...new Set(keys)];
}

export type NameFields = { firstName: string | null; lastName: string | null; companyName: string };

/** Every key of a customer's name words (first, last and company or display name), deduplicated. */
export function customerNameKeys(c: NameFields): string[] {
  const words = new Set([...nameWords(c.firstName), ...nameWords(c.lastName), ...nameWords(c.companyName)]);
  return [...new Set([...words].flatMap(wordKeys))];
}

/** The least similarity for a query word to count as found in a name (below it: not a match). */
export const MIN_WORD_SCORE = 0.8;
/** What a word sharing a key with the query word scores at least: a match the distance may undervalue ("Jon"/"John"). */
const KEY_MATCH_SCORE = 0.85;

/**
 * A scorer of names against these query words, for scoring many candidates: the query's keys are
 * derived once and each candidate word's keys once per scorer. It answers the mean of each query
 * word's best similarity (Jaro-Winkler, 0..1) among the name's words, or null when a query word
 * matches none of them well enough (every query word must be found).
 */
export function nameScorer(queryWords: readonly string[]): (words: readonly string[]) => number | null {
  const queries = queryWords.map((q) => ({ q, keys: new Set(wordKeys(q)) }));
  const keysOf = new Map<string, string[]>();
  const keysFor = (w: string) => {
    let keys = keysOf.get(w);
    if (!keys) keysOf.set(w, (keys = wordKeys(w)));
    return keys;
  };
  const best = (q: { q: string; keys: Set<string> }, words: readonly string[]) => {
    let top = 0;
    for (const w of words) {
      if (w === q.q) return 1;
      let s = jaroWinkler(q.q, w);
      if (s < KEY_MATCH_SCORE && keysFor(w).some((k) => q.keys.has(k))) s = KEY_MATCH_SCORE;
      if (s > top) top = s;
    }
    return top;
  };
  return (words) => {
    if (queries.length === 0) return null;
    let sum = 0;
    for (const q of queries) {
      const s = best(q, words);
      if (s < MIN_WORD_SCORE) return null;
      sum += s;
    }
    return sum / queries.length;
  };
}

/** nameScorer for one name. */
export const nameScore = (queryWords: readonly string[], words: readonly string[]) => nameScorer(queryWords)(words);

/** The digits a user typed, whatever the formatting: "(020) 7946-09" → "020794609". */
export const phoneDigits = (input: string) => input.replace(/\D/g, "");

/**
 * The digit strings a stored phone is found by: its international digits and, when it parses,
 * its national form's ("+442079460958" → "442079460958", "02079460958"), so a fragment typed
 * either way matches.
 */
export function phoneDigitForms(phone: string | null | undefined): string[] {
  if (!phone) return [];
  const forms = [phoneDigits(phone)];
  const parsed = parsePhone(phone);
  if (parsed) forms.push(phoneDigits(parsed.formatNational()));
  return [...new Set(forms.filter((f) => f.length >= PHONE_GRAM))];
}

/** Every 4-digit window of a customer's phones' digit forms: the rows of the gram index. */
export function phoneGrams(phones: readonly (string | null | undefined)[]): string[] {
  const grams = new Set<string>();
  for (const form of phones.flatMap(phoneDigitForms)) {
    for (let i = 0; i + PHONE_GRAM <= form.length; i++) grams.add(form.slice(i, i + PHONE_GRAM));
  }
  return [...grams];
}

/**
 * The grams a phone query is looked up by: up to three non-overlapping windows taken from the end,
 * where subscriber digits vary most (a leading "0207" or "4420" is shared by a whole city).
 */
export function phoneQueryGrams(digits: string): string[] {
  const grams: string[] = [];
  for (let end = digits.length; end >= PHONE_GRAM && grams.length < 3; end -= PHONE_GRAM) grams.push(digits.slice(end - PHONE_GRAM, end));
  return [...new Set(grams)];
}

/**
 * How well a digit query matches a customer's phones: null when no phone contains it, else the
 * share of the best matching number it covers (1 = the whole number).
 */
export function phoneScore(digits: string, phones: readonly (string | null | undefined)[]): number | null {
  let best: number | null = null;
  for (const form of phones.flatMap(phoneDigitForms)) {
    if (form.includes(digits)) best = Math.max(best ?? 0, digits.length / form.length);
  }
  return best;
}

/** One relevance figure from the criteria that scored (their mean), rounded for the response. */
export function combineScores(scores: readonly (number | null)[]): number | null {
  const present = scores.filter((s): s is number => s !== null);
  if (present.length === 0) return null;
  return Math.round((present.reduce((a, b) => a + b, 0) / present.length) * 1000) / 1000;
}

/**
 * A search's total when only some candidates were scored. `scored` candidates were read (of
 * `filtered` that passed the filters) and `matched` of them matched; when the key table had more
 * matches (`keyMatches`) than the `limit` read, the filtered share is scaled up to all of them.
 * Exact (`matched`) when every candidate was scored.
 */
export function estimateMatchCount(o: { matched: number; scored: number; filtered: number; keyMatches?: number | undefined; limit: number }): number {
  if (o.scored === 0) return 0;
  const passing = o.keyMatches === undefined ? o.filtered : (o.filtered * o.keyMatches) / o.limit;
  return o.scored >= passing ? o.matched : Math.round((passing * o.matched) / o.scored);
}
