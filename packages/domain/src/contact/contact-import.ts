import type { FieldErrors } from "../errors";
import { cellOf, isTruthyCell, resolveColumnMappings, splitListCell } from "../tabular-mapping";

export type { RowError } from "../tabular-mapping";

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
/** A contact needs its names and email: a file must map them (by a pick or by a same-named column). */
export const REQUIRED_IMPORT_FIELDS = ["firstName", "lastName", "email"] as const satisfies readonly ImportField[];

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

/** Resolves the user's mappings against the file's columns (see resolveColumnMappings). */
export function resolveMappings(columns: string[], given: ImportMappings): { ok: true; value: ImportMappings } | { ok: false; errors: FieldErrors } {
  return resolveColumnMappings(columns, given, { fields: IMPORT_FIELDS, required: REQUIRED_IMPORT_FIELDS, what: "contact" });
}

export function mapRow(record: Record<string, string>, mappings: ImportMappings): MappedRow {
  const get = (f: ImportField) => cellOf(record, mappings, f);
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
  if (primary) row.isPrimary = isTruthyCell(primary);
  const tags = get("tags");
  if (tags) row.tags = splitListCell(tags);
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
