import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import { stringify } from "csv-stringify";
import ExcelJS from "exceljs";
import { neutralizeCell } from "./formula";
import type { TabularFormat } from "./tabular-read";

export type ExportColumn = { key: string; header: string };

export type TabularWriter = {
  /** Resolves once the row is handed on and the output has room for more (backpressure). */
  write(row: Record<string, unknown>): Promise<void>;
  /** Finishes the file and ends `out`; resolves when `out` has flushed everything. */
  end(): Promise<void>;
};

const CONTENT_TYPES: Record<TabularFormat, string> = {
  CSV: "text/csv; charset=utf-8",
  Excel: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  JSON: "application/json",
};

const EXTENSIONS: Record<TabularFormat, string> = { CSV: ".csv", Excel: ".xlsx", JSON: ".json" };

export function contentTypeFor(format: TabularFormat): string {
  return CONTENT_TYPES[format];
}

export function extensionFor(format: TabularFormat): string {
  return EXTENSIONS[format];
}

export function createTabularWriter(format: TabularFormat, columns: ExportColumn[], out: Writable): TabularWriter {
  switch (format) {
    case "CSV":
      return createCsvWriter(columns, out);
    case "Excel":
      return createExcelWriter(columns, out);
    case "JSON":
      return createJsonWriter(columns, out);
  }
}

/** Settles when `out` finishes or fails; write() and end() race against it so a broken disk never hangs an export. */
function watch(done: Promise<unknown>): { done: Promise<void>; check: () => void } {
  let failure: unknown;
  const settled = done.then(
    () => undefined,
    (error: unknown) => {
      failure = error ?? new Error("the export output failed");
      throw failure;
    },
  );
  settled.catch(() => undefined);
  return {
    done: settled,
    check: () => {
      if (failure !== undefined) throw failure;
    },
  };
}

async function drained(stream: Writable, outcome: Promise<void>): Promise<void> {
  const abort = new AbortController();
  try {
    await Promise.race([once(stream, "drain", { signal: abort.signal }), outcome]);
  } finally {
    abort.abort();
  }
}

function plainText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/* ---------------------------------------------------------------- CSV */

/** Only text is neutralized: a number such as -5 can't hold a formula and must stay a number. */
function csvCell(value: unknown): string {
  const text = plainText(value);
  return typeof value === "number" || typeof value === "boolean" || value instanceof Date
    ? text
    : String(neutralizeCell(text));
}

function createCsvWriter(columns: ExportColumn[], out: Writable): TabularWriter {
  // The BOM makes Excel open UTF-8 correctly (accented names); readRecords strips it.
  const stringifier = stringify({ bom: true });
  const outcome = watch(pipeline(stringifier, out));

  async function push(record: string[]): Promise<void> {
    outcome.check();
    if (!stringifier.write(record)) await drained(stringifier, outcome.done);
  }

  let header: Promise<void> | undefined;
  const writeHeader = () => (header ??= push(columns.map((c) => String(neutralizeCell(c.header)))));

  return {
    async write(row) {
      await writeHeader();
      await push(columns.map((c) => csvCell(row[c.key])));
    },
    async end() {
      await writeHeader();
      stringifier.end();
      await outcome.done;
    },
  };
}

/* ---------------------------------------------------------------- Excel */

/** Excel refuses longer cells ("we found a problem with some content"). */
const EXCEL_MAX_CELL_CHARS = 32_767;
/** exceljs commits rows synchronously; yielding this often lets zip compression and the disk keep up. */
const EXCEL_YIELD_EVERY_ROWS = 500;

function excelValue(value: unknown): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  const text = plainText(value);
  return neutralizeCell(text.length > EXCEL_MAX_CELL_CHARS ? text.slice(0, EXCEL_MAX_CELL_CHARS) : text) as string;
}

function createExcelWriter(columns: ExportColumn[], out: Writable): TabularWriter {
  // Inline strings and per-row commits keep memory flat however many rows are exported.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet("Contacts");
  sheet.columns = columns.map((c) => ({ key: c.key, width: Math.min(Math.max(c.header.length + 2, 12), 50) }));
  const outcome = watch(finished(out));

  let rowsSinceYield = 0;
  let header = false;
  const writeHeader = () => {
    if (header) return;
    header = true;
    const row = sheet.addRow(columns.map((c) => neutralizeCell(c.header)));
    row.font = { bold: true };
    row.commit();
  };

  return {
    async write(row) {
      outcome.check();
      writeHeader();
      sheet.addRow(columns.map((c) => excelValue(row[c.key]))).commit();
      if (out.writableNeedDrain) await drained(out, outcome.done);
      rowsSinceYield += 1;
      if (rowsSinceYield >= EXCEL_YIELD_EVERY_ROWS) {
        rowsSinceYield = 0;
        await nextTurn();
      }
    },
    async end() {
      outcome.check();
      writeHeader();
      sheet.commit();
      await Promise.race([workbook.commit(), outcome.done]);
      await outcome.done;
    },
  };
}

/* ---------------------------------------------------------------- JSON */

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

function createJsonWriter(columns: ExportColumn[], out: Writable): TabularWriter {
  const outcome = watch(finished(out));
  let first = true;

  async function push(text: string): Promise<void> {
    outcome.check();
    if (!out.write(text)) await drained(out, outcome.done);
  }

  return {
    async write(row) {
      // No formula neutralization here: JSON is data for programs, not a spreadsheet, and a
      // leading "'" would corrupt values such as "+44 20 7946 0958".
      const record = Object.fromEntries(columns.map((c) => [c.key, row[c.key] ?? null]));
      await push(`${first ? "[\n" : ",\n"}${JSON.stringify(record, jsonReplacer)}`);
      first = false;
    },
    async end() {
      await push(first ? "[]\n" : "\n]\n");
      out.end();
      await outcome.done;
    },
  };
}
