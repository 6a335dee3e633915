import { FieldErrorCollector, type FieldErrors } from "../errors";
import { cellOf, resolveColumnMappings, splitListCell, type ColumnMappings } from "../tabular-mapping";
import type { CustomerRecordPatch, RegisterCustomerInput } from "./customer";
import { CUSTOMER_TYPES, GENDERS, type Address, type Customer, type CustomerType, type Gender } from "./customer.types";

/** Customer files may be larger than contact files: the bulk-load case (e.g. moving from another CRM). */
export const MAX_CUSTOMER_IMPORT_RECORDS = 100_000;
export const MAX_CUSTOMER_IMPORT_BYTES = 50 * 1024 * 1024;

/** Fields a file column can be mapped to; the names match our own export's headers, so exports import back. */
export const CUSTOMER_IMPORT_FIELDS = [
  "customerNumber",
  "type",
  "companyName",
  "firstName",
  "lastName",
  "industry",
  "website",
  "primaryEmail",
  "secondaryEmail",
  "primaryPhone",
  "secondaryPhone",
  "billingStreet",
  "billingCity",
  "billingState",
  "billingZipCode",
  "billingCountry",
  "notes",
  "source",
  "tags",
  "dateOfBirth",
  "gender",
] as const;
export type CustomerImportField = (typeof CUSTOMER_IMPORT_FIELDS)[number];
export type CustomerImportMappings = ColumnMappings<CustomerImportField>;
/** Upsert matches a row to an existing customer by its email (case-folded) or by its customer number. */
export type CustomerImportMatch = "email" | "customerNumber";

/** A file row as the import sees it: only the cells the file has (an empty cell clears an optional field). */
export type CustomerImportRow = Partial<Record<Exclude<CustomerImportField, "tags">, string>> & { tags?: string[] };

export function resolveCustomerMappings(
  columns: string[],
  given: Partial<Record<string, string>>,
  match: CustomerImportMatch | undefined,
): { ok: true; value: CustomerImportMappings } | { ok: false; errors: FieldErrors } {
  return resolveColumnMappings(columns, given, {
    fields: CUSTOMER_IMPORT_FIELDS,
    required: match === "customerNumber" ? ["customerNumber"] : ["primaryEmail"],
    what: "customer",
  });
}

export function mapCustomerRow(record: Record<string, string>, mappings: CustomerImportMappings): CustomerImportRow {
  const row: CustomerImportRow = {};
  for (const field of CUSTOMER_IMPORT_FIELDS) {
    const v = cellOf(record, mappings, field);
    if (v === undefined) continue;
    if (field === "tags") row.tags = splitListCell(v);
    else row[field] = v;
  }
  return row;
}

/** The case-folded keys duplicates are detected on. */
export const importEmailKey = (row: CustomerImportRow) => row.primaryEmail?.toLowerCase() || undefined;
export const importNumberKey = (row: CustomerImportRow) => row.customerNumber?.toUpperCase() || undefined;

const orNull = (v: string | undefined) => (v === undefined || v === "" ? null : v);

function checkEnum<T extends string>(errors: FieldErrorCollector, field: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === "") return undefined;
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) errors.add(field, `must be one of ${allowed.join(", ")}`);
  return found;
}

const address = (row: CustomerImportRow, base?: Address): Address => ({
  street: row.billingStreet ?? base?.street ?? "",
  city: row.billingCity ?? base?.city ?? "",
  state: row.billingState ?? base?.state ?? "",
  zipCode: row.billingZipCode ?? base?.zipCode ?? "",
  country: (row.billingCountry ?? base?.country ?? "").toUpperCase(),
});

/**
 * A new customer's registration from a row; the registration rules themselves are
 * validateRegistration's. Throws the field errors of what only the file can get wrong.
 */
export function registrationFromRow(row: CustomerImportRow): RegisterCustomerInput {
  const errors = new FieldErrorCollector();
  const type = checkEnum<CustomerType>(errors, "type", row.type, CUSTOMER_TYPES);
  if (!row.type) errors.add("type", `is required for a new customer: one of ${CUSTOMER_TYPES.join(", ")}`);
  const gender = checkEnum<Gender>(errors, "gender", row.gender, GENDERS);
  errors.throwIfAny();
  return {
    type: type!,
    ...(row.companyName ? { companyName: row.companyName } : {}),
    ...(row.firstName ? { firstName: row.firstName } : {}),
    ...(row.lastName ? { lastName: row.lastName } : {}),
    industry: orNull(row.industry),
    website: orNull(row.website),
    primaryEmail: row.primaryEmail ?? "",
    secondaryEmail: orNull(row.secondaryEmail),
    primaryPhone: row.primaryPhone ?? "",
    secondaryPhone: orNull(row.secondaryPhone),
    billingAddress: address(row),
    notes: orNull(row.notes),
    source: orNull(row.source),
    tags: row.tags ?? [],
    dateOfBirth: orNull(row.dateOfBirth),
    gender: gender ?? null,
  };
}

/**
 * The change a row makes to the customer it matched: only the cells the file has (an empty
 * optional cell clears the field; required ones keep their value), for updateCustomerRecord.
 * Tags are added to the customer's, never removed by an import.
 */
export function recordPatchFromRow(row: CustomerImportRow, customer: Customer): { patch: CustomerRecordPatch; tags: string[] | undefined } {
  const errors = new FieldErrorCollector();
  if (row.type && row.type.toLowerCase() !== customer.type.toLowerCase()) errors.add("type", `cannot change on import (the customer is ${customer.type})`);
  const gender = row.gender === undefined ? undefined : row.gender === "" ? null : checkEnum<Gender>(errors, "gender", row.gender, GENDERS);
  errors.throwIfAny();
  const profile: NonNullable<CustomerRecordPatch["profile"]> = {};
  if (row.companyName) profile.companyName = row.companyName;
  for (const f of ["firstName", "lastName", "industry", "website", "notes", "source", "dateOfBirth"] as const) {
    if (row[f] !== undefined) profile[f] = orNull(row[f]);
  }
  if (gender !== undefined) profile.gender = gender;
  const contactInfo: NonNullable<CustomerRecordPatch["contactInfo"]> = {};
  // Matched case-insensitively, so a row differing only in case keeps the stored spelling.
  if (row.primaryEmail && row.primaryEmail.toLowerCase() !== customer.contactInfo.primaryEmail.toLowerCase()) contactInfo.primaryEmail = row.primaryEmail;
  if (row.primaryPhone) contactInfo.primaryPhone = row.primaryPhone;
  if (row.secondaryEmail !== undefined) contactInfo.secondaryEmail = orNull(row.secondaryEmail);
  if (row.secondaryPhone !== undefined) contactInfo.secondaryPhone = orNull(row.secondaryPhone);
  if (["billingStreet", "billingCity", "billingState", "billingZipCode", "billingCountry"].some((f) => row[f as CustomerImportField & keyof CustomerImportRow])) {
    contactInfo.billingAddress = address(row, customer.contactInfo.billingAddress);
  }
  const patch: CustomerRecordPatch = {};
  if (Object.keys(profile).length) patch.profile = profile;
  if (Object.keys(contactInfo).length) patch.contactInfo = contactInfo;
  const tags = row.tags?.length ? [...customer.tags, ...row.tags] : undefined;
  return { patch, tags };
}
