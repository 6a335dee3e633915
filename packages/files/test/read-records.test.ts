import { describe, expect, it } from "vitest";
import { MAX_IMPORT_BYTES, readRecords } from "../src/tabular-read";
import { buildXlsx } from "./support/workbook-fixture";

const csv = (text: string) => Buffer.from(text, "utf8");
const bom = Buffer.from([0xef, 0xbb, 0xbf]);

function csvWithRows(count: number): Buffer {
  const lines = ["First name,Last name,Email"];
  for (let i = 1; i <= count; i += 1) lines.push(`Name${i},Surname${i},person${i}@example.com`);
  return Buffer.from(lines.join("\n"));
}

describe("readRecords: CSV", () => {
  it("reads a comma-separated file with a header row", async () => {
    const result = await readRecords(csv("First name,Email\nAda,ada@example.com\nGrace,grace@example.com\n"), {
      format: "CSV",
    });
    expect(result).toEqual({
      columns: ["First name", "Email"],
      rows: [
        { "First name": "Ada", Email: "ada@example.com" },
        { "First name": "Grace", Email: "grace@example.com" },
      ],
    });
  });

  it("detects semicolons and tabs from the header line", async () => {
    const semicolon = await readRecords(csv("Name;City\nMüller, Hans;Köln\n"), { format: "CSV" });
    expect(semicolon.rows).toEqual([{ Name: "Müller, Hans", City: "Köln" }]);
    const tab = await readRecords(csv("Name\tCity\nAda, Countess;\tLondon\n"), { format: "CSV" });
    expect(tab.rows).toEqual([{ Name: "Ada, Countess;", City: "London" }]);
  });

  it("strips a UTF-8 BOM from the first header", async () => {
    const result = await readRecords(Buffer.concat([bom, csv("Email,Name\nada@example.com,Ada\n")]), {
      format: "CSV",
    });
    expect(result.columns).toEqual(["Email", "Name"]);
    expect(result.rows[0]).toEqual({ Email: "ada@example.com", Name: "Ada" });
  });

  it("keeps quoted commas, quotes and newlines inside a field", async () => {
    const result = await readRecords(
      csv('Name,Address,Note\n"Lovelace, Ada","1 High St\nLondon","said ""hi"""\n'),
      { format: "CSV" },
    );
    expect(result.rows).toEqual([{ Name: "Lovelace, Ada", Address: "1 High St\nLondon", Note: 'said "hi"' }]);
  });

  it("trims, skips empty lines, and lets a short row miss fields instead of failing", async () => {
    const result = await readRecords(
      csv("\n First name , Email ,Phone\n\n  Ada ,ada@example.com\n,,\n\r\nGrace,grace@example.com,+1 555 0100,extra\n\n"),
      { format: "CSV" },
    );
    expect(result.columns).toEqual(["First name", "Email", "Phone"]);
    expect(result.rows).toEqual([
      { "First name": "Ada", Email: "ada@example.com" },
      { "First name": "Grace", Email: "grace@example.com", Phone: "+1 555 0100" },
    ]);
  });

  it("names blank headers and keeps duplicate ones apart", async () => {
    const result = await readRecords(csv("Phone,,Phone,\n1,2,3,\n"), { format: "CSV" });
    expect(result.columns).toEqual(["Phone", "column_2", "Phone (2)"]);
    expect(result.rows).toEqual([{ Phone: "1", column_2: "2", "Phone (2)": "3" }]);
  });

  it("treats a __proto__ column as data", async () => {
    const result = await readRecords(csv("__proto__,Name\nx,Ada\n"), { format: "CSV" });
    expect(Object.getPrototypeOf(result.rows[0])).toBe(Object.prototype);
    expect(result.rows[0]?.["__proto__"]).toBe("x");
  });

  it("rejects malformed CSV with a clear message", async () => {
    await expect(readRecords(csv('Name,Email\n"Ada,ada@example.com\n'), { format: "CSV" })).rejects.toMatchObject({
      name: "FileRejectedError",
      code: "MALFORMED",
      message: expect.stringMatching(/^the CSV file is malformed: .*quote/i),
    });
  });

  it("rejects a header-only-whitespace file", async () => {
    await expect(readRecords(csv(",,,\n"), { format: "CSV" })).rejects.toMatchObject({
      code: "MALFORMED",
      message: "the file has no header row",
    });
  });

  it("accepts exactly 10,000 records and refuses 10,001", async () => {
    const ok = await readRecords(csvWithRows(10_000), { format: "CSV" });
    expect(ok.rows).toHaveLength(10_000);
    expect(ok.rows[9_999]).toEqual({ "First name": "Name10000", "Last name": "Surname10000", Email: "person10000@example.com" });
    await expect(readRecords(csvWithRows(10_001), { format: "CSV" })).rejects.toMatchObject({
      code: "TOO_MANY_RECORDS",
      message: expect.stringContaining("10,000"),
    });
  });

  it("stops parsing at the limit instead of reading the whole file", async () => {
    // The unclosed quote at the end would be MALFORMED if the parser ever got there.
    const tail = Buffer.from(`\n"${"x".repeat(5 * 1024 * 1024)}`);
    await expect(readRecords(Buffer.concat([csvWithRows(10_001), tail]), { format: "CSV" })).rejects.toMatchObject({
      code: "TOO_MANY_RECORDS",
    });
  });

  it("honours a smaller maxRecords", async () => {
    await expect(readRecords(csvWithRows(3), { format: "CSV", maxRecords: 2 })).rejects.toMatchObject({
      code: "TOO_MANY_RECORDS",
    });
  });

  it("rejects a buffer over 10 MB before parsing", async () => {
    const big = Buffer.alloc(MAX_IMPORT_BYTES + 1, "a");
    await expect(readRecords(big, { format: "CSV" })).rejects.toMatchObject({
      code: "TOO_LARGE",
      message: "the file is larger than 10 MB",
    });
  });

  it("rejects content that isn't what the format says", async () => {
    await expect(readRecords(csv('[{"a":1}]'), { format: "CSV" })).rejects.toMatchObject({ code: "FORMAT_MISMATCH" });
  });
});

