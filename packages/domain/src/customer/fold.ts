/**
 * The one way text is folded into words for matching (search words, fuzzy-search keys, duplicate
 * name keys): accents dropped, the letters NFKD does not decompose spelled the way people type
 * them without the key (ß → ss, æ → ae, ø → o, ł → l, đ → d, þ → th, œ → oe), lower-cased, split on
 * anything that is not a letter or a digit. "Søren Ølsen" and "Soren Olsen" give the same words.
 */
export function foldWords(text: string | null | undefined): string[] {
  if (!text) return [];
  return foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** The folded text itself, separators kept (for values compared whole, such as a city). */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[ßẞ]/g, "ss")
    .replace(/[æÆ]/g, "ae")
    .replace(/[œŒ]/g, "oe")
    .replace(/[øØ]/g, "o")
    .replace(/[łŁ]/g, "l")
    .replace(/[đĐ]/g, "d")
    .replace(/[þÞ]/g, "th")
    .toLowerCase();
}
