import { basename } from "node:path";
import { contentTypeFor, MAX_IMPORT_BYTES, verifyDownload, type TabularFormat } from "@clientele/files";
import { EXPORT_PREFIXES } from "@clientele/jobs";
import { DomainError, MAX_ATTACHMENT_BYTES } from "@clientele/domain";
import { type Request, type Response } from "express";
import { z } from "zod";
import type { AppDeps } from "../deps";
import { ZImportStatus } from "../features/contacts/contact-transfer.schemas";
import { ZFile } from "../features/files/file.router";
import { fileUploadHandler, importErrorsHandler, importUploadHandler } from "./import-routes";
import { callProcedure, sendProblem } from "./rest-adapter";
import { mount, problem, problems, uploadFileFields, type MountedRoute, type RouteDoc } from "./route-docs";

const FORMAT_BY_EXTENSION: Record<string, TabularFormat> = { ".csv": "CSV", ".xlsx": "Excel", ".json": "JSON" };

const tags = ["Contact import and export"];
const importId = z.object({ importId: z.uuid() });

const importDoc: RouteDoc = {
  method: "post",
  path: "/customers/contacts/import",
  operationId: "contactTransfer-import",
  tags,
  summary: "Import contacts from CSV, Excel or JSON (≤ 100 rows at once, more in the background)",
  procedure: "contactTransfer.import",
  requestBody: {
    required: true,
    content: {
      "multipart/form-data": {
        schema: z.object({
          ...uploadFileFields("at most 10 MB and 10,000 records"),
          mappings: z.string().optional().meta({ description: 'JSON: contact field → file column, e.g. {"email":"E-mail"}', example: '{"email":"E-mail"}' }),
          mode: z.enum(["create", "upsert"]).default("create"),
          dryRun: z.boolean().default(false),
          defaultCustomerId: z.uuid().optional().meta({ description: "customer for rows that name none" }),
        }),
      },
    },
  },
  responses: {
    200: { description: "Done at once (small files): counts and row errors", content: { "application/json": { schema: ZImportStatus } } },
    202: { description: "Accepted: poll GET /customers/contacts/import/{importId}", content: { "application/json": { schema: ZImportStatus } } },
    ...problems(400, 500),
    404: problem(404, "defaultCustomerId names no customer of yours"),
    413: problem(413, "File larger than 10 MB (or an Excel file that expands too far)"),
    415: problem(415, "Not a CSV, Excel or JSON file"),
  },
};

const uploadDoc: RouteDoc = {
  method: "post",
  path: "/files",
  operationId: "files-upload",
  tags: ["Communications"],
  summary: "Upload a file (e.g. an email attachment, ≤ 10 MB); answers its id",
  procedure: "files.upload",
  requestBody: { required: true, content: { "multipart/form-data": { schema: z.object({ file: z.string().meta({ format: "binary" }) }) } } },
  responses: {
    201: { description: "Stored", content: { "application/json": { schema: ZFile } } },
    ...problems(400, 500),
    413: problem(413, "File larger than 10 MB"),
  },
};

const importErrorsDoc: RouteDoc = {
  method: "get",
  path: "/customers/contacts/import/{importId}/errors",
  operationId: "contactTransfer-importErrors",
  tags,
  summary: "The import's row errors as CSV (row, field, reason)",
  procedure: "contactTransfer.importErrors",
  requestParams: { path: importId },
  responses: {
    200: { description: "CSV with a header row", content: { "text/csv": { schema: z.string(), example: "row,field,reason\n3,email,must be a valid email address\n" } } },
    ...problems(400, 404, 500),
  },
};

const downloadDoc: RouteDoc = {
  method: "get",
  path: "/files/download",
  operationId: "files-download",
  tags,
  summary: "Download an export through its signed URL (no bearer token; the URL expires after 24 hours)",
  security: [],
  requestParams: { query: z.object({ token: z.string() }) },
  responses: {
    200: {
      description: "The file (CSV, Excel or JSON, as exported)",
      content: {
        "text/csv": { schema: z.string(), example: "companyName,firstName,email\nAcme Widgets Ltd,Jane,jane.doe@acme-widgets.example\n" },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: z.string().meta({ format: "binary" }) },
        "application/json": { schema: z.array(z.record(z.string(), z.unknown())), example: [{ companyName: "Acme Widgets Ltd", email: "jane.doe@acme-widgets.example" }] },
      },
    },
    400: problem(400, "The link has expired"),
    403: problem(403, "The link is not valid"),
    404: problem(404, "The file was removed (kept 7 days)"),
    ...problems(429, 500),
  },
};

/** What these routes serve, for the OpenAPI document (rest/openapi.ts). */
export const fileRouteDocs = [importDoc, uploadDoc, importErrorsDoc, downloadDoc];

/** Routes that aren't JSON in, JSON out: the multipart import, the CSV error report, signed downloads. */
export function fileRoutes(deps: AppDeps): MountedRoute[] {
  const r: MountedRoute[] = [];

  mount(r, importDoc, importUploadHandler(deps, {
    procedure: "contactTransfer.import",
    maxBytes: MAX_IMPORT_BYTES,
    mappingsExample: '{"email":"E-mail address"}',
    kindFields: (body) => ({ defaultCustomerId: body.defaultCustomerId || undefined }),
  }));

  mount(r, uploadDoc, fileUploadHandler({ fileSize: MAX_ATTACHMENT_BYTES, fields: 5 }, async (req, res, file) => {
    const data = await callProcedure(deps, req, res, "files.upload", {
      file: file.buffer,
      fileName: file.originalname,
      contentType: file.mimetype,
    });
    res.status(201).json(data);
  }));

  mount(r, importErrorsDoc, importErrorsHandler(deps, "contactTransfer.importErrors", (id) => `import-${id}-errors.csv`));

  // A signed URL is the credential (like a SAS token): it names one tenant's file and expires.
  mount(r, downloadDoc, async (req: Request, res: Response) => {
    try {
      const token = typeof req.query.token === "string" ? req.query.token : "";
      const verified = verifyDownload({ secret: deps.env.DOWNLOAD_URL_SECRET!, token, now: deps.now() });
      if ("error" in verified) {
        throw new DomainError("FILE-001", verified.error === "expired" ? "business_rule" : "forbidden", verified.error === "expired" ? "The download link has expired; ask for a new one." : "The download link is not valid.");
      }
      const kind = Object.entries(EXPORT_PREFIXES).find(([, prefix]) => verified.key.startsWith(`${prefix}${verified.tenantId}/`))?.[0];
      if (!kind) {
        throw new DomainError("FILE-001", "forbidden", "The download link is not valid.");
      }
      if (!(await deps.storage.exists(verified.key))) throw new DomainError("FILE-001", "not_found", "The file no longer exists.");
      const name = basename(verified.key);
      const format = FORMAT_BY_EXTENSION[name.slice(name.lastIndexOf("."))] ?? "CSV";
      res.status(200).type(contentTypeFor(format));
      res.setHeader("Content-Disposition", `attachment; filename="${kind === "Customer" ? "customers" : "contacts"}-${name}"`);
      res.setHeader("Cache-Control", "private, no-store");
      (await deps.storage.get(verified.key)).pipe(res);
    } catch (error) {
      sendProblem(res, error, req.originalUrl);
    }
  });

  return r;
}

