/** Small text helpers shared by the domain modules (internal: not re-exported from index.ts). */

/** The trimmed value, or null when it is missing or blank. */
export function trimOrNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** True when the text contains a carriage return or a line feed. */
export const hasLineBreak = (s: string) => /[\r\n]/.test(s);

// Every C0/C1 control character (Unicode category Cc), and the same minus line feed and tab.
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_NEWLINE_TAB = /[^\P{Cc}\n\t]/u;

/**
 * The one check for control characters in free text (002 B013): a field message, or null when
 * the text is clean. Multi-line fields (notes) may hold line feeds and tabs.
 */
export function controlCharacterMessage(value: string, opts: { multiline?: boolean } = {}): string | null {
  if (!(opts.multiline ? CONTROL_EXCEPT_NEWLINE_TAB : CONTROL).test(value)) return null;
  return opts.multiline ? "must not contain control characters (line breaks and tabs are allowed)" : "must not contain control characters";
}
