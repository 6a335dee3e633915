import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startTestServer, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

let server: TestServer;
let worker: WorkerProcess;

beforeAll(async () => {
  [server, worker] = await Promise.all([startTestServer(), startWorker()]);
});
afterAll(async () => {
  await Promise.all([server.close(), worker.stop()]);
});

async function tenantWithCustomers() {
  const tenant = newTenant();
  const token = await server.token("CustomerManager", tenant);
  const api = rest(server.url, token);
  const alpha = (await api.post("/customers", customerBody({ companyName: "Alpha Exports", industry: "=SUM(A1:A9)", primaryEmail: "alpha@export.example" }))).body;
  const beta = (await api.post("/customers", customerBody({ companyName: "Beta Exports", type: "Enterprise", primaryEmail: "beta@export.example" }))).body;
  const gamma = (await api.post("/customers", customerBody({ companyName: "Gamma Trading", primaryEmail: "gamma@export.example" }))).body;
  await api.put(`/customers/${beta.id}/tags`, { tags: ["vip", "press"] });
  await api.post(`/customers/${gamma.id}/deactivate`, { reason: "Gone away" });
  return { tenant, token, api, alpha, beta, gamma };
}

async function download(url: string, token?: string) {
  const res = await fetch(`${server.url}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: Buffer.from(await res.arrayBuffer()) };
}
const csvLines = (b: Buffer) => b.toString("utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);

describe("export jobs (POST /customers/bulk/export)", () => {
  it("writes CSV with headers, chosen fields and the search's filters, neutralizes formulas, and serves it by a signed URL", async () => {
    const { api, alpha, beta } = await tenantWithCustomers();
    const res = await api.post("/customers/bulk/export", { format: "CSV", fields: ["customerNumber", "companyName", "industry", "primaryEmail", "tags"] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "Completed", recordCount: 2, format: "CSV" });
    expect(new Date(res.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);
    const file = await download(res.body.downloadUrl);
    expect(file.status).toBe(200);
    expect(file.type).toContain("text/csv");
    const lines = csvLines(file.body);
    expect(lines[0]).toBe("Customer number,Company name,Industry,Primary email,Tags");
    // The deactivated customer is not exported.
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`${alpha.customerNumber},Alpha Exports,'=SUM(A1:A9),alpha@export.example,`);
    expect(lines[2]).toBe(`${beta.customerNumber},Beta Exports,Manufacturing,beta@export.example,press;vip`);

    const count = async (filters: object) => (await api.post("/customers/bulk/export", { filters })).body.recordCount;
    expect(await count({ query: "alpha" })).toBe(1);
    expect(await count({ query: "exports" })).toBe(2);
    expect(await count({ type: ["Enterprise"] })).toBe(1);
    expect(await count({ tags: ["VIP"] })).toBe(1);
    expect(await count({ ids: [alpha.id] })).toBe(1);
    expect(await count({ createdFrom: new Date(Date.now() + 3600_000).toISOString() })).toBe(0);

    const token = new URL(res.body.downloadUrl, server.url).searchParams.get("token")!;
    expect((await download(`/api/v1/files/download?token=${token}x`)).status).toBe(403);
  });

  it("writes Excel and JSON", async () => {
    const { api } = await tenantWithCustomers();
    const x = await api.post("/customers/bulk/export", { format: "xlsx", fields: ["companyName", "industry"] });
    expect(x.body).toMatchObject({ status: "Completed", format: "Excel" });
    const file = await download(x.body.downloadUrl);
    expect(file.type).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body as never);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([undefined, "Company name", "Industry"]);
    expect(ws.getRow(2).getCell(2).value).toBe("'=SUM(A1:A9)");
    const j = await api.post("/customers/bulk/export", { format: "JSON", fields: ["companyName", "segment"] });
    const data = JSON.parse((await download(j.body.downloadUrl)).body.toString("utf8"));
    expect(data).toEqual([
      { companyName: "Alpha Exports", segment: "Standard" },
      { companyName: "Beta Exports", segment: "Corporate" },
    ]);
  });

  it("answers 400 for unknown fields and bad filters, 403 without data:export, 404 for another tenant's export", async () => {
    const { api } = await tenantWithCustomers();
    const badField = await api.post("/customers/bulk/export", { fields: ["password"] });
    expect(badField.status).toBe(400);
    expect(Object.keys(badField.body.errors)[0]).toMatch(/^fields/);
    expect((await api.post("/customers/bulk/export", { format: "PDF" })).status).toBe(400);
    const badTag = await api.post("/customers/bulk/export", { filters: { tags: ["no spaces"] } });
    expect(badTag.status).toBe(400);
    expect(badTag.body.errors).toHaveProperty(["filters.tags"]);
    const sales = rest(server.url, await server.token("SalesRep", newTenant()));
    expect((await sales.post("/customers/bulk/export", {})).status).toBe(403);
    const done = await api.post("/customers/bulk/export", {});
    const other = rest(server.url, await server.token("Admin", newTenant()));
    expect((await other.get(`/customers/bulk/export/${done.body.exportId}`)).status).toBe(404);
    expect((await api.get(`/customers/contacts/export/${done.body.exportId}`)).status).toBe(404);
    expect((await api.get(`/customers/bulk/export/${done.body.exportId}`)).body).toMatchObject({ status: "Completed", recordCount: 2 });
    // Another tenant exports none of these customers.
    expect((await other.post("/customers/bulk/export", {})).body.recordCount).toBe(0);
  });

  it("hands larger exports to the worker, which streams them into a file", async () => {
    const tenant = newTenant();
    const token = await server.token("CustomerManager", tenant);
    const api = rest(server.url, token);
    for (let i = 0; i < 1010; i += 50) await Promise.all(Array.from({ length: 50 }, () => api.post("/customers", customerBody())));
    const res = await api.post("/customers/bulk/export", { format: "CSV", fields: ["customerNumber", "primaryEmail"] });
    expect(res.status).toBe(202);
    const status = await eventually(
      async () => (await api.get(`/customers/bulk/export/${res.body.exportId}`)).body,
      (s) => s.status === "Completed",
      60_000,
      (last) => `export did not complete: ${JSON.stringify(last)}\n${worker.output()}`,
    );
    expect(status.recordCount).toBe(1050);
    const lines = csvLines((await download(status.downloadUrl)).body);
    expect(lines).toHaveLength(1051);
    expect(lines[1]).toMatch(/^CUS-000001,/);
  }, 120_000);
});

