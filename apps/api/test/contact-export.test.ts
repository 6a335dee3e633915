import { sql } from "kysely";
import ExcelJS from "exceljs";
import { runFileRetention } from "@clientele/jobs";
import { signDownload } from "@clientele/files";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, startTestServer, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

let server: TestServer;
let worker: WorkerProcess;

beforeAll(async () => {
  [server, worker] = await Promise.all([startTestServer(), startWorker()]);
});
afterAll(async () => {
  await Promise.all([server.close(), worker.stop()]);
});

async function tenantWithContacts(on: TestServer = server) {
  const tenant = newTenant();
  const api = rest(on.url, await on.token("CustomerManager", tenant));
  const a = (await api.post("/customers", customerBody({ companyName: "Alpha Exports" }))).body;
  const b = (await api.post("/customers", customerBody({ companyName: "Beta Exports" }))).body;
  await api.post(`/customers/${a.id}/contacts`, { firstName: "Ann", lastName: "Able", email: "ann@alpha.example", tags: ["vip"] });
  await api.post(`/customers/${a.id}/contacts`, { firstName: "Evil", lastName: "Cell", email: "evil@alpha.example", position: "=HYPERLINK(\"http://x\")" });
  await api.post(`/customers/${b.id}/contacts`, { firstName: "Bob", lastName: "Baker", email: "bob@beta.example", tags: ["vip", "press"] });
  return { tenant, api, a, b };
}

async function download(url: string, on: TestServer = server) {
  const res = await fetch(`${on.url}${url}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: Buffer.from(await res.arrayBuffer()) };
}

describe("small exports (written in the request)", () => {
  it("writes CSV with headers, chosen fields and filters, and neutralizes formulas", async () => {
    const { api, a } = await tenantWithContacts();
    const res = await api.post("/customers/contacts/export", { format: "CSV", fields: ["companyName", "firstName", "email", "position", "tags"] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "Completed", recordCount: 3, format: "CSV" });
    expect(new Date(res.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);
    const file = await download(res.body.downloadUrl);
    expect(file.status).toBe(200);
    expect(file.type).toContain("text/csv");
    const lines = file.body.toString("utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    expect(lines[0]).toBe("Company,First name,Email,Position,Tags");
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.includes("evil@"))).toContain(`"'=HYPERLINK(""http://x"")"`);

    const byCustomer = await api.post("/customers/contacts/export", { filters: { customerIds: [a.id] } });
    expect(byCustomer.body.recordCount).toBe(2);
    const byTag = await api.post("/customers/contacts/export", { filters: { tags: ["PRESS"] } });
    expect(byTag.body.recordCount).toBe(1);
  });

  it("writes Excel with a header row and neutralized cells, and JSON as data", async () => {
    const { api } = await tenantWithContacts();
    const x = await api.post("/customers/contacts/export", { format: "Excel", fields: ["email", "position"] });
    const file = await download(x.body.downloadUrl);
    expect(file.type).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body as unknown as ArrayBuffer);
    const rows = wb.worksheets[0]!.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(rows[0]).toEqual(["Email", "Position"]);
    expect(rows.find((r) => r[0] === "evil@alpha.example")![1]).toBe(`'=HYPERLINK("http://x")`);

    const j = await api.post("/customers/contacts/export", { format: "JSON", fields: ["email", "isPrimary"] });
    const data = JSON.parse((await download(j.body.downloadUrl)).body.toString("utf8"));
    expect(data).toHaveLength(3);
    expect(data[0]).toEqual({ email: expect.any(String), isPrimary: expect.any(Boolean) });
  });

  it("validates the request and needs the export privilege", async () => {
    const { tenant, api } = await tenantWithContacts();
    expect((await api.post("/customers/contacts/export", { format: "PDF" })).status).toBe(400);
    expect((await api.post("/customers/contacts/export", { fields: ["password"] })).status).toBe(400);
    expect((await api.post("/customers/contacts/export", { filters: { tags: ["bad tag"] } })).status).toBe(400);
    const sales = rest(server.url, await server.token("SalesRep", tenant));
    expect((await sales.post("/customers/contacts/export", {})).status).toBe(403);
    const other = rest(server.url, await server.token("Admin", newTenant()));
    const done = await api.post("/customers/contacts/export", {});
    expect((await other.get(`/customers/contacts/export/${done.body.exportId}`)).status).toBe(404);
    expect((await other.post("/customers/contacts/export", {})).body.recordCount).toBe(0);
  });
});

