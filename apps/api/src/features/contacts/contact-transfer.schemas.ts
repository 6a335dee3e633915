import "../../zod-setup";
import { IMPORT_FIELDS } from "@clientele/domain";
import { EXPORT_FIELDS } from "@clientele/jobs";
import { z } from "zod";

// "xlsx" is accepted as another name for Excel; the use cases only ever see the canonical three.
const ZFormat = z.enum(["CSV", "Excel", "JSON", "xlsx"]).transform((f) => (f === "xlsx" ? "Excel" : f));

export const ZImportInput = z.object({
  /** The file: bytes from server-side callers, base64 from typed clients over HTTP. */
  file: z.union([z.instanceof(Uint8Array), z.base64("must be base64")]),
  fileName: z.string().max(255).optional(),
  format: ZFormat.optional().describe("CSV, Excel or JSON; detected from the content when absent"),
  // Keys are checked against the contact fields by the domain, which names each bad one.
  mappings: z.record(z.string().max(100), z.string().max(200)).optional().describe(`contact field (${IMPORT_FIELDS.join(", ")}) → file column`),
  mode: z.enum(["create", "upsert"]).default("create"),
  dryRun: z.boolean().default(false),
  defaultCustomerId: z.uuid("must be a UUID").optional().describe("customer for rows that name none"),
});
export type TImportInput = z.infer<typeof ZImportInput>;

export const ZImportStatus = z.object({
  importId: z.string(),
  status: z.enum(["Queued", "Processing", "Completed", "Failed"]),
  mode: z.enum(["create", "upsert"]),
  dryRun: z.boolean(),
  totalRows: z.number().int(),
  processedRows: z.number().int(),
  imported: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  failureReason: z.string().nullable(),
  errors: z.array(z.object({ row: z.number().int(), field: z.string(), reason: z.string() })).describe("the first 100 row errors"),
  errorReportUrl: z.string(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

export const ZImportRef = z.object({ importId: z.uuid("must be a UUID") });

export const ZExportInput = z.object({
  format: ZFormat.default("CSV"),
  filters: z
    .object({
      customerIds: z.array(z.uuid("must be a UUID")).max(1000).optional(),
      tags: z.array(z.string().max(50)).max(50).optional(),
    })
    .default({}),
  fields: z
    .array(z.enum(Object.keys(EXPORT_FIELDS) as [keyof typeof EXPORT_FIELDS, ...(keyof typeof EXPORT_FIELDS)[]]))
    .min(1)
    .max(20)
    .optional(),
});

export const ZExportStatus = z.object({
  exportId: z.string(),
  status: z.enum(["Queued", "Processing", "Completed", "Failed", "Expired"]),
  format: z.string(),
  recordCount: z.number().int().nullable(),
  downloadUrl: z.string().nullable(),
  expiresAt: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

export const ZExportRef = z.object({ exportId: z.uuid("must be a UUID") });
