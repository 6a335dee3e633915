import { foldWords } from "./fold";

/**
 * Search words for a customer: the words of its display name and of its email (local part and
 * domain), lower-cased with accents folded, so "Café-Systems" is found by "cafe" and "sys".
 */
export function searchTerms(companyName: string, email: string): string[] {
  const at = email.lastIndexOf("@");
  const local = at < 0 ? email : email.slice(0, at);
  const domain = at < 0 ? "" : email.slice(at + 1);
  return [...new Set([...words(companyName), ...words(local), ...words(domain)])];
}

/** The words of a search query, folded the same way; one-letter words are too broad to use. */
export function queryTerms(query: string): string[] {
  return [...new Set(words(query))].filter((w) => w.length >= 2);
}

const MAX_TERM = 64;

const words = (text: string) => foldWords(text).map((w) => w.slice(0, MAX_TERM));
