import {
  CUSTOMER_IMPORT_FIELDS,
  mapCustomerRow,
  resolveColumnMappings,
  resolveCustomerMappings,
  type CustomerImportField,
  type CustomerImportMappings,
  type CustomerImportMatch,
} from "@clientele/domain";

/**
 * The wizard's column mapping, by the domain's own rules (the ones the API and the worker apply):
 * what the user picked, plus every field whose name matches a column (case and punctuation
 * ignored), so the preview shows what the import will really read.
 */
export type ImportOptions = { mode: "create" | "upsert"; matchOn: CustomerImportMatch };

/** Field → column the user chose in the wizard (a field left out falls back to a same-named column). */
export type ChosenMappings = Partial<Record<CustomerImportField, string>>;

export type MappingState = {
  /** Field → column the import will read, picked or matched by name. */
  effective: CustomerImportMappings;
  /** Fields mapped only because a column has their name. */
  byName: Set<CustomerImportField>;
  /** Field → what is wrong (a required field unmapped, a picked column not in the file), as the API would answer it. */
  errors: Partial<Record<CustomerImportField, string>>;
};

/** The upsert's match key must be mapped; a create needs the email (as the API's check says). */
export const requiredField = (o: ImportOptions): CustomerImportField => (o.mode === "upsert" && o.matchOn === "customerNumber" ? "customerNumber" : "primaryEmail");

export function mappingState(columns: string[], chosen: ChosenMappings, o: ImportOptions): MappingState {
  const given = Object.fromEntries(Object.entries(chosen).filter(([, c]) => c)) as ChosenMappings;
  // The same resolution with nothing required: the mapping as far as it goes, even while a required field is missing.
  const partial = resolveColumnMappings(columns, given, { fields: CUSTOMER_IMPORT_FIELDS, required: [], what: "customer" });
  const effective: CustomerImportMappings = partial.ok ? partial.value : {};
  const byName = new Set(CUSTOMER_IMPORT_FIELDS.filter((f) => effective[f] !== undefined && given[f] === undefined));
  const checked = resolveCustomerMappings(columns, given, o.mode === "upsert" ? o.matchOn : "email");
  const errors: MappingState["errors"] = {};
  if (!checked.ok) {
    for (const [key, messages] of Object.entries(checked.errors)) errors[key.replace(/^mappings\./, "") as CustomerImportField] = messages.join(", ");
  }
  return { effective, byName, errors };
}

/** What the upload sends as `mappings`: every mapped field, named explicitly, so the API reads what the preview showed. */
export const mappingsToSend = (state: MappingState): string => JSON.stringify(state.effective);

/** The first rows as the import will read them: one column per mapped field (in the fields' order), tags joined. */
export function previewRows(rows: Record<string, string>[], effective: CustomerImportMappings): { fields: CustomerImportField[]; rows: Record<string, string>[] } {
  const fields = CUSTOMER_IMPORT_FIELDS.filter((f) => effective[f] !== undefined);
  return {
    fields,
    rows: rows.map((record) => {
      const row = mapCustomerRow(record, effective);
      return Object.fromEntries(fields.map((f) => [f, f === "tags" ? (row.tags ?? []).join(", ") : (row[f] ?? "")]));
    }),
  };
}

/** The API's field errors on an upload (e.g. "mappings.primaryEmail") as the mapping form's, keyed by field. */
export function mappingErrorsOf(fieldErrors: Record<string, string[]>): Partial<Record<CustomerImportField, string>> {
  const out: Partial<Record<CustomerImportField, string>> = {};
  for (const [key, messages] of Object.entries(fieldErrors)) {
    const field = key.replace(/^mappings\./, "");
    if (key.startsWith("mappings.") && (CUSTOMER_IMPORT_FIELDS as readonly string[]).includes(field)) out[field as CustomerImportField] = messages.join(", ");
  }
  return out;
}

export const IMPORT_FORMATS = { accept: ".csv,.xlsx,.json,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", label: "CSV, Excel (.xlsx) or JSON" };
