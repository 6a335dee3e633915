import type { Role } from "@clientele/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

let server: TestServer;
let worker: WorkerProcess;

beforeAll(async () => {
  [server, worker] = await Promise.all([startTestServer(), startWorker()]);
});
afterAll(async () => {
  await Promise.all([server.close(), worker.stop()]);
});

async function setup(customers: number, role: Role = "CustomerManager") {
  const tenant = newTenant();
  const api = rest(server.url, await server.token(role, tenant));
  const ids: string[] = [];
  for (let i = 0; i < customers; i += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, customers - i) }, (_, j) => api.post("/customers", customerBody({ companyName: `Bulk Co ${i + j}` }))));
    ids.push(...batch.map((r) => r.body.id as string));
  }
  return { tenant, api, ids };
}

/** Many customers at once, straight into the tables the API reads (the bulk job, not the creates, is under test). */
async function seedDirect(tenant: string, n: number): Promise<string[]> {
  const { db } = server.deps;
  const ids = Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`.replace(/^0{8}/, tenant.slice(2, 10).padEnd(8, "0").replace(/[^0-9a-f]/g, "a")));
  for (let i = 0; i < n; i += 500) {
    await db
      .insertInto("customers")
      .values(
        ids.slice(i, i + 500).map((id, j) => ({
          id,
          tenantId: tenant,
          customerNumber: `CUS-${String(i + j + 1).padStart(6, "0")}`,
          type: "SmallBusiness",
          companyName: `Seeded ${i + j}`,
          segment: "Standard",
          rating: "Unrated",
          status: "Active",
          primaryEmail: `s${i + j}@${tenant}.example`,
          primaryPhone: "+442079460958",
          billingStreet: "1 High Street",
          billingCity: "London",
          billingState: "Greater London",
          billingZipCode: "SW1A 1AA",
          billingCountry: "GB",
          preferences: JSON.stringify({ communication: { channels: ["Email"], frequency: null }, preferredEventTypes: [], interests: [], preferredLanguage: "en", timeZone: "UTC", notifications: { email: true, sms: false, push: false }, marketingConsent: false, dataProcessingConsent: false }),
          isDeleted: 0,
          deletedAt: null,
          deletedBy: null,
          statusReason: null,
          createdAt: new Date(),
          createdBy: "seed",
          lastModifiedAt: null,
          lastModifiedBy: null,
          version: 1,
        })),
      )
      .execute();
  }
  return ids;
}

const events = async (tenant: string, type: string) =>
  Number(
    (
      await server.deps.db
        .selectFrom("domainEvents")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("tenantId", "=", tenant)
        .where("eventType", "=", type)
        .executeTakeFirstOrThrow()
    ).n,
  );

async function waitForJob(api: Api, jobId: string, until: (s: any) => boolean, timeoutMs = 60_000) {
  const seen: any[] = [];
  const status = await eventually(
    async () => {
      const { body } = await api.get(`/customers/bulk/jobs/${jobId}?limit=1`);
      seen.push(body);
      return body;
    },
    until,
    timeoutMs,
    (last) => `bulk job did not get there: ${JSON.stringify(last)}\nworker output:\n${worker.output()}`,
  );
  return { status, seen };
}

const otherTenantId = "00000000-0000-4000-8000-00000000abcd";

describe("inline bulk operations (up to 1,000 ids)", () => {
  it("updates many customers, each in its own transaction with its event and audit, and reports each item", async () => {
    const { tenant, api, ids } = await setup(3);
    const stranger = (await setup(1)).ids[0]!;
    const res = await api.post("/customers/bulk/update", { ids: [...ids, otherTenantId, stranger], patch: { profile: { industry: "Retail" }, preferences: { marketingConsent: true } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ jobId: null, operation: "update", status: "Completed", total: 5, succeeded: 3, failed: 2 });
    expect(res.body.results.slice(0, 3)).toEqual(ids.map((id) => ({ id, ok: true })));
    // Another tenant's customer answers exactly like a missing one.
    expect(res.body.results.slice(3)).toEqual([
      { id: otherTenantId, ok: false, code: "CUST-001", message: "Customer not found." },
      { id: stranger, ok: false, code: "CUST-001", message: "Customer not found." },
    ]);
    for (const id of ids) {
      const c = (await api.get(`/customers/${id}`)).body;
      expect(c.profile.industry).toBe("Retail");
      expect(c.preferences.marketingConsent).toBe(true);
      expect(c.version).toBe(2);
    }
    expect(await events(tenant, "CustomerProfileUpdated")).toBe(3);
    const history = (await api.get(`/customers/${ids[0]}/history`)).body.items;
    expect(history.map((h: any) => h.action)).toContain("CustomerUpdated");
  });

  it("refuses an item the domain refuses without stopping the others", async () => {
    const { api, ids } = await setup(2);
    const taken = (await api.get(`/customers/${ids[1]}`)).body.contactInfo.primaryEmail;
    const res = await api.post("/customers/bulk/update", { ids, patch: { contactInfo: { primaryEmail: taken } } });
    expect(res.body).toMatchObject({ succeeded: 1, failed: 1 });
    expect(res.body.results[0]).toMatchObject({ id: ids[0], ok: false, code: "CUST-002" });
    expect(res.body.results[1]).toEqual({ id: ids[1], ok: true });
    const bad = await api.post("/customers/bulk/update", { ids, patch: { profile: { website: "not a url" } } });
    expect(bad.body.results.every((r: any) => r.ok === false && r.code === "VALIDATION")).toBe(true);
  });

  it("deactivates with a reason, and a second time reports the already deactivated ones", async () => {
    const { tenant, api, ids } = await setup(3);
    const res = await api.post("/customers/bulk/delete", { ids: ids.slice(0, 2), reason: "Closed accounts" });
    expect(res.body).toMatchObject({ operation: "delete", succeeded: 2, failed: 0 });
    expect((await api.get(`/customers/${ids[0]}`)).status).toBe(404);
    expect((await api.get(`/customers/${ids[2]}`)).status).toBe(200);
    expect(await events(tenant, "CustomerDeactivated")).toBe(2);
    const again = await api.post("/customers/bulk/delete", { ids, reason: "Closed accounts" });
    expect(again.body).toMatchObject({ succeeded: 1, failed: 2 });
    expect(again.body.results[0]).toMatchObject({ ok: false, code: "CUST-004" });
  });

  it("adds and removes tags", async () => {
    const { api, ids } = await setup(2);
    await api.put(`/customers/${ids[0]}/tags`, { tags: ["old", "keep"] });
    const res = await api.post("/customers/bulk/tag", { ids, add: ["VIP", "gold"], remove: ["old"] });
    expect(res.body).toMatchObject({ operation: "tag", succeeded: 2, failed: 0 });
    expect((await api.get(`/customers/${ids[0]}`)).body.tags).toEqual(["gold", "keep", "vip"]);
    expect((await api.get(`/customers/${ids[1]}`)).body.tags).toEqual(["gold", "vip"]);
  });

  it("answers 400 with field messages for bad input, 403 without the privilege, 401 without a token", async () => {
    const { api, ids } = await setup(1);
    const noTarget = await api.post("/customers/bulk/update", { patch: { profile: { industry: "X" } } });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.errors).toHaveProperty("ids");
    expect((await api.post("/customers/bulk/update", { ids: ["nope"], patch: { profile: { industry: "X" } } })).status).toBe(400);
    const empty = await api.post("/customers/bulk/update", { ids, patch: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toHaveProperty("patch");
    const noReason = await api.post("/customers/bulk/delete", { ids, reason: "x" });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toHaveProperty("reason");
    const badTag = await api.post("/customers/bulk/tag", { ids, add: ["no spaces please"] });
    expect(badTag.status).toBe(400);
    expect(badTag.body.errors).toHaveProperty("add");
    expect((await api.post("/customers/bulk/tag", { ids })).status).toBe(400);

    const sales = rest(server.url, await server.token("SalesRep", newTenant()));
    expect((await sales.post("/customers/bulk/delete", { ids, reason: "Closed accounts" })).status).toBe(403);
    expect((await sales.post("/customers/bulk/update", { ids, patch: { profile: { industry: "X" } } })).status).toBe(200);
    const viewer = rest(server.url, await server.token("Viewer", newTenant()));
    expect((await viewer.post("/customers/bulk/update", { ids, patch: { profile: { industry: "X" } } })).status).toBe(403);
    expect((await viewer.post("/customers/bulk/tag", { ids, add: ["x"] })).status).toBe(403);
    expect((await rest(server.url).post("/customers/bulk/update", { ids, patch: { profile: { industry: "X" } } })).status).toBe(401);
  });
});

describe("bulk jobs (more than 1,000 ids, or a filter)", () => {
  it("runs beyond 1,000 ids as a worker job with progress and per-item results, isolated per tenant", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("CustomerManager", tenant));
    const ids = await seedDirect(tenant, 1500);
    const res = await api.post("/customers/bulk/tag", { ids: [...ids, otherTenantId], add: ["campaign"] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ operation: "tag", total: 1501 });
    const jobId = res.body.jobId;
    // Each item commits alone (its change, events, audit and checkpoint): minutes on a busy 2-core box.
    const { status, seen } = await waitForJob(api, jobId, (s) => s.status === "Completed", 300_000);
    expect(status).toMatchObject({ total: 1501, processed: 1501, succeeded: 1500, failed: 1 });
    const progress = seen.map((s) => s.processed);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.some((s) => s.processed > 0 && s.processed < 1501)).toBe(true);
    const last = (await api.get(`/customers/bulk/jobs/${jobId}?offset=1499&limit=10`)).body.results;
    expect(last).toEqual([{ id: ids[1499], ok: true }, { id: otherTenantId, ok: false, code: "CUST-001", message: "Customer not found." }]);
    expect((await api.get(`/customers/${ids[700]}`)).body.tags).toEqual(["campaign"]);
    expect(await events(tenant, "CustomerTagsChanged")).toBe(1500);
    expect(await events(tenant, "CustomersBulkProcessed")).toBe(1);

    const other = rest(server.url, await server.token("Admin", newTenant()));
    expect((await other.get(`/customers/bulk/jobs/${jobId}`)).status).toBe(404);
    expect((await api.get(`/customers/bulk/jobs/${otherTenantId}`)).status).toBe(404);
    expect((await api.get(`/customers/bulk/jobs/not-a-uuid`)).status).toBe(400);
  }, 360_000);

  it("selects by the search's filters and resumes after the worker is killed, applying no item twice", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("CustomerManager", tenant));
    await seedDirect(tenant, 600);
    const res = await api.post("/customers/bulk/update", { filter: { type: ["SmallBusiness"], status: ["Active"] }, patch: { profile: { industry: "Bulk" } } });
    expect(res.status).toBe(202);
    expect(res.body.total).toBe(600);
    await waitForJob(api, res.body.jobId, (s) => s.processed >= 100, 120_000);
    await worker.kill();
    const mid = (await api.get(`/customers/bulk/jobs/${res.body.jobId}`)).body;
    expect(mid.status).toBe("Processing");
    expect(mid.processed).toBeLessThan(600);
    worker = await startWorker();
    const { status } = await waitForJob(api, res.body.jobId, (s) => s.status === "Completed", 240_000);
    expect(status).toMatchObject({ processed: 600, succeeded: 600, failed: 0 });
    // Each customer changed exactly once: one event each and version 2.
    expect(await events(tenant, "CustomerProfileUpdated")).toBe(600);
    const versions = await server.deps.db.selectFrom("customers").select("version").distinct().where("tenantId", "=", tenant).execute();
    expect(versions.map((v) => v.version)).toEqual([2]);
  }, 420_000);
});

describe("a filter selects what the search lists", () => {
  it("a filter bulk job and an export select exactly POST /customers/search's customers: every tag, Archived left out, createdTo inclusive", async () => {
    const { api } = await setup(0);
    const make = async (name: string, tags: string[]) => {
      const id = (await api.post("/customers", customerBody({ companyName: name }))).body.id as string;
      expect((await api.put(`/customers/${id}/tags`, { tags })).status).toBe(200);
      return id;
    };
    const both = await make("Match Both Tags", ["gold", "vip"]);
    await make("Only Gold", ["gold"]);
    await make("Only Vip", ["vip"]);
    const archived = await make("Archived Both", ["gold", "vip"]);
    expect((await api.post(`/customers/${archived}/archive`, { reason: "Closed" })).status).toBe(200);
    const last = await make("Created At The Bound", ["gold", "vip"]);
    const bound = (await api.get(`/customers/${last}`)).body.createdAt as string;
    await new Promise((r) => setTimeout(r, 5));
    const after = await make("Created After The Bound", ["gold", "vip"]);
    expect(Date.parse((await api.get(`/customers/${after}`)).body.createdAt)).toBeGreaterThan(Date.parse(bound));

    const search = await api.post("/customers/search", { tags: ["gold", "vip"], createdAt: { to: bound }, pageSize: 100 });
    expect(search.status).toBe(200);
    const listed = search.body.items.map((c: { id: string }) => c.id).sort();
    expect(listed).toEqual([both, last].sort());

    const filter = { tags: ["gold", "vip"], createdTo: bound };
    const exported = await api.post("/customers/bulk/export", { format: "JSON", fields: ["id"], filters: filter });
    expect(exported.body).toMatchObject({ status: "Completed", recordCount: 2 });
    const file = await fetch(`${server.url}${exported.body.downloadUrl}`);
    expect(((await file.json()) as { id: string }[]).map((r) => r.id).sort()).toEqual(listed);

    const job = await api.post("/customers/bulk/tag", { filter, add: ["picked"] });
    expect(job.status).toBe(202);
    expect(job.body.total).toBe(2);
    await waitForJob(api, job.body.jobId, (s) => s.status === "Completed");
    const results = (await api.get(`/customers/bulk/jobs/${job.body.jobId}?limit=10`)).body.results as { id: string; ok: boolean }[];
    expect(results.map((r) => r.id).sort()).toEqual(listed);
    expect(results.every((r) => r.ok)).toBe(true);
    // The archived customer is selected only when asked for, as in the search.
    const withArchived = await api.post("/customers/bulk/export", { format: "JSON", fields: ["id"], filters: { ...filter, status: ["Active", "Archived"] } });
    expect(withArchived.body.recordCount).toBe(3);
    const searchArchived = await api.post("/customers/search", { tags: ["gold", "vip"], createdAt: { to: bound }, status: ["Active", "Archived"] });
    expect(searchArchived.body.totalCount).toBe(3);
  }, 60_000);
});
