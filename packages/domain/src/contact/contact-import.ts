import type { FieldErrors } from "../errors";

/** Fields a file column can be mapped to. A row names its customer by id or by number. */
export const IMPORT_FIELDS = [
  "firstName",
  "lastName",
  "email",
  "phone",
  "position",
  "isPrimary",
  "tags",
  "customerId",
  "customerNumber",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export type ImportMappings = Partial<Record<ImportField, string>>;
export type ImportMode = "create" | "upsert";

export type MappedRow = {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string | null;
  position?: string | null;
  isPrimary?: boolean;
  tags?: string[];
  customerId?: string;
  customerNumber?: string;
};

export type RowError = { row: number; field: string; reason: string };

const normalizeHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * Resolves the user's mappings against the file's columns. Unmapped fields fall back to a column
 * of the same name (case and punctuation ignored), so a file with the usual headers needs none.
 */
export function resolveMappings(columns: string[], given: ImportMappings): { ok: true; value: ImportMappings } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const byNormalized = new Map(columns.map((c) => [normalizeHeader(c), c]));
  const out: ImportMappings = {};
  for (const [field, column] of Object.entries(given)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(field)) {
      (errors[`mappings.${field}`] ??= []).push(`is not a contact field; use one of ${IMPORT_FIELDS.join(", ")}`);
    } else if (!columns.includes(column as string)) {
      (errors[`mappings.${field}`] ??= []).push(`column "${column}" is not in the file (columns: ${columns.join(", ")})`);
    } else {
      out[field as ImportField] = column;
    }
  }
  for (const field of IMPORT_FIELDS) {
    if (out[field] === undefined && given[field] === undefined) {
      const column = byNormalized.get(normalizeHeader(field));
      if (column !== undefined) out[field] = column;
    }
  }
  for (const field of ["firstName", "lastName", "email"] as const) {
    if (!out[field]) (errors[`mappings.${field}`] ??= []).push("is required: map it to a column");
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: out };
}

const TRUE = new Set(["true", "yes", "y", "1", "x"]);

export function mapRow(record: Record<string, string>, mappings: ImportMappings): MappedRow {
  const get = (f: ImportField) => {
    const column = mappings[f];
    const v = column === undefined ? undefined : record[column]?.trim();
    // Undo the quote our own exports put before = + - @ (formula neutralization), so they round-trip.
    return v !== undefined && /^'[=+\-@]/.test(v) ? v.slice(1) : v;
  };
  const row: MappedRow = {};
  for (const f of ["firstName", "lastName", "email", "customerId", "customerNumber"] as const) {
    const v = get(f);
    if (v !== undefined && v !== "") row[f] = v;
  }
  for (const f of ["phone", "position"] as const) {
    const v = get(f);
    if (v !== undefined) row[f] = v === "" ? null : v;
  }
  const primary = get("isPrimary");
  if (primary) row.isPrimary = TRUE.has(primary.toLowerCase());
  const tags = get("tags");
  if (tags) row.tags = tags.split(/[;,|]/).map((t) => t.trim()).filter(Boolean);
  return row;
}

/**
 * Rows whose email repeats an earlier row's for the same customer (case-insensitively). The
 * first occurrence wins; deterministic, so a resumed import reaches the same verdicts.
 */
export function inFileDuplicates(rows: MappedRow[], customerKey: (row: MappedRow) => string | undefined): Map<number, number> {
  const first = new Map<string, number>();
  const dupes = new Map<number, number>();
  rows.forEach((row, i) => {
    const customer = customerKey(row);
    if (!customer || !row.email) return;
    const key = `${customer}\u0000${row.email.toLowerCase()}`;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, i);
    else dupes.set(i, seen);
  });
  return dupes;
}