describe("signed download URLs", () => {
  it("refuse tampering, expiry, another tenant's file and missing files", async () => {
    const { tenant, api } = await tenantWithContacts();
    const done = (await api.post("/customers/contacts/export", {})).body;
    const token = new URL(done.downloadUrl, server.url).searchParams.get("token")!;
    const [payload, sig] = token.split(".");
    expect((await download(`/api/v1/files/download?token=${payload}.${sig!.slice(0, -2)}xx`)).status).toBe(403);
    expect((await download("/api/v1/files/download")).status).toBe(403);

    // A token for another tenant's path, even correctly signed, only opens that tenant's own files.
    const other = (await rest(server.url, await server.token("Admin", newTenant())).post("/customers/contacts/export", {})).body;
    const otherKey = (await server.deps.db.selectFrom("contactExports").select("fileKey").where("id", "=", other.exportId).executeTakeFirstOrThrow()).fileKey!;
    const crossed = signDownload({ secret: server.deps.env.DOWNLOAD_URL_SECRET!, tenantId: tenant, key: otherKey, expiresAt: new Date(Date.now() + 60_000) });
    expect((await download(`/api/v1/files/download?token=${crossed.token}`)).status).toBe(403);

    const realNow = server.deps.now;
    server.deps.now = () => new Date(Date.now() + 25 * 3600 * 1000);
    try {
      const expired = await download(done.downloadUrl);
      expect(expired.status).toBe(400);
      expect(JSON.parse(expired.body.toString()).detail).toMatch(/expired/);
    } finally {
      server.deps.now = realNow;
    }
  });

  it("stop working once the retention job removed the file after 7 days", async () => {
    // Retention sweeps every file and export it can see: on the shared files it would take other tests' too.
    const own = await startIsolatedTestServer("retention");
    try {
      const { api } = await tenantWithContacts(own);
      const done = (await api.post("/customers/contacts/export", {})).body;
      expect((await download(done.downloadUrl, own)).status).toBe(200);
      expect(await runFileRetention(own.deps)).toEqual({ deletedFiles: 0, expiredExports: 0 });

      const deps = { ...own.deps, now: () => new Date(Date.now() + 8 * 24 * 3600 * 1000) };
      expect(await runFileRetention(deps)).toEqual({ deletedFiles: 1, expiredExports: 1 });
      expect((await download(done.downloadUrl, own)).status).toBe(404);
      expect((await api.get(`/customers/contacts/export/${done.exportId}`)).body).toMatchObject({ status: "Expired", downloadUrl: null });
    } finally {
      await own.close();
    }
  });
});

/** Contacts inserted straight into the table, for volumes the API would take long to build. */
async function bulkContacts(tenant: string, customerId: string, count: number) {
  await sql`
    INSERT INTO contacts (id, tenant_id, customer_id, first_name, last_name, email, is_primary, status, created_at, created_by, version)
    SELECT UUID(), ${tenant}, ${customerId}, 'Bulk', CONCAT('Person', n), CONCAT('bulk', n, '@example.com'), 0, 'Active', NOW(3), 'seed', 1
    FROM (SELECT a.d + b.d * 10 + c.d * 100 + e.d * 1000 + f.d * 10000 AS n
          FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a,
               (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b,
               (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c,
               (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e,
               (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) f) nums
    WHERE n < ${count}`.execute(server.deps.db);
}

describe("large exports (written by the worker)", () => {
  it("answers 202 over 1,000 records and completes with every record", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const c = (await api.post("/customers", customerBody())).body;
    await bulkContacts(tenant, c.id, 1500);
    const res = await api.post("/customers/contacts/export", { fields: ["email"] });
    expect(res.status).toBe(202);
    const status = await eventually(
      () => api.get(`/customers/contacts/export/${res.body.exportId}`).then((r) => r.body),
      (s) => s.status === "Completed",
    );
    expect(status).toMatchObject({ status: "Completed", recordCount: 1500 });
    const lines = (await download(status.downloadUrl)).body.toString("utf8").trim().split(/\r?\n/);
    expect(lines).toHaveLength(1501);
    expect(new Set(lines).size).toBe(1501);
  });

  it("refuses more than 50,000 records with a clear 400", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const c = (await api.post("/customers", customerBody())).body;
    await bulkContacts(tenant, c.id, 50_001);
    const res = await api.post("/customers/contacts/export", {});
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("EXPORT-001");
    expect(res.body.detail).toMatch(/50001.*50000/);
  });
});
