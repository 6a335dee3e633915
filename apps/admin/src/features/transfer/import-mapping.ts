import {
  CUSTOMER_IMPORT_FIELDS,
  IMPORT_FIELDS,
  mapCustomerRow,
  REQUIRED_IMPORT_FIELDS,
  resolveColumnMappings,
  type ColumnMappings,
  type CustomerImportField,
  type CustomerImportMappings,
  type CustomerImportMatch,
  type ImportField,
} from "@clientele/domain";

/**
 * An import's column mapping (customers' in the wizard, contacts' on their import page), by the
 * domain's own rules (the ones the API and the worker apply): what the user picked, plus every
 * field whose name matches a column (case and punctuation ignored), so the screen shows what the
 * import will really read.
 */
export type ImportOptions = { mode: "create" | "upsert"; matchOn: CustomerImportMatch };

/** What one kind of import maps: its fields, those a file must map, and what its records are called. */
export type MappingSpec<F extends string> = { fields: readonly F[]; required: readonly F[]; what: string };

/** The upsert's match key must be mapped; a create needs the email (as the API's check, resolveCustomerMappings, says). */
export const requiredField = (o: ImportOptions): CustomerImportField => (o.mode === "upsert" && o.matchOn === "customerNumber" ? "customerNumber" : "primaryEmail");

export const customerMapping = (o: ImportOptions): MappingSpec<CustomerImportField> => ({ fields: CUSTOMER_IMPORT_FIELDS, required: [requiredField(o)], what: "customer" });

/** A contact row needs its names and email whatever the mode (the API's resolveMappings). */
export const CONTACT_MAPPING: MappingSpec<ImportField> = { fields: IMPORT_FIELDS, required: REQUIRED_IMPORT_FIELDS, what: "contact" };

/** Field → column the user chose (a field left out falls back to a same-named column). */
export type ChosenMappings<F extends string = CustomerImportField> = Partial<Record<F, string>>;

export type MappingState<F extends string = CustomerImportField> = {
  /** Field → column the import will read, picked or matched by name. */
  effective: ColumnMappings<F>;
  /** Fields mapped only because a column has their name. */
  byName: Set<F>;
  /** Field → what is wrong (a required field unmapped, a picked column not in the file), as the API would answer it. */
  errors: Partial<Record<F, string>>;
};

export function mappingState<F extends string>(columns: string[], chosen: NoInfer<ChosenMappings<F>>, spec: MappingSpec<F>): MappingState<F> {
  const given = Object.fromEntries(Object.entries(chosen).filter(([, c]) => c)) as ChosenMappings<F>;
  // The same resolution with nothing required: the mapping as far as it goes, even while a required field is missing.
  const partial = resolveColumnMappings(columns, given, { ...spec, required: [] });
  const effective: ColumnMappings<F> = partial.ok ? partial.value : {};
  const byName = new Set(spec.fields.filter((f) => effective[f] !== undefined && given[f] === undefined));
  const checked = resolveColumnMappings(columns, given, spec);
  return { effective, byName, errors: checked.ok ? {} : mappingErrorsOf(checked.errors, spec) };
}

/** What the upload sends as `mappings`: every mapped field, named explicitly, so the API reads what the preview showed. */
export const mappingsToSend = <F extends string>(state: MappingState<F>): string => JSON.stringify(state.effective);

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

/** The API's field errors on an upload (e.g. "mappings.primaryEmail") as the mapping form's, keyed by field; others are left to the form. */
export function mappingErrorsOf<F extends string>(fieldErrors: Record<string, string[]>, spec: Pick<MappingSpec<F>, "fields">): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const [key, messages] of Object.entries(fieldErrors)) {
    const field = key.replace(/^mappings\./, "");
    if (key.startsWith("mappings.") && (spec.fields as readonly string[]).includes(field)) out[field as F] = messages.join(", ");
  }
  return out;
}

export const IMPORT_FORMATS = { accept: ".csv,.xlsx,.json,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", label: "CSV, Excel (.xlsx) or JSON" };
