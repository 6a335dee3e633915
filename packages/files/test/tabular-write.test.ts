import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PassThrough, Writable } from "node:stream";
import { buffer as collect } from "node:stream/consumers";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecords, type TabularFormat } from "../src/tabular-read";
import { contentTypeFor, createTabularWriter, extensionFor, type ExportColumn } from "../src/tabular-write";
import { createLocalDiskStorage } from "../src/storage";

const columns: ExportColumn[] = [
  { key: "firstName", header: "First name" },
  { key: "email", header: "Email" },
  { key: "phone", header: "Phone" },
  { key: "note", header: "Note" },
];

const rows: Record<string, unknown>[] = [
  { firstName: "Ada", email: "ada@example.com", phone: "+44 20 7946 0958", note: "Lovelace, \"Countess\"\nLondon" },
  { firstName: "=HYPERLINK(\"http://evil\")", email: "@SUM(1)", phone: "-1+1", note: "\tcmd" },
  { firstName: "Zoë", email: null, phone: undefined, note: 42 },
];

async function writeAll(format: TabularFormat, data: Record<string, unknown>[], cols = columns): Promise<Buffer> {
  const out = new PassThrough();
  const collected = collect(out);
  const writer = createTabularWriter(format, cols, out);
  for (const row of data) await writer.write(row);
  await writer.end();
  return collected;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "files-export-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("content types and extensions", () => {
  it.each([
    ["CSV", "text/csv; charset=utf-8", ".csv"],
    ["Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"],
    ["JSON", "application/json", ".json"],
  ] as const)("%s → %s, %s", (format, type, extension) => {
    expect(contentTypeFor(format)).toBe(type);
    expect(extensionFor(format)).toBe(extension);
  });
});