describe("GET /customers/export (streamed download)", () => {
  it("streams the selected customers in the format asked for, with the same filters", async () => {
    const { token, alpha, beta } = await tenantWithCustomers();
    const csv = await download(`/api/v1/customers/export?fields=customerNumber,companyName,industry&type=SmallBusiness`, token);
    expect(csv.status).toBe(200);
    expect(csvLines(csv.body)).toEqual(["Customer number,Company name,Industry", `${alpha.customerNumber},Alpha Exports,'=SUM(A1:A9)`]);
    const json = await download(`/api/v1/customers/export?format=JSON&fields=id,tags&query=beta`, token);
    expect(json.type).toContain("application/json");
    expect(JSON.parse(json.body.toString("utf8"))).toEqual([{ id: beta.id, tags: "press;vip" }]);
    const all = await download(`/api/v1/customers/export`, token);
    expect(csvLines(all.body)).toHaveLength(3);
  });

  it("answers 400 for bad parameters, 401 without a token, 403 without data:export", async () => {
    const { token } = await tenantWithCustomers();
    const bad = await download(`/api/v1/customers/export?fields=nope`, token);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString("utf8")).errors).toBeDefined();
    expect((await download(`/api/v1/customers/export?status=Sleeping`, token)).status).toBe(400);
    expect((await download(`/api/v1/customers/export`)).status).toBe(401);
    expect((await download(`/api/v1/customers/export`, await server.token("Viewer", newTenant()))).status).toBe(403);
  });
});

describe("round trip", () => {
  it("an export imports back as an upsert without a change or an error", async () => {
    const { token, api, beta } = await tenantWithCustomers();
    const file = await download(`/api/v1/customers/export?fields=customerNumber,type,companyName,industry,primaryEmail,primaryPhone,billingStreet,billingCity,billingState,billingZipCode,billingCountry,tags`, token);
    const form = new FormData();
    form.set("file", new Blob([file.body], { type: "text/csv" }), "customers.csv");
    form.set("mode", "upsert");
    const res = await api.post("/customers/bulk/import", form);
    expect(res.body).toMatchObject({ status: "Completed", imported: 0, updated: 2, failed: 0 });
    expect((await api.get(`/customers/${beta.id}`)).body).toMatchObject({ version: beta.version + 1, tags: ["press", "vip"] });
  });
});
