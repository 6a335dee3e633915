import { performance } from "node:perf_hooks";
import type ExcelJS from "exceljs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { readRecords } from "../src/tabular-read";
import { buildZip, xlsxLikeZip } from "./support/zip-fixture";

// Every workbook that reaches exceljs is recorded, so "rejected before exceljs" is checked, not assumed.
const { loads } = vi.hoisted(() => ({ loads: [] as unknown[] }));
vi.mock("exceljs", async (importOriginal) => {
  const actual = (await importOriginal<{ default: typeof ExcelJS }>()).default;
  class RecordingWorkbook extends actual.Workbook {
    constructor() {
      super();
      const load = this.xlsx.load.bind(this.xlsx);
      this.xlsx.load = (buffer, options) => {
        loads.push(buffer);
        return load(buffer, options);
      };
    }
  }
  return { default: { ...actual, Workbook: RecordingWorkbook } };
});

beforeEach(() => {
  loads.length = 0;
});

const MB = 1024 * 1024;

function sheetXml(rows: number): Buffer {
  const body = Array.from({ length: rows }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`);
  return Buffer.from(`<?xml version="1.0"?><worksheet><sheetData>${body.join("")}</sheetData></worksheet>`);
}

describe("XLSX zip bomb defences", () => {
  it("refuses an entry that expands to 60 MB, before exceljs, quickly", async () => {
    const bomb = xlsxLikeZip(Buffer.alloc(60 * MB));
    console.log(`zip bomb: ${bomb.length} bytes compressed, 60 MB declared`);
    const started = performance.now();
    await expect(readRecords(bomb, { format: "Excel" })).rejects.toMatchObject({
      name: "FileRejectedError",
      code: "TOO_LARGE",
      message: expect.stringContaining("50 MB when uncompressed"),
    });
    console.log(`zip bomb rejected in ${(performance.now() - started).toFixed(1)} ms`);
    expect(loads).toHaveLength(0);
  });

  it("counts every entry towards the 50 MB total", async () => {
    const parts = Array.from({ length: 6 }, (_, i) => ({ name: `xl/media/image${i}.bin`, data: Buffer.alloc(9 * MB, i) }));
    await expect(readRecords(buildZip(parts), { format: "Excel" })).rejects.toMatchObject({ code: "TOO_LARGE" });
    expect(loads).toHaveLength(0);
  });

  it("refuses a sizeable entry compressed more than 100:1 even under the total", async () => {
    const dense = xlsxLikeZip(Buffer.alloc(5 * MB));
    await expect(readRecords(dense, { format: "Excel" })).rejects.toMatchObject({
      code: "TOO_LARGE",
      message: expect.stringContaining("compression ratio"),
    });
    expect(loads).toHaveLength(0);
  });

  it("refuses an entry that inflates past the size its headers declare", async () => {
    const liar = xlsxLikeZip(Buffer.alloc(60 * MB), { declaredSize: 1000 });
    const started = performance.now();
    await expect(readRecords(liar, { format: "Excel" })).rejects.toMatchObject({
      code: "MALFORMED",
      message: expect.stringContaining("larger than its header says"),
    });
    console.log(`lying-header bomb rejected in ${(performance.now() - started).toFixed(1)} ms`);
    expect(loads).toHaveLength(0);
  });

  it("refuses a sheet with more rows than the record limit before exceljs builds it", async () => {
    await expect(readRecords(xlsxLikeZip(sheetXml(10_002)), { format: "Excel" })).rejects.toMatchObject({
      code: "TOO_MANY_RECORDS",
    });
    expect(loads).toHaveLength(0);
  });

  it("lets a small, honest archive through to exceljs", async () => {
    // Header + 10,000 rows passes the guards; exceljs then finds it isn't a real workbook.
    await expect(readRecords(xlsxLikeZip(sheetXml(10_001)), { format: "Excel" })).rejects.toMatchObject({
      code: "MALFORMED",
    });
    expect(loads).toHaveLength(1);
  });

  it("reports a corrupt compressed stream as malformed", async () => {
    // Stored bytes relabelled as deflated in the central directory: inflating them fails.
    const bad = xlsxLikeZip(Buffer.from("<worksheet/>"), { stored: true });
    const central = bad.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bad.writeUInt16LE(8, central + 10);
    await expect(readRecords(bad, { format: "Excel" })).rejects.toMatchObject({ code: "MALFORMED" });
    expect(loads).toHaveLength(0);
  });
});
