import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTenant, startTestServer, uploadFile, type TestServer, type Upload } from "./harness";

// The import wizard's first step: what an import of the file would read, before mapping its columns.
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const preview = (token: string, u: Upload) => uploadFile(server.url, token, "/customers/bulk/import/preview", "customers.csv", u);
const lines = (n: number) => ["Firm,E-mail,Kind", ...Array.from({ length: n }, (_, i) => `Firm ${i + 1},f${i + 1}@preview.example,SmallBusiness`)].join("\n");
const importsOf = async (tenant: string) =>
  Number((await server.deps.db.selectFrom("contactImports").select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", tenant).executeTakeFirstOrThrow()).n);

describe("POST /customers/bulk/import/preview", () => {
  it("answers the format, columns, record count and first 10 records, and stores nothing", async () => {
    const tenant = newTenant();
    const token = await server.token("SalesRep", tenant);
    const res = await preview(token, { content: `${lines(25)}\n,,\n` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ format: "CSV", columns: ["Firm", "E-mail", "Kind"], totalRows: 25 });
    expect(res.body.rows).toHaveLength(10);
    expect(res.body.rows[0]).toEqual({ Firm: "Firm 1", "E-mail": "f1@preview.example", Kind: "SmallBusiness" });
    expect(res.body.rows[9].Firm).toBe("Firm 10");
    expect(await importsOf(tenant)).toBe(0);

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Customers");
    ws.addRow(["Firm", "E-mail"]);
    ws.addRow(["Excel Co", "x@preview.example"]);
    const excel = await preview(token, { content: Buffer.from(await wb.xlsx.writeBuffer()), name: "c.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    expect(excel.body).toMatchObject({ format: "Excel", columns: ["Firm", "E-mail"], totalRows: 1, rows: [{ Firm: "Excel Co", "E-mail": "x@preview.example" }] });
    const json = await preview(token, { content: JSON.stringify([{ Firm: "Json Co", n: 3 }]), name: "c.json", type: "application/json", fields: { format: "JSON" } });
    expect(json.body).toMatchObject({ format: "JSON", columns: ["Firm", "n"], rows: [{ Firm: "Json Co", n: "3" }] });
  });

  it("the same procedure over tRPC takes the file in base64", async () => {
    const token = await server.token("CustomerManager", newTenant());
    // A mutation as @trpc/client sends it (no transformer: the JSON input is the body).
    const mutate = (input: unknown) =>
      fetch(`${server.url}/trpc/customers.bulkImportPreview`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(input) });
    const ok = await mutate({ file: Buffer.from(lines(2)).toString("base64"), fileName: "c.csv" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).result.data).toMatchObject({ format: "CSV", totalRows: 2, columns: ["Firm", "E-mail", "Kind"] });
    expect((await mutate({ file: "%%%" })).status).toBe(400);
  });

  it("refuses what the import refuses: no file, no records, a wrong format or a format claim the content belies", async () => {
    const token = await server.token("CustomerManager", newTenant());
    const none = await fetch(`${server.url}/api/v1/customers/bulk/import/preview`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: new FormData() });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { errors: unknown }).errors).toHaveProperty("file");
    const empty = await preview(token, { content: "Firm,E-mail\n" });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual({ file: ["has no records"] });
    const png = await preview(token, { content: Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex"), name: "x.png", type: "image/png" });
    expect(png.status).toBe(415);
    expect(png.body.detail).toMatch(/PNG/);
    const claimed = await preview(token, { content: lines(1), fields: { format: "JSON" } });
    expect(claimed.status).toBe(400);
    expect(claimed.body.detail).toMatch(/content is CSV, not JSON/);
    expect((await preview(token, { content: lines(1), fields: { format: "Word" } })).status).toBe(400);
    // Over the import's 50 MB: refused while it arrives (multer's limit), as the import's upload is.
    const big = await preview(token, { content: Buffer.alloc(50 * 1024 * 1024 + 1, "a") });
    expect(big.status).toBe(413);
  });

  it("needs the import's privilege (customer:create) and a token", async () => {
    const tenant = newTenant();
    expect((await preview(await server.token("Viewer", tenant), { content: lines(1) })).status).toBe(403);
    expect((await preview(await server.token("SupportAgent", tenant), { content: lines(1) })).status).toBe(403);
    expect((await preview("not-a-token", { content: lines(1) })).status).toBe(401);
  });
});
