/** Characters that make Excel, LibreOffice or Sheets treat a cell as a formula (OWASP CSV injection). */
const FORMULA_TRIGGERS = new Set(["=", "+", "-", "@", "\t", "\r"]);

/**
 * Prefixes a leading `'` to strings a spreadsheet would evaluate, so a contact named `=HYPERLINK(...)`
 * stays text. Non-strings are returned unchanged: a number can't carry a formula.
 */
export function neutralizeCell(value: unknown): unknown {
  if (typeof value === "string" && value.length > 0 && FORMULA_TRIGGERS.has(value[0] as string)) {
    return `'${value}`;
  }
  return value;
}
