import { createInflateRaw } from "node:zlib";
import { FileRejectedError } from "./errors";
import { entryData, readZipDirectory, ZipFormatError, type ZipEntry } from "./zip-directory";

export type XlsxLimits = {
  maxUncompressedBytes: number;
  maxRecords: number;
};

/** Real workbooks compress ~5-20:1; far beyond 100:1 on a sizeable entry is a decompression bomb. */
const MAX_COMPRESSION_RATIO = 100;
const RATIO_CHECK_MIN_BYTES = 1024 * 1024;

const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED_FLAG = 0x1;
const WORKSHEET_ENTRY = /^xl\/worksheets\/[^/]+\.xml$/;

function damaged(detail: string): FileRejectedError {
  return new FileRejectedError("MALFORMED", `the Excel file is damaged or not a valid .xlsx (${detail})`);
}

export function readXlsxDirectory(buffer: Buffer): ZipEntry[] {
  try {
    return readZipDirectory(buffer);
  } catch (error) {
    if (error instanceof ZipFormatError) throw damaged(error.message);
    throw error;
  }
}

/**
 * Everything exceljs would do unbounded, done first with limits: the declared sizes in the central
 * directory, then a streaming inflate that checks no entry is bigger than declared (headers can lie)
 * and counts worksheet rows so a million-row sheet is refused before exceljs builds it in memory.
 * Every sheet is counted, not only the first: exceljs parses them all.
 */
export async function inspectXlsxArchive(buffer: Buffer, limits: XlsxLimits): Promise<void> {
  const entries = readXlsxDirectory(buffer);
  const maxMb = Math.round(limits.maxUncompressedBytes / (1024 * 1024));

  let declaredTotal = 0;
  for (const entry of entries) {
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxUncompressedBytes) {
      throw new FileRejectedError(
        "TOO_LARGE",
        `the Excel file expands to more than ${maxMb} MB when uncompressed; split it into smaller files`,
      );
    }
    if (
      entry.uncompressedSize > RATIO_CHECK_MIN_BYTES &&
      entry.uncompressedSize > entry.compressedSize * MAX_COMPRESSION_RATIO
    ) {
      throw new FileRejectedError("TOO_LARGE", "the Excel file has a suspicious compression ratio and was refused");
    }
    if (entry.flags & ENCRYPTED_FLAG) throw damaged("it contains encrypted parts");
    if (entry.method !== STORED && entry.method !== DEFLATED) throw damaged("unsupported compression method");
  }

  for (const entry of entries) {
    const counter = WORKSHEET_ENTRY.test(entry.name) ? new RowCounter() : undefined;
    let actual = 0;
    for await (const chunk of inflate(buffer, entry)) {
      actual += chunk.length;
      if (actual > entry.uncompressedSize) throw damaged(`${entry.name} is larger than its header says`);
      if (counter) {
        counter.push(chunk);
        // Header row plus maxRecords data rows are allowed; one more is already too many.
        if (counter.rows > limits.maxRecords + 1) throw tooManyRecords(limits.maxRecords);
      }
    }
    if (actual !== entry.uncompressedSize) throw damaged(`${entry.name} is smaller than its header says`);
  }
}

export function tooManyRecords(max: number): FileRejectedError {
  return new FileRejectedError(
    "TOO_MANY_RECORDS",
    `the file has more than ${max.toLocaleString("en-US")} records; split it into smaller files`,
  );
}

async function* inflate(buffer: Buffer, entry: ZipEntry): AsyncGenerator<Buffer> {
  let data: Buffer;
  try {
    data = entryData(buffer, entry);
  } catch (error) {
    if (error instanceof ZipFormatError) throw damaged(error.message);
    throw error;
  }
  if (entry.method === STORED) {
    yield data;
    return;
  }
  const inflater = createInflateRaw();
  inflater.end(data);
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } catch {
    throw damaged(`${entry.name} can't be decompressed`);
  }
}

/**
 * Counts `<row>` elements holding at least one value (`<v>` or inline `<is>`), chunk by chunk so
 * memory stays flat. Empty formatted rows are not counted: exceljs skips them too. latin1 decoding
 * maps bytes 1:1, so ASCII tags survive any chunk boundary.
 */
class RowCounter {
  rows = 0;
  private carry = "";
  private inRow = false;
  private rowHasValue = false;
  // `[^<>]` keeps each match attempt local, so hostile input can't make the scan quadratic.
  private static readonly TAG = /<(\/?)(?:[\w.-]+:)?(row|v|is)(?=[\s/>])[^<>]*?(\/?)>/g;
  private static readonly MAX_CARRY = 64 * 1024;

  push(chunk: Buffer): void {
    let text = this.carry + chunk.toString("latin1");
    const open = text.lastIndexOf("<");
    if (open > text.lastIndexOf(">")) {
      // A real tag is short; an unclosed "<" in hostile data must not be carried (and re-copied) forever.
      this.carry = text.length - open <= RowCounter.MAX_CARRY ? text.slice(open) : "";
      text = text.slice(0, open);
    } else {
      this.carry = "";
    }
    for (const match of text.matchAll(RowCounter.TAG)) {
      const closing = match[1] === "/";
      const selfClosing = match[3] === "/";
      if (match[2] === "row") {
        if (closing) {
          if (this.inRow && this.rowHasValue) this.rows += 1;
          this.inRow = false;
        } else if (!selfClosing) {
          this.inRow = true;
          this.rowHasValue = false;
        }
      } else if (!closing && !selfClosing && this.inRow) {
        this.rowHasValue = true;
      }
    }
  }
}
