import { randomUUID } from "node:crypto";
import { insertImport, type ContactImport, type TransferKind } from "@clientele/db";
import { DomainError, validationError, type Actor } from "@clientele/domain";
import { detectFormat, extensionFor, readRecords, type TabularFormat } from "@clientele/files";
import type { AppDeps } from "../deps";

/** Up to this many rows an import runs inside the request; larger ones go to the worker (REQ-CUS-012). */
const SYNC_IMPORT_MAX_ROWS = 100;

type ImportPayload = { importId: string; tenantId: string };

/** What differs between a contact and a customer import: limits, checks, where the file goes, its job. */
export type ImportKind = {
  kind: TransferKind;
  maxBytes: number;
  maxRecords: number;
  /** Storage folder of the kept file, e.g. "contact-imports". */
  storagePrefix: string;
  /** Throws when the file's columns don't fit the mappings (or the kind's other options are wrong). */
  check: (columns: string[]) => void | Promise<void>;
  options: ContactImport["options"];
  run: (deps: AppDeps, payload: ImportPayload) => Promise<unknown>;
  enqueue: (deps: AppDeps, payload: ImportPayload) => Promise<unknown>;
};

export type ImportFileInput = {
  file: string | Uint8Array;
  fileName?: string;
  format?: TabularFormat;
  mode: "create" | "upsert";
  dryRun: boolean;
};

/** The file's bytes, real format and records, refused (size, format, record count, none at all) as an import would refuse them. */
async function readImportFile(input: Pick<ImportFileInput, "file" | "format">, limits: Pick<ImportKind, "maxBytes" | "maxRecords">) {
  const file = typeof input.file === "string" ? Buffer.from(input.file, "base64") : Buffer.from(input.file);
  if (file.length > limits.maxBytes) {
    throw new DomainError("FILE-002", "too_large", `The file is larger than ${limits.maxBytes / 1024 / 1024} MB.`);
  }
  const format = detectFormat(file, input.format);
  const { columns, rows } = await readRecords(file, { format, maxRecords: limits.maxRecords, maxBytes: limits.maxBytes });
  if (rows.length === 0) throw validationError({ file: ["has no records"] });
  return { file, format, columns, rows };
}

/** Rows an import preview shows: enough to check a mapping, small enough to answer at once. */
export const IMPORT_PREVIEW_ROWS = 10;

/**
 * What an import of this file would read, without storing or importing anything: its format,
 * columns, record count and first records, under the same checks as the import itself (so an
 * upload refused here would be refused there). The client maps the columns from it.
 */
export async function previewImportFile(input: Pick<ImportFileInput, "file" | "format">, limits: Pick<ImportKind, "maxBytes" | "maxRecords">) {
  const { format, columns, rows } = await readImportFile(input, limits);
  return { format, columns, totalRows: rows.length, rows: rows.slice(0, IMPORT_PREVIEW_ROWS) };
}

/**
 * Validates the file completely before anything is stored (size, real format, record count,
 * mappings), keeps it in the storage port, then runs small imports at once and queues the rest.
 * Answers the import's id.
 */
export async function submitImportFile(deps: AppDeps, actor: Actor, input: ImportFileInput, kind: ImportKind): Promise<string> {
  const { file, format, columns, rows } = await readImportFile(input, kind);
  await kind.check(columns);

  const importId = randomUUID();
  const fileKey = `${kind.storagePrefix}/${actor.tenantId}/${importId}${extensionFor(format)}`;
  await deps.storage.put(fileKey, file);
  await insertImport(deps.db, {
    id: importId,
    tenantId: actor.tenantId,
    kind: kind.kind,
    status: "Queued",
    format,
    mode: input.mode,
    dryRun: input.dryRun,
    options: kind.options,
    fileKey,
    fileName: input.fileName?.slice(0, 255) ?? null,
    totalRows: rows.length,
    createdBy: actor.userId,
    createdAt: deps.now(),
  });
  const payload = { importId, tenantId: actor.tenantId };
  if (rows.length <= SYNC_IMPORT_MAX_ROWS) await kind.run(deps, payload);
  else await kind.enqueue(deps, payload);
  return importId;
}
