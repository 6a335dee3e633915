import { isUtf8 } from "node:buffer";
import { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import ExcelJS from "exceljs";
import { FileRejectedError } from "./errors";
import { inspectXlsxArchive, readXlsxDirectory, tooManyRecords } from "./xlsx-guard";
import { isZip } from "./zip-directory";

export type TabularFormat = "CSV" | "Excel" | "JSON";

export type TabularData = {
  columns: string[];
  rows: Record<string, string>[];
};

export type ReadRecordsOptions = {
  format: TabularFormat;
  maxRecords?: number | undefined;
  maxUncompressedBytes?: number | undefined;
  maxBytes?: number | undefined;
};

/** Upload limit; the HTTP layer enforces it first, readRecords again so it holds for any caller. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const MAX_IMPORT_RECORDS = 10_000;
export const MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024;

const UNSUPPORTED = "unsupported or unrecognized file content";

/** Common files people upload by mistake, named so the message can say what was sent. */
const KNOWN_SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: "a PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "a JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: "a GIF image" },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: "a PDF document" },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: "a legacy .xls or password-protected workbook; save it as an unprotected .xlsx",
  },
  { bytes: [0x1f, 0x8b], what: "a gzip archive" },
  { bytes: [0xff, 0xfe], what: "UTF-16 text; save it as UTF-8" },
  { bytes: [0xfe, 0xff], what: "UTF-16 text; save it as UTF-8" },
];

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function startsWith(buffer: Buffer, bytes: number[]): boolean {
  return buffer.length >= bytes.length && bytes.every((b, i) => buffer[i] === b);
}

function isWhitespaceByte(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function firstContentByte(buffer: Buffer): number | undefined {
  for (let i = startsWith(buffer, UTF8_BOM) ? 3 : 0; i < buffer.length; i += 1) {
    const byte = buffer[i] as number;
    if (!isWhitespaceByte(byte)) return byte;
  }
  return undefined;
}

function sniff(buffer: Buffer): TabularFormat {
  if (isZip(buffer)) {
    if (readXlsxDirectory(buffer).some((entry) => entry.name.startsWith("xl/"))) return "Excel";
    throw new FileRejectedError("UNSUPPORTED_FORMAT", `${UNSUPPORTED} (a zip archive that is not an Excel workbook)`);
  }
  const known = KNOWN_SIGNATURES.find((signature) => startsWith(buffer, signature.bytes));
  if (known) throw new FileRejectedError("UNSUPPORTED_FORMAT", `${UNSUPPORTED} (looks like ${known.what})`);

  const first = firstContentByte(buffer);
  if (first === undefined) throw new FileRejectedError("MALFORMED", "the file is empty");
  if (first === 0x5b || first === 0x7b) return "JSON";
  if (buffer.includes(0)) throw new FileRejectedError("UNSUPPORTED_FORMAT", UNSUPPORTED);
  if (!isUtf8(buffer)) {
    throw new FileRejectedError("UNSUPPORTED_FORMAT", `${UNSUPPORTED} (text files must be UTF-8 encoded)`);
  }
  return "CSV";
}

/**
 * What the bytes are, regardless of name or MIME type. With `claimed` (from the extension or the
 * user's choice), a file whose content is something else is refused rather than parsed as the claim.
 */
export function detectFormat(buffer: Buffer, claimed?: TabularFormat | undefined): TabularFormat {
  const actual = sniff(buffer);
  if (claimed !== undefined && claimed !== actual) {
    throw new FileRejectedError("FORMAT_MISMATCH", `the file's content is ${actual}, not ${claimed}`);
  }
  return actual;
}

export async function readRecords(buffer: Buffer, options: ReadRecordsOptions): Promise<TabularData> {
  const maxBytes = options.maxBytes ?? MAX_IMPORT_BYTES;
  const maxRecords = options.maxRecords ?? MAX_IMPORT_RECORDS;
  const maxUncompressedBytes = options.maxUncompressedBytes ?? MAX_UNCOMPRESSED_BYTES;
  if (buffer.length > maxBytes) {
    throw new FileRejectedError("TOO_LARGE", `the file is larger than ${formatMb(maxBytes)}`);
  }
  const format = detectFormat(buffer, options.format);
  switch (format) {
    case "CSV":
      return readCsv(buffer, maxRecords);
    case "JSON":
      return readJson(buffer, maxRecords);
    case "Excel":
      return readExcel(buffer, maxRecords, maxUncompressedBytes);
  }
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/** Trimmed, unique, non-empty column names; trailing blank header cells are dropped. */
function headerNames(raw: string[]): string[] {
  const trimmed = raw.map((h) => h.trim());
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === "") trimmed.pop();
  const used = new Set<string>();
  return trimmed.map((header, i) => {
    const base = header === "" ? `column_${i + 1}` : header;
    let name = base;
    // Two "Phone" columns are common in other CRMs' exports; keep both rather than drop one.
    for (let n = 2; used.has(name); n += 1) name = `${base} (${n})`;
    used.add(name);
    return name;
  });
}

/** A record, or undefined for a row with no content. Cells beyond the header are ignored; missing ones are absent. */
function toRecord(columns: string[], values: string[]): Record<string, string> | undefined {
  const entries: [string, string][] = [];
  let hasContent = false;
  const width = Math.min(columns.length, values.length);
  for (let i = 0; i < width; i += 1) {
    const value = (values[i] ?? "").trim();
    if (value !== "") hasContent = true;
    entries.push([columns[i] as string, value]);
  }
  // fromEntries defines own properties, so a "__proto__" column is data, not a prototype change.
  return hasContent ? Object.fromEntries(entries) : undefined;
}

function noHeader(): FileRejectedError {
  return new FileRejectedError("MALFORMED", "the file has no header row");
}

/* ---------------------------------------------------------------- CSV */

const DELIMITERS = [",", ";", "\t"] as const;

/** The delimiter used most in the header line (outside quotes); comma on a tie or when none is found. */
function detectDelimiter(buffer: Buffer): string {
  const head = buffer.subarray(0, 64 * 1024).toString("utf8").replace(/^\uFEFF/, "");
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  let seenContent = false;
  for (const char of head) {
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (char === "\n" || char === "\r")) {
      if (seenContent) break;
    } else if (!inQuotes && counts.has(char)) counts.set(char, (counts.get(char) as number) + 1);
    if (char.trim() !== "") seenContent = true;
  }
  let best = ",";
  for (const d of DELIMITERS) if ((counts.get(d) as number) > (counts.get(best) as number)) best = d;
  return best;
}

