import { listEventsForAggregate } from "@clientele/db";
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

const upload = (token: string, u: Upload) => uploadFile(server.url, token, "/customers/contacts/import", "contacts.csv", u);

async function setup(customers = 1) {
  const tenant = newTenant();
  const token = await server.token("CustomerManager", tenant);
  const api = rest(server.url, token);
  const created = [];
  for (let i = 0; i < customers; i += 25) {
    created.push(...(await Promise.all(Array.from({ length: Math.min(25, customers - i) }, () => api.post("/customers", customerBody())))));
  }
  return { tenant, token, api, customers: created.map((r) => ({ id: r.body.id as string, number: r.body.customerNumber as string })) };
}

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",")).join("\n");

async function waitFor(api: Api, importId: string, until: (s: any) => boolean, timeoutMs = 20_000) {
  const seen: any[] = [];
  const poll = async () => {
    const { body } = await api.get(`/customers/contacts/import/${importId}`);
    seen.push(body);
    return body;
  };
  const status = await eventually(poll, until, timeoutMs, (last) => `import did not get there: ${JSON.stringify(last)}\nworker output:\n${worker.output()}`);
  return { status, seen };
}

describe("small imports (run in the request)", () => {
  it("imports valid rows, reports every invalid one by row and field, and drops nothing", async () => {
    const { token, api, customers } = await setup(2);
    const [a, b] = customers;
    await api.post(`/customers/${a!.id}/contacts`, { firstName: "Existing", lastName: "One", email: "taken@example.com" });
    const file = csv([
      ["firstName", "lastName", "email", "phone", "customerNumber", "tags"],
      ["Ada", "Lovelace", "ada@example.com", "+44 20 7946 0001", a!.number, "vip;board"],
      ["Alan", "Turing", "alan@example.com", "", b!.number, ""],
      ["No", "Email", "", "", a!.number, ""],
      ["Bad", "Mail", "not-an-email", "", a!.number, ""],
      ["Dup", "Licate", "ADA@example.com", "", a!.number, ""],
      ["Taken", "Already", "taken@example.com", "", a!.number, ""],
      ["Lost", "Customer", "lost@example.com", "", "CUS-999999", ""],
      ["Bad", "Phone", "phone@example.com", "12", b!.number, ""],
    ]);
    const res = await upload(token, { content: file });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "Completed", totalRows: 8, processedRows: 8, imported: 2, updated: 0, failed: 6 });
    expect(res.body.imported + res.body.failed).toBe(res.body.totalRows);
    const errors = res.body.errors.map((e: any) => `${e.row}:${e.field}`);
    expect(errors).toEqual(["4:email", "5:email", "6:email", "7:email", "8:customerNumber", "9:phone"]);
    expect(res.body.errors.find((e: any) => e.row === 6).reason).toMatch(/row 2/);

    const contacts = (await api.get(`/customers/${a!.id}/contacts`)).body.items;
    expect(contacts.map((c: any) => c.email).sort()).toEqual(["ada@example.com", "taken@example.com"]);
    expect(contacts.find((c: any) => c.email === "ada@example.com")).toMatchObject({ phone: "+442079460001", tags: ["board", "vip"], isPrimary: false });
    const bContacts = (await api.get(`/customers/${b!.id}/contacts`)).body.items;
    expect(bContacts).toHaveLength(1);
    expect(bContacts[0].isPrimary).toBe(true);
  });

  it("applies user mappings, a default customer, and explains mappings that don't fit", async () => {
    const { token, api, customers } = await setup(1);
    const file = csv([
      ["Given name", "Surname", "E-mail address", "Job"],
      ["Grace", "Hopper", "grace@example.com", "Admiral"],
    ]);
    const mappings = JSON.stringify({ firstName: "Given name", lastName: "Surname", email: "E-mail address", position: "Job" });
    const res = await upload(token, { content: file, fields: { mappings, defaultCustomerId: customers[0]!.id } });
    expect(res.body).toMatchObject({ status: "Completed", imported: 1 });
    expect((await api.get(`/customers/${customers[0]!.id}/contacts`)).body.items[0]).toMatchObject({ position: "Admiral", lastName: "Hopper" });

    const bad = await upload(token, { content: file, fields: { mappings: JSON.stringify({ email: "Email", nickname: "Job" }) } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["mappings.email", "mappings.firstName", "mappings.lastName", "mappings.nickname"]);
    expect((await upload(token, { content: file, fields: { mappings: "{nope" } })).status).toBe(400);
    const unknownDefault = await upload(token, { content: file, fields: { mappings, defaultCustomerId: "00000000-0000-4000-8000-000000000000" } });
    expect(unknownDefault.status).toBe(404);
  });

  it("upserts by email within the customer, and a dry run writes nothing", async () => {
    const { token, api, customers } = await setup(1);
    const cid = customers[0]!.id;
    await api.post(`/customers/${cid}/contacts`, { firstName: "Old", lastName: "Name", email: "keep@example.com" });
    const file = csv([
      ["firstName", "lastName", "email", "position", "customerId"],
      ["New", "Name", "KEEP@example.com", "Chief", cid],
      ["Fresh", "Person", "fresh@example.com", "", cid],
    ]);
    const dry = await upload(token, { content: file, fields: { mode: "upsert", dryRun: "true" } });
    expect(dry.body).toMatchObject({ status: "Completed", dryRun: true, imported: 1, updated: 1, failed: 0 });
    expect((await api.get(`/customers/${cid}/contacts`)).body.items).toHaveLength(1);

    const created = await upload(token, { content: file });
    expect(created.body).toMatchObject({ imported: 1, failed: 1 });
    expect(created.body.errors[0]).toMatchObject({ row: 2, field: "email" });

    const upserted = await upload(token, { content: file, fields: { mode: "upsert" } });
    expect(upserted.body).toMatchObject({ imported: 0, updated: 2, failed: 0 });
    const list = (await api.get(`/customers/${cid}/contacts`)).body.items;
    expect(list.find((c: any) => c.email === "keep@example.com")).toMatchObject({ firstName: "New", position: "Chief" });
  });

  it("reads Excel and JSON files", async () => {
    const { token, api, customers } = await setup(1);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Contacts");
    ws.addRow(["firstName", "lastName", "email", "customerNumber"]);
    ws.addRow(["Katherine", "Johnson", "kj@example.com", customers[0]!.number]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const x = await upload(token, { content: xlsx, name: "c.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    expect(x.body).toMatchObject({ status: "Completed", imported: 1 });
    const json = JSON.stringify([{ firstName: "Dorothy", lastName: "Vaughan", email: "dv@example.com", customerNumber: customers[0]!.number }]);
    const j = await upload(token, { content: json, name: "c.json", type: "application/json", fields: { format: "JSON" } });
    expect(j.body).toMatchObject({ status: "Completed", imported: 1 });
    expect((await api.get(`/customers/${customers[0]!.id}/contacts`)).body.items).toHaveLength(2);
  });
});

describe("rejected files", () => {
  it("refuses oversized, overlong, mislabelled, unknown and malformed files before importing", async () => {
    const { token } = await setup(0);
    const huge = await upload(token, { content: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) });
    expect(huge.status).toBe(413);
    const rows = [["firstName", "lastName", "email", "customerNumber"], ...Array.from({ length: 10_001 }, (_, i) => ["A", "B", `a${i}@example.com`, "CUS-000001"])];
    const many = await upload(token, { content: csv(rows) });
    expect(many.status).toBe(400);
    expect(many.body.detail).toMatch(/10,?000/);
    const png = await upload(token, { content: Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex"), name: "x.png", type: "image/png" });
    expect(png.status).toBe(415);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("x").addRow(["firstName"]);
    const mislabelled = await upload(token, { content: Buffer.from(await wb.xlsx.writeBuffer()), fields: { format: "CSV" } });
    expect(mislabelled.status).toBe(400);
    expect(mislabelled.body.detail).toMatch(/Excel/);
    const malformed = await upload(token, { content: '[{"firstName": "x",', name: "x.json", fields: { format: "JSON" } });
    expect(malformed.status).toBe(400);
    const missing = await rest(server.url, token).post("/customers/contacts/import", new FormData());
    expect(missing.status).toBe(400);
  });

  it("requires the right privilege and keeps imports per tenant", async () => {
    const { token, customers } = await setup(1);
    const file = csv([["firstName", "lastName", "email", "customerNumber"], ["A", "B", "ab@example.com", customers[0]!.number]]);
    const viewer = await upload(await server.token("Viewer", newTenant()), { content: file });
    expect(viewer.status).toBe(403);
    expect((await upload("not-a-token", { content: file })).status).toBe(401);
    const done = await upload(token, { content: file });
    const other = rest(server.url, await server.token("Admin", newTenant()));
    expect((await other.get(`/customers/contacts/import/${done.body.importId}`)).status).toBe(404);
    // Another tenant naming this tenant's customer number finds no such customer.
    const foreign = await upload(await server.token("Admin", newTenant()), { content: file });
    expect(foreign.body).toMatchObject({ imported: 0, failed: 1 });
  });
});

function bigFile(customers: { number: string }[], rows: number, badEvery = 0) {
  const lines = [["firstName", "lastName", "email", "phone", "customerNumber"]];
  for (let i = 0; i < rows; i++) {
    const bad = badEvery > 0 && i % badEvery === 0;
    lines.push([`First${i}`, `Last${i}`, bad ? `broken-${i}` : `person${i}@example.com`, "+1 415 555 2671", customers[i % customers.length]!.number]);
  }
  return csv(lines);
}

describe("large imports (run by the worker)", () => {
  it("answers 202, reports progress while running, and completes with a CSV error report", async () => {
    const { token, api, customers } = await setup(100);
    const res = await upload(token, { content: bigFile(customers, 5000, 100) });
    expect(res.status).toBe(202);
    expect(["Queued", "Processing"]).toContain(res.body.status);
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
    expect(lines[1]).toMatch(/^2,email,/);

    const events = await listEventsForAggregate(server.deps.db, status.importId ? (await server.deps.db.selectFrom("contactImports").select("tenantId").where("id", "=", status.importId).executeTakeFirstOrThrow()).tenantId : "", status.importId);
    expect(events.map((e) => e.envelope.type)).toEqual(["ContactListImported"]);
    expect(events[0]!.envelope.data).toMatchObject({ totalRecords: 5000, successfulRecords: 4950, failedRecords: 50 });
  });

  it("finishes an import whose worker was killed mid-way, without duplicating a contact", async () => {
    const { tenant, token, api, customers } = await setup(200);
    const res = await upload(token, { content: bigFile(customers, 10_000) });
    expect(res.status).toBe(202);
    await waitFor(api, res.body.importId, (s) => s.processedRows >= 1000);
    await worker.kill();
    const mid = (await api.get(`/customers/contacts/import/${res.body.importId}`)).body;
    expect(mid.status).toBe("Processing");
    expect(mid.processedRows).toBeLessThan(10_000);

    worker = await startWorker();
    const { status } = await waitFor(api, res.body.importId, (s) => s.status === "Completed", 60_000);
    expect(status).toMatchObject({ processedRows: 10_000, imported: 10_000, failed: 0 });
    const count = await server.deps.db
      .selectFrom("contacts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenantId", "=", tenant)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(10_000);
    const added = await server.deps.db
      .selectFrom("domainEvents")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenantId", "=", tenant)
      .where("eventType", "=", "ContactAdded")
      .executeTakeFirstOrThrow();
    expect(Number(added.n)).toBe(10_000);
    // Longer than waitFor's own limits, so a slow run fails with the worker's output, not a bare timeout.
  }, 120_000);
});
