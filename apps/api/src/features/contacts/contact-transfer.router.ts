import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZExportInput,
  ZExportRef,
  ZExportStatus,
  ZImportInput,
  ZImportRef,
  ZImportStatus,
} from "./contact-transfer.schemas";
import * as uc from "./contact-transfer.use-cases";

const tags = ["Contact import and export"];
const inBackground = (data: unknown) => (data as { status: string }).status !== "Completed";

export const contactTransferRouter = router({
  /** REST: multipart POST /customers/contacts/import (see rest/file-routes.ts). */
  import: withPrivilege("customer:update")
    .input(ZImportInput)
    .output(ZImportStatus)
    .mutation(({ ctx, input }) => uc.submitImport(ctx.deps, ctx.actor, input)),

  importStatus: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/contacts/import/{importId}", tags, summary: "Import status, progress and the first row errors" } })
    .input(ZImportRef)
    .output(ZImportStatus)
    .query(({ ctx, input }) => uc.getImport(ctx.deps, ctx.actor, input.importId)),

  /** REST: GET /customers/contacts/import/{importId}/errors answers CSV. */
  importErrors: withPrivilege("customer:read")
    .input(ZImportRef)
    .output(z.array(z.object({ rowNumber: z.number().int(), field: z.string(), reason: z.string() })))
    .query(({ ctx, input }) => uc.importErrorReport(ctx.deps, ctx.actor, input.importId)),

  export: withPrivilege("data:export")
    .meta({
      openapi: { method: "POST", path: "/customers/contacts/export", tags, summary: "Export contacts (200 when done at once, 202 while the worker writes it)" },
      acceptedWhen: inBackground,
    })
    .input(ZExportInput)
    .output(ZExportStatus)
    .mutation(({ ctx, input }) => uc.submitExport(ctx.deps, ctx.actor, input)),

  exportStatus: withPrivilege("data:export")
    .meta({ openapi: { method: "GET", path: "/customers/contacts/export/{exportId}", tags, summary: "Export status and, when done, a signed download URL valid 24 hours" } })
    .input(ZExportRef)
    .output(ZExportStatus)
    .query(({ ctx, input }) => uc.getExport(ctx.deps, ctx.actor, input.exportId)),
});
