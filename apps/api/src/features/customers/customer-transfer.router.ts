import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZCustomerExportInput,
  ZCustomerExportPlan,
  ZCustomerExportQuery,
  ZCustomerExportRef,
  ZCustomerExportStatus,
  ZCustomerImportInput,
  ZCustomerImportPreview,
  ZCustomerImportPreviewInput,
  ZCustomerImportRef,
  ZCustomerImportStatus,
} from "./customer-transfer.schemas";
import * as uc from "./customer-transfer.use-cases";

const tags = ["Customer bulk operations, import and export"];
const inBackground = (data: unknown) => (data as { status: string }).status !== "Completed";

export const customerTransferRouter = router({
  /** REST: multipart POST /customers/bulk/import (see customer-transfer.routes.ts). */
  bulkImport: withPrivilege("customer:create")
    .input(ZCustomerImportInput)
    .output(ZCustomerImportStatus)
    .mutation(({ ctx, input }) => uc.submitCustomerImport(ctx.deps, ctx.actor, input)),

  /** REST: multipart POST /customers/bulk/import/preview. The privilege is the import's: only who may import previews. */
  bulkImportPreview: withPrivilege("customer:create")
    .input(ZCustomerImportPreviewInput)
    .output(ZCustomerImportPreview)
    .mutation(({ input }) => uc.previewCustomerImport(input)),

  bulkImportStatus: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/bulk/import/{importId}", tags, summary: "Customer import status, progress and the first row errors" } })
    .input(ZCustomerImportRef)
    .output(ZCustomerImportStatus)
    .query(({ ctx, input }) => uc.getCustomerImport(ctx.deps, ctx.actor, input.importId)),

  /** REST: GET /customers/bulk/import/{importId}/errors answers CSV. */
  bulkImportErrors: withPrivilege("customer:read")
    .input(ZCustomerImportRef)
    .output(z.array(z.object({ rowNumber: z.number().int(), field: z.string(), reason: z.string() })))
    .query(({ ctx, input }) => uc.customerImportErrors(ctx.deps, ctx.actor, input.importId)),

  bulkExport: withPrivilege("data:export")
    .meta({
      openapi: { method: "POST", path: "/customers/bulk/export", tags, summary: "Export customers to a file (200 when done at once, 202 while the worker writes it)" },
      acceptedWhen: inBackground,
    })
    .input(ZCustomerExportInput)
    .output(ZCustomerExportStatus)
    .mutation(({ ctx, input }) => uc.submitCustomerExport(ctx.deps, ctx.actor, input)),

  bulkExportStatus: withPrivilege("data:export")
    .meta({ openapi: { method: "GET", path: "/customers/bulk/export/{exportId}", tags, summary: "Customer export status and, when done, a signed download URL valid 24 hours" } })
    .input(ZCustomerExportRef)
    .output(ZCustomerExportStatus)
    .query(({ ctx, input }) => uc.getCustomerExport(ctx.deps, ctx.actor, input.exportId)),

  /** REST: GET /customers/export streams the file itself (see customer-transfer.routes.ts); this authorizes and validates. */
  exportPlan: withPrivilege("data:export")
    .input(ZCustomerExportQuery)
    .output(ZCustomerExportPlan)
    .query(({ ctx, input }) => uc.planCustomerExport(ctx.actor, input)),
});
