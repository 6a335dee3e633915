import { basename } from "node:path";
import { createTabularWriter, contentTypeFor, MAX_IMPORT_BYTES, verifyDownload, type TabularFormat } from "@clientele/files";
import { DomainError, MAX_ATTACHMENT_BYTES, validationError } from "@clientele/domain";
import { Router, type Request, type Response } from "express";
import multer from "multer";
import type { AppDeps } from "../deps";
import { callProcedure, sendProblem } from "./rest-adapter";

const attachmentUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 5 } });
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 20 } });

function parseJsonField(req: Request, field: string): unknown {
  const raw = (req.body as Record<string, unknown> | undefined)?.[field];
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw validationError({ [field]: ["must be JSON, e.g. {\"email\":\"E-mail address\"}"] });
  }
}

const FORMAT_BY_EXTENSION: Record<string, TabularFormat> = { ".csv": "CSV", ".xlsx": "Excel", ".json": "JSON" };

/** Routes that aren't JSON in, JSON out: the multipart import, the CSV error report, signed downloads. */
export function fileRoutes(deps: AppDeps): Router {
  const r = Router();

  r.post("/customers/contacts/import", (req, res) => {
    upload.single("file")(req, res, async (uploadError?: unknown) => {
      try {
        if (uploadError) throw uploadError;
        if (!req.file) throw validationError({ file: ["is required (multipart field \"file\")"] });
        const body = (req.body ?? {}) as Record<string, string | undefined>;
        const data = (await callProcedure(deps, req, res, "contactTransfer.import", {
          file: req.file.buffer,
          fileName: req.file.originalname,
          format: body.format || undefined,
          mappings: parseJsonField(req, "mappings"),
          mode: body.mode || undefined,
          dryRun: body.dryRun === undefined ? undefined : body.dryRun === "true" || body.dryRun === "1",
          defaultCustomerId: body.defaultCustomerId || undefined,
        })) as { status: string };
        res.status(data.status === "Completed" || data.status === "Failed" ? 200 : 202).json(data);
      } catch (error) {
        sendProblem(res, error, req.originalUrl);
      }
    });
  });

  r.post("/files", (req, res) => {
    attachmentUpload.single("file")(req, res, async (uploadError?: unknown) => {
      try {
        if (uploadError) throw uploadError;
        if (!req.file) throw validationError({ file: ["is required (multipart field \"file\")"] });
        const data = await callProcedure(deps, req, res, "files.upload", {
          file: req.file.buffer,
          fileName: req.file.originalname,
          contentType: req.file.mimetype,
        });
        res.status(201).json(data);
      } catch (error) {
        sendProblem(res, error, req.originalUrl);
      }
    });
  });

  r.get("/customers/contacts/import/:importId/errors", async (req: Request, res: Response) => {
    try {
      const rows = (await callProcedure(deps, req, res, "contactTransfer.importErrors", { importId: req.params.importId })) as {
        rowNumber: number;
        field: string;
        reason: string;
      }[];
      res.status(200).type(contentTypeFor("CSV"));
      res.setHeader("Content-Disposition", `attachment; filename="import-${req.params.importId}-errors.csv"`);
      const writer = createTabularWriter("CSV", [
        { key: "row", header: "row" },
        { key: "field", header: "field" },
        { key: "reason", header: "reason" },
      ], res);
      for (const e of rows) await writer.write({ row: e.rowNumber, field: e.field, reason: e.reason });
      await writer.end();
    } catch (error) {
      sendProblem(res, error, req.originalUrl);
    }
  });

  // A signed URL is the credential (like a SAS token): it names one tenant's file and expires.
  r.get("/files/download", async (req: Request, res: Response) => {
    try {
      const token = typeof req.query.token === "string" ? req.query.token : "";
      const verified = verifyDownload({ secret: deps.env.DOWNLOAD_URL_SECRET!, token, now: deps.now() });
      if ("error" in verified) {
        throw new DomainError("FILE-001", verified.error === "expired" ? "business_rule" : "forbidden", verified.error === "expired" ? "The download link has expired; ask for a new one." : "The download link is not valid.");
      }
      if (!verified.key.startsWith(`contact-exports/${verified.tenantId}/`)) {
        throw new DomainError("FILE-001", "forbidden", "The download link is not valid.");
      }
      if (!(await deps.storage.exists(verified.key))) throw new DomainError("FILE-001", "not_found", "The file no longer exists.");
      const name = basename(verified.key);
      const format = FORMAT_BY_EXTENSION[name.slice(name.lastIndexOf("."))] ?? "CSV";
      res.status(200).type(contentTypeFor(format));
      res.setHeader("Content-Disposition", `attachment; filename="contacts-${name}"`);
      res.setHeader("Cache-Control", "private, no-store");
      (await deps.storage.get(verified.key)).pipe(res);
    } catch (error) {
      sendProblem(res, error, req.originalUrl);
    }
  });

  return r;
}