function* slices(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
}

async function readCsv(buffer: Buffer, maxRecords: number): Promise<TabularData> {
  const parser = parse({
    bom: true,
    delimiter: detectDelimiter(buffer),
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
  });
  // Fed in slices, so the parser stops as soon as we stop reading instead of parsing the whole file.
  Readable.from(slices(buffer, 64 * 1024)).pipe(parser);
  let columns: string[] | undefined;
  const rows: Record<string, string>[] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (columns === undefined) {
        columns = headerNames(record);
        if (columns.length === 0) throw noHeader();
        continue;
      }
      const row = toRecord(columns, record);
      if (row === undefined) continue;
      if (rows.length === maxRecords) throw tooManyRecords(maxRecords);
      rows.push(row);
    }
  } catch (error) {
    if (error instanceof CsvError) {
      throw new FileRejectedError("MALFORMED", `the CSV file is malformed: ${error.message}`);
    }
    throw error;
  }
  if (columns === undefined) throw noHeader();
  return { columns, rows };
}

/* ---------------------------------------------------------------- JSON */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonValueText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

async function readJson(buffer: Buffer, maxRecords: number): Promise<TabularData> {
  let data: unknown;
  try {
    // Whole-document parse: bounded by the 10 MB upload limit; the record limit applies below.
    data = JSON.parse(buffer.toString("utf8").replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new FileRejectedError("MALFORMED", `the JSON file is malformed: ${(error as Error).message}`);
  }
  const items = Array.isArray(data) ? data : isPlainObject(data) ? data.contacts : undefined;
  if (!Array.isArray(items)) {
    throw new FileRejectedError("MALFORMED", 'the JSON file must be an array of objects or { "contacts": [...] }');
  }
  const columns: string[] = [];
  const known = new Set<string>();
  const rows: Record<string, string>[] = [];
  items.forEach((item, index) => {
    if (!isPlainObject(item)) {
      throw new FileRejectedError("MALFORMED", `item ${index + 1} of the JSON file is not an object`);
    }
    const entries: [string, string][] = [];
    for (const [rawKey, value] of Object.entries(item)) {
      const key = rawKey.trim();
      if (key === "") continue;
      entries.push([key, jsonValueText(value)]);
    }
    if (!entries.some(([, value]) => value !== "")) return;
    if (rows.length === maxRecords) throw tooManyRecords(maxRecords);
    for (const [key] of entries) {
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
    }
    rows.push(Object.fromEntries(entries));
  });
  return { columns, rows };
}

/* ---------------------------------------------------------------- Excel */

function numberText(value: number): string {
  const text = String(value);
  // 1e21 and 1e-7 are how JS prints them, not how a person typed them.
  return /e/i.test(text) ? value.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 }) : text;
}

function dateText(value: Date): string {
  if (Number.isNaN(value.getTime())) return "";
  const iso = value.toISOString();
  // exceljs gives date-only cells as UTC midnight; a birthday should read 1990-05-17, not a timestamp.
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return String(value);
  if (value instanceof Date) return dateText(value);
  if ("richText" in value) return value.richText.map((run) => run.text).join("");
  if ("hyperlink" in value) return cellText(value.text as ExcelJS.CellValue);
  if ("formula" in value || "sharedFormula" in value) return cellText(value.result as ExcelJS.CellValue);
  if ("error" in value) return value.error;
  return "";
}

function rowTexts(row: ExcelJS.Row): string[] {
  // row.values is 1-based and sparse; index 0 is always empty.
  const values = row.values as ExcelJS.CellValue[];
  const texts: string[] = [];
  for (let i = 1; i < values.length; i += 1) texts.push(cellText(values[i]));
  return texts;
}

async function readExcel(buffer: Buffer, maxRecords: number, maxUncompressedBytes: number): Promise<TabularData> {
  // Must run before exceljs sees the buffer: exceljs inflates every part into memory, unbounded.
  await inspectXlsxArchive(buffer, { maxUncompressedBytes, maxRecords });

  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs declares its own `Buffer extends ArrayBuffer`; a Node Buffer is what it reads at run time.
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw new FileRejectedError("MALFORMED", "the Excel file is damaged or not a valid .xlsx and can't be read");
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new FileRejectedError("MALFORMED", "the Excel file has no worksheet");

  let columns: string[] | undefined;
  const rows: Record<string, string>[] = [];
  // eachRow skips rows without values, the counterpart of skipping empty CSV lines.
  sheet.eachRow((row) => {
    if (columns === undefined) {
      columns = headerNames(rowTexts(row));
      if (columns.length === 0) throw noHeader();
      return;
    }
    const record = toRecord(columns, rowTexts(row));
    if (record === undefined) return;
    if (rows.length === maxRecords) throw tooManyRecords(maxRecords);
    rows.push(record);
  });
  if (columns === undefined) throw noHeader();
  return { columns, rows };
}