describe("readRecords: JSON", () => {
  it("reads an array of flat objects, stringifying values and nested ones as JSON", async () => {
    const body = [
      { firstName: " Ada ", age: 36, vip: true, tags: ["math", "poetry"], address: { city: "London" }, note: null },
      { firstName: "Grace", email: "grace@example.com" },
      {},
      { firstName: "", note: null },
    ];
    const result = await readRecords(Buffer.from(JSON.stringify(body)), { format: "JSON" });
    expect(result.columns).toEqual(["firstName", "age", "vip", "tags", "address", "note", "email"]);
    expect(result.rows).toEqual([
      {
        firstName: "Ada",
        age: "36",
        vip: "true",
        tags: '["math","poetry"]',
        address: '{"city":"London"}',
        note: "",
      },
      { firstName: "Grace", email: "grace@example.com" },
    ]);
  });

  it('reads { "contacts": [...] } with a BOM', async () => {
    const body = Buffer.concat([bom, Buffer.from(JSON.stringify({ contacts: [{ email: "ada@example.com" }] }))]);
    expect(await readRecords(body, { format: "JSON" })).toEqual({
      columns: ["email"],
      rows: [{ email: "ada@example.com" }],
    });
  });

  it.each([
    ['[{"email": "ada@example.com",}]', /^the JSON file is malformed: /],
    ['{"contacts": [{"email": "ada@', /^the JSON file is malformed: /],
    ['{"people": []}', /array of objects or \{ "contacts"/],
    ['{"contacts": {"email": "x"}}', /array of objects or \{ "contacts"/],
    ['[{"email": "a"}, "just a string"]', /^item 2 of the JSON file is not an object$/],
    ['[[1, 2]]', /^item 1 of the JSON file is not an object$/],
  ])("rejects %s", async (text, message) => {
    await expect(readRecords(Buffer.from(text), { format: "JSON" })).rejects.toMatchObject({
      name: "FileRejectedError",
      code: "MALFORMED",
      message: expect.stringMatching(message),
    });
  });

  it("accepts 10,000 records and refuses 10,001", async () => {
    const items = (n: number) => Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => ({ n: i }))));
    expect((await readRecords(items(10_000), { format: "JSON" })).rows).toHaveLength(10_000);
    await expect(readRecords(items(10_001), { format: "JSON" })).rejects.toMatchObject({ code: "TOO_MANY_RECORDS" });
  });
});

describe("readRecords: Excel", () => {
  it("reads strings, numbers, dates, booleans, rich text, hyperlinks and formula results as text", async () => {
    const xlsx = await buildXlsx([
      ["First name", "Score", "Born", "Last contact", "VIP", "Bio", "Website", "Total", "Big"],
      [
        " Ada ",
        36.5,
        new Date(Date.UTC(1815, 11, 10)),
        new Date(Date.UTC(2024, 2, 1, 14, 30, 0)),
        true,
        { richText: [{ text: "Count" }, { text: "ess", font: { bold: true } }] },
        { text: "example.com", hyperlink: "https://example.com" },
        { formula: "B2*2", result: 73 },
        1e21,
      ],
      [],
      ["Grace", 0.000001],
    ]);
    const result = await readRecords(xlsx, { format: "Excel" });
    expect(result.columns).toEqual([
      "First name",
      "Score",
      "Born",
      "Last contact",
      "VIP",
      "Bio",
      "Website",
      "Total",
      "Big",
    ]);
    expect(result.rows).toEqual([
      {
        "First name": "Ada",
        Score: "36.5",
        Born: "1815-12-10",
        "Last contact": "2024-03-01T14:30:00.000Z",
        VIP: "true",
        Bio: "Countess",
        Website: "example.com",
        Total: "73",
        Big: "1000000000000000000000",
      },
      { "First name": "Grace", Score: "0.000001" },
    ]);
  });

  it("reads only the first worksheet", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("People").addRows([["Name"], ["Ada"]]);
    workbook.addWorksheet("Other").addRows([["Ignored"], ["x"]]);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(await readRecords(xlsx, { format: "Excel" })).toEqual({ columns: ["Name"], rows: [{ Name: "Ada" }] });
  });

  it("accepts 10,000 records and refuses 10,001", async () => {
    const rows = (n: number) => [["Name", "Email"], ...Array.from({ length: n }, (_, i) => [`N${i}`, `p${i}@example.com`])];
    expect((await readRecords(await buildXlsx(rows(10_000)), { format: "Excel" })).rows).toHaveLength(10_000);
    await expect(readRecords(await buildXlsx(rows(10_001)), { format: "Excel" })).rejects.toMatchObject({
      code: "TOO_MANY_RECORDS",
    });
  });

  it("rejects an empty workbook sheet as having no header", async () => {
    await expect(readRecords(await buildXlsx([]), { format: "Excel" })).rejects.toMatchObject({
      code: "MALFORMED",
      message: "the file has no header row",
    });
  });
});
