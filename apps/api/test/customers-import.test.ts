import type { Role } from "@clientele/domain";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startTestServer, type Api, type TestServer, uploadFile, type Upload } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

let server: TestServer;
let worker: WorkerProcess;

beforeAll(async () => {
  [server, worker] = await Promise.all([startTestServer(), startWorker()]);
});
afterAll(async () => {
  await Promise.all([server.close(), worker.stop()]);
});

const upload = (token: string, u: Upload) => uploadFile(server.url, token, "/customers/bulk/import", "customers.csv", u);

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",")).join("\n");
const HEADER = ["type", "companyName", "primaryEmail", "primaryPhone", "billingStreet", "billingCity", "billingState", "billingZipCode", "billingCountry", "tags"];
const row = (company: string, email: string, o: { type?: string; phone?: string; tags?: string } = {}) => [
  o.type ?? "SmallBusiness",
  company,
  email,
  o.phone ?? "+44 20 7946 0958",
  "1 High Street",
  "London",
  "Greater London",
  "SW1A 1AA",
  "GB",
  o.tags ?? "",
];

async function setup(role: Role = "CustomerManager") {
  const tenant = newTenant();
  const token = await server.token(role, tenant);
  return { tenant, token, api: rest(server.url, token) };
}

const count = async (tenant: string, table: "customers" | "domainEvents" | "auditLog", where?: [string, string]) => {
  let q = server.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", tenant);
  if (where) q = q.where(where[0] as never, "=", where[1] as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
};
const customersByEmail = (tenant: string) =>
  server.deps.db.selectFrom("customers").select(["id", "customerNumber", "primaryEmail", "companyName"]).where("tenantId", "=", tenant).orderBy("customerNumber").execute();

async function waitFor(api: Api, importId: string, until: (s: any) => boolean, timeoutMs = 30_000) {
  const seen: any[] = [];
  const poll = async () => {
    const { body } = await api.get(`/customers/bulk/import/${importId}`);
    seen.push(body);
    return body;
  };
  const status = await eventually(poll, until, timeoutMs, (last) => `import did not get there: ${JSON.stringify(last)}\nworker output:\n${worker.output()}`);
  return { status, seen };
}

describe("small customer imports (run in the request)", () => {
  it("creates valid rows through the registration rules, reports every refused row, and detects duplicates in the file and among customers", async () => {
    const { tenant, token, api } = await setup();
    const existing = (await api.post("/customers", customerBody({ primaryEmail: "taken@import.example" }))).body;
    const file = csv([
      HEADER,
      row("Alpha Imports", "alpha@import.example", { tags: "vip;Wholesale" }),
      row("Beta Imports", "beta@import.example"),
      row("Bad Mail", "not-an-email"),
      row("No Type", "notype@import.example", { type: "" }),
      row("Again Alpha", "ALPHA@import.example"),
      row("Taken Already", "taken@import.example"),
      row("Bad Phone", "phone@import.example", { phone: "12" }),
      row("=HYPERLINK(1)", "formula@import.example", { type: "Government" }),
    ]);
    const res = await upload(token, { content: file });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "Completed", mode: "create", totalRows: 8, processedRows: 8, imported: 3, updated: 0, failed: 5 });
    expect(res.body.errors.map((e: any) => `${e.row}:${e.field}`)).toEqual(["4:primaryEmail", "5:type", "6:primaryEmail", "7:primaryEmail", "8:primaryPhone"]);
    expect(res.body.errors.find((e: any) => e.row === 6).reason).toMatch(/row 2/);
    expect(res.body.errors.find((e: any) => e.row === 7).reason).toContain(existing.customerNumber);

    const rows = await customersByEmail(tenant);
    expect(rows.map((r) => r.primaryEmail).sort()).toEqual(["alpha@import.example", "beta@import.example", "formula@import.example", "taken@import.example"]);
    // Numbered by the customers' own sequence, after the one created before.
    expect(rows.map((r) => r.customerNumber)).toEqual(["CUS-000001", "CUS-000002", "CUS-000003", "CUS-000004"]);
    const alpha = rows.find((r) => r.primaryEmail === "alpha@import.example")!;
    const dto = (await api.get(`/customers/${alpha.id}`)).body;
    expect(dto).toMatchObject({ customerNumber: "CUS-000002", status: "Active", profile: { companyName: "Alpha Imports", type: "SmallBusiness", segment: "Standard" } });
    expect(dto.tags).toEqual(["vip", "wholesale"]);
    // Found by the word search like any created customer, with its audit row and event.
    const found = (await api.get(`/customers?query=alpha`)).body;
    expect(found.items.map((c: any) => c.id)).toEqual([alpha.id]);
    expect(await count(tenant, "domainEvents", ["eventType", "CustomerRegistered"])).toBe(4);
    expect(await count(tenant, "auditLog", ["action", "CustomerRegistered"])).toBe(4);
    const imported = await count(tenant, "domainEvents", ["eventType", "CustomersImported"]);
    expect(imported).toBe(1);
  });

  it("a dry run validates and counts but writes nothing", async () => {
    const { tenant, token } = await setup();
    const file = csv([HEADER, row("Dry One", "dry1@import.example"), row("Dry Two", "dry2@import.example"), row("Dry Bad", "bad")]);
    const res = await upload(token, { content: file, fields: { dryRun: "true" } });
    expect(res.body).toMatchObject({ status: "Completed", dryRun: true, imported: 2, updated: 0, failed: 1 });
    expect(await count(tenant, "customers")).toBe(0);
    expect(await count(tenant, "domainEvents", ["eventType", "CustomerRegistered"])).toBe(0);
  });

  it("upserts by email (case-insensitively) or by customer number, updating through the update rules", async () => {
    const { tenant, token, api } = await setup();
    const a = (await api.post("/customers", customerBody({ companyName: "Old Name Ltd", primaryEmail: "keep@import.example" }))).body;
    const file = csv([HEADER, row("New Name Ltd", "KEEP@import.example", { tags: "gold" }), row("Fresh Ltd", "fresh@import.example")]);
    const created = await upload(token, { content: file });
    expect(created.body).toMatchObject({ imported: 1, updated: 0, failed: 1 });
    expect(created.body.errors[0]).toMatchObject({ row: 2, field: "primaryEmail" });

    const upserted = await upload(token, { content: file, fields: { mode: "upsert" } });
    expect(upserted.body).toMatchObject({ mode: "upsert", matchOn: "email", imported: 0, updated: 2, failed: 0 });
    const after = (await api.get(`/customers/${a.id}`)).body;
    expect(after).toMatchObject({ profile: { companyName: "New Name Ltd" }, contactInfo: { primaryEmail: "keep@import.example" }, tags: ["gold"] });
    expect(after.version).toBeGreaterThan(a.version);

    const byNumber = csv([
      ["customerNumber", "companyName", "primaryEmail"],
      [a.customerNumber, "By Number Ltd", ""],
      ["CUS-999999", "Nobody Ltd", ""],
      [a.customerNumber, "Twice Ltd", ""],
    ]);
    const res = await upload(token, { content: byNumber, fields: { mode: "upsert", matchOn: "customerNumber" } });
    expect(res.body).toMatchObject({ matchOn: "customerNumber", updated: 1, failed: 2 });
    expect(res.body.errors.map((e: any) => `${e.row}:${e.field}`)).toEqual(["3:customerNumber", "4:customerNumber"]);
    expect((await api.get(`/customers/${a.id}`)).body.profile.companyName).toBe("By Number Ltd");
    expect(await count(tenant, "customers")).toBe(2);
  });

  it("an upserted row taking another customer's email fails alone (CUST-002), its neighbours are written", async () => {
    const { token, api } = await setup();
    const a = (await api.post("/customers", customerBody({ companyName: "Alpha Upsert Ltd", primaryEmail: "alpha@upsert.example" }))).body;
    const b = (await api.post("/customers", customerBody({ companyName: "Beta Upsert Ltd", primaryEmail: "beta@upsert.example" }))).body;
    const file = csv([
      ["customerNumber", "companyName", "primaryEmail"],
      [a.customerNumber, "Alpha Renamed Ltd", ""],
      [b.customerNumber, "Beta Upsert Ltd", "ALPHA@upsert.example"],
    ]);
    const res = await upload(token, { content: file, fields: { mode: "upsert", matchOn: "customerNumber" } });
    expect(res.body).toMatchObject({ status: "Completed", updated: 1, failed: 1 });
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 3, field: "primaryEmail" })]);
    expect((await api.get(`/customers/${a.id}`)).body.profile.companyName).toBe("Alpha Renamed Ltd");
    expect((await api.get(`/customers/${b.id}`)).body.contactInfo.primaryEmail).toBe("beta@upsert.example");
  });

  it("reads Excel and JSON files and applies column mappings", async () => {
    const { tenant, token } = await setup();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Customers");
    ws.addRow(HEADER);
    ws.addRow(row("Excel Co", "excel@import.example"));
    const x = await upload(token, { content: Buffer.from(await wb.xlsx.writeBuffer()), name: "c.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    expect(x.body).toMatchObject({ status: "Completed", imported: 1 });
    const json = JSON.stringify([Object.fromEntries(HEADER.map((h, i) => [h, row("Json Co", "json@import.example")[i]]))]);
    const j = await upload(token, { content: json, name: "c.json", type: "application/json", fields: { format: "JSON" } });
    expect(j.body).toMatchObject({ status: "Completed", imported: 1 });
    const mapped = csv([["Kind", "Firm", "E-mail", "Tel", "Street", "Town", "County", "Post code", "Country"], row("Mapped Co", "mapped@import.example").slice(0, 9)]);
    const mappings = JSON.stringify({ type: "Kind", companyName: "Firm", primaryEmail: "E-mail", primaryPhone: "Tel", billingStreet: "Street", billingCity: "Town", billingState: "County", billingZipCode: "Post code", billingCountry: "Country" });
    const m = await upload(token, { content: mapped, fields: { mappings } });
    expect(m.body).toMatchObject({ status: "Completed", imported: 1, failed: 0 });
    expect(await count(tenant, "customers")).toBe(3);
  });
});

