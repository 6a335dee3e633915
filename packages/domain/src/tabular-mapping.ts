import type { FieldErrors } from "./errors";

/** A file column mapped to each field the user (or the header's own name) chose. */
export type ColumnMappings<F extends string> = Partial<Record<F, string>>;
export type RowError = { row: number; field: string; reason: string };

const normalizeHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * Resolves the user's mappings against the file's columns, for any importable record. Unmapped
 * fields fall back to a column of the same name (case and punctuation ignored), so a file with
 * the usual headers needs none; `required` fields must end up mapped.
 */
export function resolveColumnMappings<F extends string>(
  columns: string[],
  given: Partial<Record<string, string>>,
  spec: { fields: readonly F[]; required: readonly F[]; what: string },
): { ok: true; value: ColumnMappings<F> } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const byNormalized = new Map(columns.map((c) => [normalizeHeader(c), c]));
  const out: ColumnMappings<F> = {};
  for (const [field, column] of Object.entries(given)) {
    if (!(spec.fields as readonly string[]).includes(field)) {
      (errors[`mappings.${field}`] ??= []).push(`is not a ${spec.what} field; use one of ${spec.fields.join(", ")}`);
    } else if (!columns.includes(column as string)) {
      (errors[`mappings.${field}`] ??= []).push(`column "${column}" is not in the file (columns: ${columns.join(", ")})`);
    } else {
      out[field as F] = column;
    }
  }
  for (const field of spec.fields) {
    if (out[field] === undefined && given[field] === undefined) {
      const column = byNormalized.get(normalizeHeader(field));
      if (column !== undefined) out[field] = column;
    }
  }
  for (const field of spec.required) {
    if (!out[field]) (errors[`mappings.${field}`] ??= []).push("is required: map it to a column");
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: out };
}

/**
 * The trimmed cell of a mapped field. Undoes the quote our own exports put before = + - @
 * (formula neutralization), so exported files import back unchanged.
 */
export function cellOf<F extends string>(record: Record<string, string>, mappings: ColumnMappings<F>, field: F): string | undefined {
  const column = mappings[field];
  const v = column === undefined ? undefined : record[column]?.trim();
  return v !== undefined && /^'[=+\-@]/.test(v) ? v.slice(1) : v;
}

const TRUE = new Set(["true", "yes", "y", "1", "x"]);
export const isTruthyCell = (v: string) => TRUE.has(v.toLowerCase());
export const splitListCell = (v: string) => v.split(/[;,|]/).map((t) => t.trim()).filter(Boolean);

/**
 * Rows whose key repeats an earlier row's (keys compared as given: fold them first). The first
 * occurrence wins; deterministic, so a resumed import reaches the same verdicts.
 */
export function repeatedKeys(keys: readonly (string | undefined)[]): Map<number, number> {
  const first = new Map<string, number>();
  const repeats = new Map<number, number>();
  keys.forEach((key, i) => {
    if (!key) return;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, i);
    else repeats.set(i, seen);
  });
  return repeats;
}
