/** Small text helpers shared by the domain modules (internal: not re-exported from index.ts). */

/** The trimmed value, or null when it is missing or blank. */
export function trimOrNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** True when the text contains a carriage return or a line feed. */
export const hasLineBreak = (s: string) => /[\r\n]/.test(s);