describe("refused customer imports", () => {
  it("answers 400 for mappings that don't fit, no file or a malformed one, before importing anything", async () => {
    const { tenant, token } = await setup();
    const file = csv([["Firm", "E-mail"], ["X Ltd", "x@import.example"]]);
    const bad = await upload(token, { content: file, fields: { mappings: JSON.stringify({ primaryEmail: "Mail", nickname: "Firm" }) } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["mappings.nickname", "mappings.primaryEmail"]);
    const noEmail = await upload(token, { content: csv([["Firm"], ["X Ltd"]]) });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.errors).toHaveProperty(["mappings.primaryEmail"]);
    expect((await upload(token, { content: file, fields: { mappings: "{nope" } })).status).toBe(400);
    expect((await upload(token, { content: file, fields: { mode: "merge" } })).status).toBe(400);
    expect((await upload(token, { content: '[{"a": 1},', name: "x.json", fields: { format: "JSON" } })).status).toBe(400);
    expect((await rest(server.url, token).post("/customers/bulk/import", new FormData())).status).toBe(400);
    const png = await upload(token, { content: Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex"), name: "x.png", type: "image/png" });
    expect(png.status).toBe(415);
    expect(await count(tenant, "customers")).toBe(0);
  });

  it("needs customer:create, and keeps imports and duplicate checks per tenant", async () => {
    const { token, api } = await setup();
    const file = csv([HEADER, row("Tenant Co", "shared@import.example")]);
    expect((await upload((await setup("Viewer")).token, { content: file })).status).toBe(403);
    expect((await upload((await setup("SupportAgent")).token, { content: file })).status).toBe(403);
    expect((await upload("not-a-token", { content: file })).status).toBe(401);
    const done = await upload(token, { content: file });
    expect(done.body.imported).toBe(1);
    expect((await api.get(`/customers/bulk/import/${done.body.importId}`)).status).toBe(200);
    const other = await setup("Admin");
    expect((await other.api.get(`/customers/bulk/import/${done.body.importId}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/customers/bulk/import/${done.body.importId}/errors`, { headers: { authorization: `Bearer ${other.token}` } })).status).toBe(404);
    // The same email in another tenant is not a duplicate.
    expect((await upload(other.token, { content: file })).body).toMatchObject({ imported: 1, failed: 0 });
    // A contact import's id is not a customer import.
    expect((await api.get(`/customers/contacts/import/${done.body.importId}`)).status).toBe(404);
  });
});

function bigFile(rows: number, tag: string, badEvery = 0) {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(row(`Company ${i}`, badEvery > 0 && i % badEvery === 0 ? `broken-${i}` : `c${i}.${tag}@import.example`));
  return csv(lines);
}

describe("large customer imports (run by the worker)", () => {
  it("answers 202, reports progress while running, and completes with a CSV error report", async () => {
    const { tenant, token, api } = await setup();
    const res = await upload(token, { content: bigFile(5000, tenant, 100) });
    expect(res.status).toBe(202);
    const { status, seen } = await waitFor(api, res.body.importId, (s) => s.status === "Completed");
    expect(status).toMatchObject({ totalRows: 5000, processedRows: 5000, imported: 4950, failed: 50 });
    const progress = seen.map((s) => s.processedRows);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(seen.some((s) => s.processedRows > 0 && s.processedRows < 5000)).toBe(true);
    const report = await fetch(`${server.url}${status.errorReportUrl}`, { headers: { authorization: `Bearer ${token}` } });
    expect(report.headers.get("content-type")).toContain("text/csv");
    const lines = (await report.text()).trim().split("\n");
    expect(lines[0]).toBe("row,field,reason");
    expect(lines).toHaveLength(51);
    expect(lines[1]).toMatch(/^2,primaryEmail,/);
    expect(await count(tenant, "customers")).toBe(4950);
  });

  it("finishes an import whose worker was killed mid-way with no row written twice, and a customer created meanwhile with a row's email fails only that row", async () => {
    const { tenant, token, api } = await setup();
    const rows = 10_000;
    const res = await upload(token, { content: bigFile(rows, tenant) });
    expect(res.status).toBe(202);
    await waitFor(api, res.body.importId, (s) => s.processedRows >= 1000);
    // Created after the file was checked: the unique key, not the check, catches the clash.
    const clash = await api.post("/customers", customerBody({ primaryEmail: `c${rows - 1}.${tenant}@import.example` }));
    expect(clash.status).toBe(201);
    await worker.kill();
    const mid = (await api.get(`/customers/bulk/import/${res.body.importId}`)).body;
    expect(mid.status).toBe("Processing");
    expect(mid.processedRows).toBeLessThan(rows);

    worker = await startWorker();
    const { status } = await waitFor(api, res.body.importId, (s) => s.status === "Completed", 150_000);
    expect(status).toMatchObject({ processedRows: rows, imported: rows - 1, failed: 1 });
    expect(status.errors).toEqual([{ row: rows + 1, field: "primaryEmail", reason: expect.stringMatching(/already used/) }]);
    expect(await count(tenant, "customers")).toBe(rows);
    expect(await count(tenant, "domainEvents", ["eventType", "CustomerRegistered"])).toBe(rows);
    const numbers = await server.deps.db
      .selectFrom("customers")
      .select((eb) => eb.fn.count<number>("customerNumber").distinct().as("n"))
      .where("tenantId", "=", tenant)
      .executeTakeFirstOrThrow();
    expect(Number(numbers.n)).toBe(rows);
  }, 240_000);
});
