/**
 * The column names of an import file, read in the browser where that is cheap, for an import
 * whose API has no preview (contacts): a CSV's header line or a JSON file's keys. An Excel file
 * needs a zip and XML reader the app does not load, so it answers null: it is sent without
 * mappings and its columns map by name. Binary content that is none of these answers null too:
 * the API then says what it is (415). Names follow the API's reader (tabular-read.ts): trimmed,
 * trailing blank cells dropped, a blank one called column_N and a repeated one "Name (2)", so the
 * mappings name columns the API will find.
 */
export type FileColumns = { format: "CSV" | "JSON" | "Excel" | "not a table"; columns: string[] | null };

const DELIMITERS = [",", ";", "\t"] as const;

function headerNames(raw: string[]): string[] {
  const trimmed = raw.map((h) => h.trim());
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === "") trimmed.pop();
  const used = new Set<string>();
  return trimmed.map((header, i) => {
    const base = header === "" ? `column_${i + 1}` : header;
    let name = base;
    for (let n = 2; used.has(name); n += 1) name = `${base} (${n})`;
    used.add(name);
    return name;
  });
}

/** The first non-empty record of a CSV text: quoted cells may hold the delimiter, quotes ("") and line breaks. */
function firstCsvRecord(text: string): string[] {
  // As the API: the delimiter used most in the header line outside quotes, comma on a tie.
  const line = text.trimStart().split(/\r?\n/, 1)[0] ?? "";
  const counts = DELIMITERS.map((d) => line.split('"').filter((_, i) => i % 2 === 0).join("").split(d).length - 1);
  const delimiter = DELIMITERS[counts.indexOf(Math.max(...counts))] ?? ",";
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (cells.length > 0 || cell.trim() !== "") break;
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

function jsonColumns(text: string): string[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const items = Array.isArray(data) ? data : typeof data === "object" && data !== null ? (data as { contacts?: unknown }).contacts : undefined;
  if (!Array.isArray(items)) return null;
  const columns = new Set<string>();
  for (const item of items) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return null;
    for (const key of Object.keys(item)) if (key.trim() !== "") columns.add(key.trim());
  }
  return [...columns];
}

const notText = (c: string) => {
  const code = c.charCodeAt(0);
  return c === "\uFFFD" || code < 9 || (code > 13 && code < 32);
};

/** Reads the file's columns (see above); null columns when they cannot be read here (Excel, not JSON after all, no header). */
export async function readFileColumns(file: Blob): Promise<FileColumns> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  // A zip (PK\x03\x04) is an .xlsx workbook.
  if (head[0] === 0x50 && head[1] === 0x4b) return { format: "Excel", columns: null };
  const text = (await file.text()).replace(/^\uFEFF/, "");
  // Not UTF-8 text (the decoder's replacement character) or control bytes text files do not hold: an image, a PDF, …
  if ([...text.slice(0, 4096)].some(notText)) return { format: "not a table", columns: null };
  const start = text.trimStart()[0];
  if (start === "[" || start === "{") return { format: "JSON", columns: jsonColumns(text) };
  const columns = headerNames(firstCsvRecord(text));
  return { format: "CSV", columns: columns.length ? columns : null };
}
