import { streamCustomerExportRows, type CustomerSelection } from "@clientele/db";
import { contentTypeFor, createTabularWriter, extensionFor, type TabularFormat } from "@clientele/files";
import { customerExportCells, customerExportColumns, MAX_CUSTOMER_IMPORT_BYTES, type CustomerExportField } from "@clientele/jobs";
import type { Request, Response } from "express";
import { z } from "zod";
import type { AppDeps } from "../../deps";
import { fileUploadHandler, importErrorsHandler, importUploadHandler } from "../../rest/import-routes";
import { callProcedure, sendProblem } from "../../rest/rest-adapter";
import { queryCoercer } from "../../rest/query-coercion";
import { mount, problem, problems, uploadFileFields, type MountedRoute, type RouteDoc } from "../../rest/route-docs";
import { ZCustomerExportQuery, ZCustomerImportPreview, ZCustomerImportStatus } from "./customer-transfer.schemas";

const tags = ["Customer bulk operations, import and export"];

const importDoc: RouteDoc = {
  method: "post",
  path: "/customers/bulk/import",
  operationId: "customers-bulkImport",
  tags,
  summary: "Import customers from CSV, Excel or JSON (≤ 100 rows at once, more in the background)",
  procedure: "customers.bulkImport",
  requestBody: {
    required: true,
    content: {
      "multipart/form-data": {
        schema: z.object({
          ...uploadFileFields("at most 50 MB and 100,000 records"),
          mappings: z.string().optional().meta({ description: 'JSON: customer field → file column, e.g. {"primaryEmail":"E-mail"}', example: '{"primaryEmail":"E-mail"}' }),
          mode: z.enum(["create", "upsert"]).default("create"),
          matchOn: z.enum(["email", "customerNumber"]).default("email").meta({ description: "what an upsert matches existing customers by" }),
          dryRun: z.boolean().default(false),
        }),
      },
    },
  },
  responses: {
    200: { description: "Done at once (small files): counts and row errors", content: { "application/json": { schema: ZCustomerImportStatus } } },
    202: { description: "Accepted: poll GET /customers/bulk/import/{importId}", content: { "application/json": { schema: ZCustomerImportStatus } } },
    ...problems(400, 500),
    413: problem(413, "File larger than 50 MB (or an Excel file that expands too far)"),
    415: problem(415, "Not a CSV, Excel or JSON file"),
  },
};

const importPreviewDoc: RouteDoc = {
  method: "post",
  path: "/customers/bulk/import/preview",
  operationId: "customers-bulkImportPreview",
  tags,
  summary: "Read an import file without importing it: its format, columns, record count and first 10 records (the import's own checks and limits)",
  procedure: "customers.bulkImportPreview",
  requestBody: {
    required: true,
    content: {
      "multipart/form-data": {
        schema: z.object({
          ...uploadFileFields("at most 50 MB and 100,000 records"),
        }),
      },
    },
  },
  responses: {
    200: { description: "What the import would read", content: { "application/json": { schema: ZCustomerImportPreview } } },
    ...problems(400, 500),
    413: problem(413, "File larger than 50 MB (or an Excel file that expands too far)"),
    415: problem(415, "Not a CSV, Excel or JSON file"),
  },
};

const importErrorsDoc: RouteDoc = {
  method: "get",
  path: "/customers/bulk/import/{importId}/errors",
  operationId: "customers-bulkImportErrors",
  tags,
  summary: "The customer import's row errors as CSV (row, field, reason)",
  procedure: "customers.bulkImportErrors",
  requestParams: { path: z.object({ importId: z.uuid() }) },
  responses: {
    200: { description: "CSV with a header row", content: { "text/csv": { schema: z.string(), example: "row,field,reason\n3,primaryEmail,is already used by customer CUS-000012\n" } } },
    ...problems(400, 404, 500),
  },
};

const exportDoc: RouteDoc = {
  method: "get",
  path: "/customers/export",
  operationId: "customers-export",
  tags,
  summary: "Download customers as CSV, Excel or JSON, streamed (filters as GET /customers; cells that a spreadsheet would run as formulas are quoted)",
  procedure: "customers.exportPlan",
  requestParams: { query: ZCustomerExportQuery },
  responses: {
    200: {
      description: "The file",
      content: {
        "text/csv": { schema: z.string(), example: "Customer number,Type,Company name\nCUS-000001,SmallBusiness,Acme Widgets Ltd\n" },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: z.string().meta({ format: "binary" }) },
        "application/json": { schema: z.array(z.record(z.string(), z.unknown())) },
      },
    },
    ...problems(400, 500),
  },
};

/** What these routes serve, for the OpenAPI document (rest/openapi.ts). */
export const customerTransferRouteDocs = [importDoc, importPreviewDoc, importErrorsDoc, exportDoc];

const coerceExportQuery = queryCoercer([ZCustomerExportQuery]);

/** The multipart import, its CSV error report and the streamed download: not JSON in, JSON out. */
export function customerTransferRoutes(deps: AppDeps): MountedRoute[] {
  const r: MountedRoute[] = [];

  mount(r, importDoc, importUploadHandler(deps, {
    procedure: "customers.bulkImport",
    maxBytes: MAX_CUSTOMER_IMPORT_BYTES,
    mappingsExample: '{"primaryEmail":"E-mail address"}',
    kindFields: (body) => ({ matchOn: body.matchOn || undefined }),
  }));

  mount(r, importPreviewDoc, fileUploadHandler({ fileSize: MAX_CUSTOMER_IMPORT_BYTES, fields: 5 }, async (req, res, file) => {
    const format = (req.body as Record<string, string | undefined> | undefined)?.format || undefined;
    res.status(200).json(await callProcedure(deps, req, res, "customers.bulkImportPreview", { file: file.buffer, fileName: file.originalname, format }));
  }));

  mount(r, importErrorsDoc, importErrorsHandler(deps, "customers.bulkImportErrors", (id) => `customer-import-${id}-errors.csv`));

  // Streams straight from MySQL into the response: the API's memory stays flat at any size.
  mount(r, exportDoc, async (req: Request, res: Response) => {
    try {
      const plan = (await callProcedure(deps, req, res, "customers.exportPlan", coerceExportQuery(req.query as Record<string, unknown>))) as {
        format: TabularFormat;
        fields: CustomerExportField[];
        selection: CustomerSelection;
        tenantId: string;
      };
      res.status(200).type(contentTypeFor(plan.format));
      res.setHeader("Content-Disposition", `attachment; filename="customers${extensionFor(plan.format)}"`);
      res.setHeader("Cache-Control", "private, no-store");
      const writer = createTabularWriter(plan.format, customerExportColumns(plan.fields), res);
      for await (const row of streamCustomerExportRows(deps.db, plan.tenantId, plan.selection)) await writer.write(customerExportCells(row, plan.fields));
      await writer.end();
    } catch (error) {
      if (res.headersSent) res.destroy(error as Error);
      else sendProblem(res, error, req.originalUrl);
    }
  });

  return r;
}
