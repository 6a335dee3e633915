import { describe, expect, it } from "vitest";
import { detectFormat } from "../src/tabular-read";
import { buildXlsx } from "./support/workbook-fixture";
import { buildZip } from "./support/zip-fixture";

const csv = Buffer.from("First name,Email\nAda,ada@example.com\n");
const json = Buffer.from('  [{"First name": "Ada"}]');
const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

describe("detectFormat", () => {
  it("recognises CSV, JSON and a real XLSX by content", async () => {
    expect(detectFormat(csv)).toBe("CSV");
    expect(detectFormat(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv]))).toBe("CSV");
    expect(detectFormat(json)).toBe("JSON");
    expect(detectFormat(Buffer.from('\n{"contacts": []}'))).toBe("JSON");
    expect(detectFormat(await buildXlsx([["First name"], ["Ada"]]))).toBe("Excel");
  });

  it("accepts a matching claim", async () => {
    expect(detectFormat(csv, "CSV")).toBe("CSV");
    expect(detectFormat(json, "JSON")).toBe("JSON");
    expect(detectFormat(await buildXlsx([["a"]]), "Excel")).toBe("Excel");
  });

  it("rejects PNG bytes, whatever the claim", () => {
    for (const claimed of [undefined, "CSV", "Excel", "JSON"] as const) {
      expect(() => detectFormat(png, claimed)).toThrow(
        expect.objectContaining({ code: "UNSUPPORTED_FORMAT", message: expect.stringContaining("PNG") }),
      );
    }
  });

  it.each([
    ["a PDF", Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "latin1")],
    ["a legacy .xls", Buffer.from("d0cf11e0a1b11ae1000000000000000000", "hex")],
    ["a zip without xl/", buildZip([{ name: "word/document.xml", data: Buffer.from("<w/>") }])],
    ["binary with NUL bytes", Buffer.from([0x41, 0x00, 0x42, 0x43])],
    ["Latin-1 text", Buffer.from("Name\nJos\xe9\n", "latin1")],
  ])("rejects %s as unsupported", (_label, bytes) => {
    expect(() => detectFormat(bytes)).toThrow(
      expect.objectContaining({
        name: "FileRejectedError",
        code: "UNSUPPORTED_FORMAT",
        message: expect.stringContaining("unsupported or unrecognized file content"),
      }),
    );
  });

  it("rejects a damaged zip as malformed", () => {
    const zip = buildZip([{ name: "xl/workbook.xml", data: Buffer.from("<w/>") }]);
    expect(() => detectFormat(zip.subarray(0, zip.length - 30))).toThrow(expect.objectContaining({ code: "MALFORMED" }));
  });

  it("rejects an empty file", () => {
    expect(() => detectFormat(Buffer.from(" \n\t"))).toThrow(
      expect.objectContaining({ code: "MALFORMED", message: "the file is empty" }),
    );
  });

  it("rejects content that doesn't match the claimed format, both ways", async () => {
    const xlsx = await buildXlsx([["First name"], ["Ada"]]);
    expect(() => detectFormat(xlsx, "CSV")).toThrow(
      expect.objectContaining({ code: "FORMAT_MISMATCH", message: "the file's content is Excel, not CSV" }),
    );
    expect(() => detectFormat(csv, "Excel")).toThrow(
      expect.objectContaining({ code: "FORMAT_MISMATCH", message: "the file's content is CSV, not Excel" }),
    );
    expect(() => detectFormat(json, "CSV")).toThrow(
      expect.objectContaining({ code: "FORMAT_MISMATCH", message: "the file's content is JSON, not CSV" }),
    );
    expect(() => detectFormat(csv, "JSON")).toThrow(
      expect.objectContaining({ code: "FORMAT_MISMATCH", message: "the file's content is CSV, not JSON" }),
    );
  });
});