describe("createTabularWriter", () => {
  it("writes CSV with a BOM, a header row and neutralized formula cells", async () => {
    const bytes = await writeAll("CSV", rows);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString("utf8");
    expect(text.split("\n")[0]).toBe("First name,Email,Phone,Note");
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")",'@SUM(1),'-1+1,'\tcmd`);
    expect(text).toContain("'+44 20 7946 0958");
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it("round-trips CSV through readRecords", async () => {
    const { columns: read, rows: back } = await readRecords(await writeAll("CSV", rows), { format: "CSV" });
    expect(read).toEqual(["First name", "Email", "Phone", "Note"]);
    expect(back).toEqual([
      { "First name": "Ada", Email: "ada@example.com", Phone: "'+44 20 7946 0958", Note: 'Lovelace, "Countess"\nLondon' },
      { "First name": "'=HYPERLINK(\"http://evil\")", Email: "'@SUM(1)", Phone: "'-1+1", Note: "'\tcmd" },
      { "First name": "Zoë", Email: "", Phone: "", Note: "42" },
    ]);
  });

  it("writes an XLSX with a bold header and neutralized string cells, readable by exceljs and readRecords", async () => {
    const bytes = await writeAll("Excel", [...rows, { firstName: "Dated", note: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet?.getRow(3).getCell(1).value).toBe("'=HYPERLINK(\"http://evil\")");
    expect(sheet?.getRow(3).getCell(1).formula).toBeUndefined();
    expect(sheet?.getRow(4).getCell(4).value).toBe(42);

    const { columns: read, rows: back } = await readRecords(bytes, { format: "Excel" });
    expect(read).toEqual(["First name", "Email", "Phone", "Note"]);
    expect(back).toEqual([
      { "First name": "Ada", Email: "ada@example.com", Phone: "'+44 20 7946 0958", Note: 'Lovelace, "Countess"\nLondon' },
      { "First name": "'=HYPERLINK(\"http://evil\")", Email: "'@SUM(1)", Phone: "'-1+1", Note: "'\tcmd" },
      { "First name": "Zoë", Email: "", Phone: "", Note: "42" },
      { "First name": "Dated", Email: "", Phone: "", Note: "2024-01-02T03:04:05.000Z" },
    ]);
  });

  it("keeps numbers, booleans and dates as values, not neutralized text", async () => {
    const cols: ExportColumn[] = [
      { key: "balance", header: "Balance" },
      { key: "active", header: "Active" },
      { key: "since", header: "Since" },
      { key: "code", header: "Code" },
    ];
    const row = { balance: -5.5, active: false, since: new Date(Date.UTC(2024, 0, 2)), code: "-5" };
    const csvText = (await writeAll("CSV", [row], cols)).subarray(3).toString();
    expect(csvText.split("\n")[1]).toBe("-5.5,false,2024-01-02T00:00:00.000Z,'-5");

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await writeAll("Excel", [row], cols)) as unknown as ArrayBuffer);
    const cells = workbook.worksheets[0]?.getRow(2);
    expect(cells?.getCell(1).value).toBe(-5.5);
    expect(cells?.getCell(2).value).toBe(false);
    expect(cells?.getCell(3).value).toEqual(new Date(Date.UTC(2024, 0, 2)));
    expect(cells?.getCell(4).value).toBe("'-5");
  });

  it("writes JSON as an array of objects keyed by column key, without neutralizing", async () => {
    const bytes = await writeAll("JSON", rows);
    const parsed = JSON.parse(bytes.toString("utf8"));
    expect(parsed).toEqual([
      { firstName: "Ada", email: "ada@example.com", phone: "+44 20 7946 0958", note: 'Lovelace, "Countess"\nLondon' },
      { firstName: "=HYPERLINK(\"http://evil\")", email: "@SUM(1)", phone: "-1+1", note: "\tcmd" },
      { firstName: "Zoë", email: null, phone: null, note: 42 },
    ]);
    const { rows: back } = await readRecords(bytes, { format: "JSON" });
    expect(back[1]).toEqual({ firstName: "=HYPERLINK(\"http://evil\")", email: "@SUM(1)", phone: "-1+1", note: "cmd" });
  });

  it("writes valid empty files with only a header (or an empty array)", async () => {
    expect((await writeAll("CSV", [])).subarray(3).toString()).toBe("First name,Email,Phone,Note\n");
    expect(JSON.parse((await writeAll("JSON", [])).toString())).toEqual([]);
    const xlsx = await readRecords(await writeAll("Excel", []), { format: "Excel" });
    expect(xlsx).toEqual({ columns: ["First name", "Email", "Phone", "Note"], rows: [] });
  });

  it.each(["CSV", "Excel", "JSON"] as const)("%s: a failing output rejects instead of hanging", async (format) => {
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        callback(new Error("disk full"));
      },
    });
    const writer = createTabularWriter(format, columns, out);
    const attempt = (async () => {
      for (let i = 0; i < 5_000; i += 1) await writer.write(rows[0] as Record<string, unknown>);
      await writer.end();
    })();
    await expect(attempt).rejects.toThrow("disk full");
  });

  it.each(["CSV", "Excel"] as const)(
    "%s: streams a 50,000-row export to a file with flat memory",
    async (format) => {
      const storage = createLocalDiskStorage(dir);
      const key = `contact-exports/tenant-a/big${extensionFor(format)}`;
      const { stream, done } = await storage.createWriteStream(key);
      const wide: ExportColumn[] = [
        ...columns,
        { key: "company", header: "Company" },
        { key: "city", header: "City" },
        { key: "createdAt", header: "Created at" },
      ];
      const writer = createTabularWriter(format, wide, stream);
      const heapBefore = process.memoryUsage().heapUsed;
      let heapPeak = heapBefore;
      const started = performance.now();
      for (let i = 0; i < 50_000; i += 1) {
        await writer.write({
          firstName: `Person ${i}`,
          email: `person${i}@example.com`,
          phone: `+44 20 7946 ${String(i).padStart(4, "0")}`,
          note: i % 100 === 0 ? `=cmd|' /C calc'!A${i}` : `Met at event ${i % 37}, follow up next quarter.`,
          company: `Company ${i % 1000} Ltd`,
          city: ["London", "Paris", "Berlin", "Köln"][i % 4],
          createdAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
        });
        if (i % 1_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }
      await writer.end();
      const { size } = await done();
      const ms = performance.now() - started;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      console.log(
        `${format} 50,000 rows: ${ms.toFixed(0)} ms, ${mb(size)} MB file, heap before ${mb(heapBefore)} MB, ` +
          `peak ${mb(heapPeak)} MB (+${mb(heapPeak - heapBefore)} MB), rss ${mb(process.memoryUsage().rss)} MB`,
      );
      expect((await stat(join(dir, ...key.split("/")))).size).toBe(size);
      if (format === "CSV") {
        const text = await readFile(join(dir, ...key.split("/")), "utf8");
        expect(text.trimEnd().split("\n")).toHaveLength(50_001);
        expect(text).toContain("'=cmd|' /C calc'!A100");
      } else {
        // A streaming read keeps this check cheap; readRecords would (rightly) refuse 50,000 rows.
        const reader = new ExcelJS.stream.xlsx.WorkbookReader(join(dir, ...key.split("/")), {});
        let count = 0;
        for await (const sheet of reader) for await (const _row of sheet) count += 1;
        expect(count).toBe(50_001);
      }
    },
  );
});
