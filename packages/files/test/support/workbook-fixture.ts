import ExcelJS from "exceljs";

/** A real .xlsx made by exceljs, rows given as arrays (first row = header). */
export async function buildXlsx(rows: ExcelJS.CellValue[][], sheetName = "Contacts"): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
