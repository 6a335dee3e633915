import { contentTypeFor, createTabularWriter } from "@clientele/files";
import { validationError } from "@clientele/domain";
import type { Request, RequestHandler, Response } from "express";
import multer from "multer";
import type { AppDeps } from "../deps";
import { callProcedure, sendProblem } from "./rest-adapter";

/** A multipart route taking one file in the field "file": multer's errors and a missing file answer as problems. */
export function fileUploadHandler(
  limits: { fileSize: number; fields: number },
  handle: (req: Request, res: Response, file: Express.Multer.File) => Promise<void>,
): RequestHandler {
  const upload = multer({ storage: multer.memoryStorage(), limits: { ...limits, files: 1 } }).single("file");
  return (req, res) => {
    upload(req, res, async (uploadError?: unknown) => {
      try {
        if (uploadError) throw uploadError;
        if (!req.file) throw validationError({ file: ['is required (multipart field "file")'] });
        await handle(req, res, req.file);
      } catch (error) {
        sendProblem(res, error, req.originalUrl);
      }
    });
  };
}

/** A JSON-valued form field (absent or empty: undefined); not JSON is a 400 naming the field with an example. */
function parseJsonField(req: Request, field: string, example: string): unknown {
  const raw = (req.body as Record<string, unknown> | undefined)?.[field];
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw validationError({ [field]: [`must be JSON, e.g. ${example}`] });
  }
}

type FormFields = Record<string, string | undefined>;

/**
 * POST of an import file (contacts, customers): the form's fields go to the import procedure,
 * 200 when it finished inside the request, 202 while it is queued or running.
 */
export function importUploadHandler(
  deps: AppDeps,
  spec: { procedure: string; maxBytes: number; mappingsExample: string; kindFields: (body: FormFields) => Record<string, unknown> },
): RequestHandler {
  return fileUploadHandler({ fileSize: spec.maxBytes, fields: 20 }, async (req, res, file) => {
    const body = (req.body ?? {}) as FormFields;
    const data = (await callProcedure(deps, req, res, spec.procedure, {
      file: file.buffer,
      fileName: file.originalname,
      format: body.format || undefined,
      mappings: parseJsonField(req, "mappings", spec.mappingsExample),
      mode: body.mode || undefined,
      dryRun: body.dryRun === undefined ? undefined : body.dryRun === "true" || body.dryRun === "1",
      ...spec.kindFields(body),
    })) as { status: string };
    res.status(data.status === "Completed" || data.status === "Failed" ? 200 : 202).json(data);
  });
}

/** GET of an import's row errors as a CSV download named by `fileName(importId)`. */
export function importErrorsHandler(deps: AppDeps, procedure: string, fileName: (importId: string) => string): RequestHandler {
  return async (req, res) => {
    try {
      const importId = req.params.importId as string;
      const rows = (await callProcedure(deps, req, res, procedure, { importId })) as { rowNumber: number; field: string; reason: string }[];
      res.status(200).type(contentTypeFor("CSV"));
      res.setHeader("Content-Disposition", `attachment; filename="${fileName(importId)}"`);
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
  };
}
