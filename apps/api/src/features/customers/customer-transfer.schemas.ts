import "../../zod-setup";
import { CUSTOMER_IMPORT_FIELDS, CUSTOMER_SEGMENTS, CUSTOMER_STATUSES, CUSTOMER_TYPES } from "@clientele/domain";
import { CUSTOMER_EXPORT_FIELDS } from "@clientele/jobs";
import { z } from "zod";
import { listOf, text, ZId } from "../shared.schemas";

// "xlsx" is accepted as another name for Excel; the use cases only ever see the canonical three.
const ZFormat = z.enum(["CSV", "Excel", "JSON", "xlsx"]).transform((f) => (f === "xlsx" ? "Excel" : f));

export const ZCustomerImportInput = z.object({
  /** The file: bytes from server-side callers, base64 from typed clients over HTTP. */
  file: z.union([z.instanceof(Uint8Array), z.base64("must be base64")]),
  fileName: z.string().max(255).optional(),
  format: ZFormat.optional().describe("CSV, Excel or JSON; detected from the content when absent"),
  // Keys are checked against the customer fields by the domain, which names each bad one.
  mappings: z.record(z.string().max(100), z.string().max(200)).optional().describe(`customer field (${CUSTOMER_IMPORT_FIELDS.join(", ")}) → file column`),
  mode: z.enum(["create", "upsert"]).default("create").describe("create: every row is a new customer; upsert: a row matching a customer updates it"),
  matchOn: z.enum(["email", "customerNumber"]).default("email").describe("what an upsert matches rows to customers by"),
  dryRun: z.boolean().default(false).describe("validate and count, write nothing"),
});
export type TCustomerImportInput = z.infer<typeof ZCustomerImportInput>;

/** A file to preview before importing it: the import's file fields, nothing stored. */
export const ZCustomerImportPreviewInput = ZCustomerImportInput.pick({ file: true, fileName: true, format: true });

export const ZCustomerImportPreview = z.object({
  format: z.enum(["CSV", "Excel", "JSON"]).describe("the format the content really is"),
  columns: z.array(z.string()).describe("the file's column names, as the mappings name them"),
  totalRows: z.number().int().describe("records the import would read"),
  rows: z.array(z.record(z.string(), z.string())).describe("the first 10 records, column → cell"),
});
export type TCustomerImportPreviewInput = z.infer<typeof ZCustomerImportPreviewInput>;

export const ZCustomerImportStatus = z.object({
  importId: z.string(),
  status: z.enum(["Queued", "Processing", "Completed", "Failed"]),
  mode: z.enum(["create", "upsert"]),
  matchOn: z.enum(["email", "customerNumber"]),
  dryRun: z.boolean(),
  totalRows: z.number().int(),
  processedRows: z.number().int(),
  imported: z.number().int().describe("customers created (on a dry run: that would be)"),
  updated: z.number().int().describe("customers updated (on a dry run: that would be)"),
  failed: z.number().int().describe("rows refused, each with its errors"),
  failureReason: z.string().nullable(),
  errors: z.array(z.object({ row: z.number().int(), field: z.string(), reason: z.string() })).describe("the first 100 row errors"),
  errorReportUrl: z.string(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

export const ZCustomerImportRef = z.object({ importId: ZId });

/** The customer search's filters (GET /customers), plus ids and tags: what exports and bulk jobs select. */
export const ZCustomerSelection = z.object({
  ids: listOf(ZId, 20_000).optional(),
  query: text(200).optional(),
  type: listOf(z.enum(CUSTOMER_TYPES), 20).optional(),
  segment: listOf(z.enum(CUSTOMER_SEGMENTS), 20).optional(),
  status: listOf(z.enum(CUSTOMER_STATUSES), 20).optional(),
  tags: listOf(text(60), 50).optional(),
  createdFrom: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
  createdTo: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
});
export type TCustomerSelection = z.infer<typeof ZCustomerSelection>;

const ZExportField = z.enum(Object.keys(CUSTOMER_EXPORT_FIELDS) as [keyof typeof CUSTOMER_EXPORT_FIELDS, ...(keyof typeof CUSTOMER_EXPORT_FIELDS)[]]);

export const ZCustomerExportInput = z.object({
  format: ZFormat.default("CSV"),
  filters: ZCustomerSelection.default({}),
  fields: listOf(ZExportField, 40).min(1, "must name at least one field").optional().describe("default: number, type, names, email, phone, billing address, segment, status, tags"),
});
export type TCustomerExportInput = z.infer<typeof ZCustomerExportInput>;

/** GET /customers/export: the same filters flat in the query string (comma lists), streamed as the response. */
export const ZCustomerExportQuery = ZCustomerSelection.omit({ ids: true }).extend({
  ids: listOf(ZId, 1000).optional(),
  format: ZFormat.default("CSV"),
  fields: listOf(ZExportField, 40).min(1, "must name at least one field").optional(),
});
export type TCustomerExportQuery = z.infer<typeof ZCustomerExportQuery>;

export const ZCustomerExportPlan = z.object({
  tenantId: z.string(),
  format: z.enum(["CSV", "Excel", "JSON"]),
  fields: z.array(z.string()),
  selection: z.record(z.string(), z.unknown()),
});

export const ZCustomerExportStatus = z.object({
  exportId: z.string(),
  status: z.enum(["Queued", "Processing", "Completed", "Failed", "Expired"]),
  format: z.string(),
  recordCount: z.number().int().nullable(),
  downloadUrl: z.string().nullable().describe("signed, no bearer token needed; valid 24 hours"),
  expiresAt: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

export const ZCustomerExportRef = z.object({ exportId: ZId });
