import { listEventsForAggregate } from "@clientele/db";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";
import { startRedis } from "./redis-process";
import { startWorker, type WorkerProcess } from "./worker-process";

let server: TestServer;
let worker: WorkerProcess;

beforeAll(async () => {
  [server, worker] = await Promise.all([startTestServer(), startWorker()]);
});
afterAll(async () => {
  await Promise.all([server.close(), worker.stop()]);
});

const ALL_REASONS = ["sameEmail", "samePhone", "similarName+samePostalCode", "similarName+sameCity", "sameEmailDomain"];
const london = { street: "1 High Street", city: "London", state: "Greater London", zipCode: "SW1A 1AA", country: "GB" };
const leeds = { street: "2 Park Row", city: "Leeds", state: "West Yorkshire", zipCode: "LS1 5AB", country: "GB" };

/** Three customers of a fresh tenant: A; B, A's duplicate by every key; C, sharing only A's phone. */
async function family(api: Api, tag: string) {
  const domain = `${tag}-widgets.example`;
  const a = await api.post("/customers", customerBody({ companyName: "Dupe Widgets Ltd", primaryEmail: `orders@${domain}`, primaryPhone: "+44 20 7946 1001", billingAddress: london }));
  const b = await api.post(
    "/customers",
    customerBody({ companyName: "DUPE Widgets Limited", primaryEmail: `sales@${domain}`, secondaryEmail: `Orders@${domain}`, primaryPhone: "+442079461001", billingAddress: london }),
  );
  const c = await api.post("/customers", customerBody({ companyName: "Harbor Foods", primaryEmail: `harbor.${tag}@gmail.com`, primaryPhone: "+44 20 7946 1001", billingAddress: leeds }));
  for (const r of [a, b, c]) expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { a: a.body, b: b.body, c: c.body };
}

const queue = (api: Api, query = "") => api.get(`/customers/duplicates${query}`);
const pairOf = (p: any) => [p.customerA.id, p.customerB.id].sort().join(",");
const key = (x: string, y: string) => [x, y].sort().join(",");

async function queueOf(api: Api, until: (items: any[]) => boolean) {
  const res = await eventually(
    () => queue(api, "?pageSize=100"),
    (r) => r.status === 200 && until(r.body.items),
    20_000,
    (last) => `queue: ${JSON.stringify(last.body)}\nworker output:\n${worker.output()}`,
  );
  return res.body;
}

describe("possible duplicates on create and update (a warning, never a block)", () => {
  it("answers a create with its possible duplicates, their score and the reasons", async () => {
    const api = await server.as("SalesRep", newTenant());
    const { a, b, c } = await family(api, "warn");
    expect(a.possibleDuplicates).toEqual([]);
    expect(b.possibleDuplicates).toEqual([{ id: a.id, customerNumber: a.customerNumber, name: "Dupe Widgets Ltd", score: 92, reasons: ALL_REASONS }]);
    // A free-mail address shares no domain; the phone alone is a weaker candidate, listed after.
    expect(c.possibleDuplicates).toEqual([
      { id: a.id, customerNumber: a.customerNumber, name: "Dupe Widgets Ltd", score: 45, reasons: ["samePhone"] },
      { id: b.id, customerNumber: b.customerNumber, name: "DUPE Widgets Limited", score: 45, reasons: ["samePhone"] },
    ]);
    const unrelated = await api.post("/customers", customerBody({ companyName: "Solo Systems", primaryPhone: "+44 20 7946 1999", billingAddress: leeds }));
    expect(unrelated.status).toBe(201);
    expect(unrelated.body.possibleDuplicates).toEqual([]);
  });

  it("answers an update with the duplicates the changed record now has", async () => {
    const api = await server.as("SalesRep", newTenant());
    const { a, b, c } = await family(api, "upd");
    const renamed = await api.put(`/customers/${c.id}/profile`, { companyName: "Dupe Widgets" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.possibleDuplicates.map((d: any) => d.id).sort()).toEqual([a.id, b.id].sort());
    // The same name in another city is no reason: only the phone still pairs them.
    expect(renamed.body.possibleDuplicates.map((d: any) => d.reasons)).toEqual([["samePhone"], ["samePhone"]]);

    const moved = await api.put(`/customers/${c.id}/contact-info`, { billingAddress: london });
    expect(moved.status).toBe(200);
    expect(moved.body.possibleDuplicates.find((d: any) => d.id === a.id)).toEqual({
      id: a.id,
      customerNumber: a.customerNumber,
      name: "Dupe Widgets Ltd",
      score: 77,
      reasons: ["samePhone", "similarName+samePostalCode", "similarName+sameCity"],
    });
    const apart = await api.put(`/customers/${c.id}/contact-info`, { primaryPhone: "+44 20 7946 1777", billingAddress: leeds });
    expect(apart.body.possibleDuplicates).toEqual([]);
  });
});

describe("names folded like the search, and transpositions", () => {
  const person = (companyName: string, tag: string, n: number) =>
    customerBody({ companyName, type: "Individual", primaryEmail: `${tag}${n}.${Date.now()}@gmail.com`, primaryPhone: `+44 20 7946 ${2000 + n}`, billingAddress: london });
  const nameReasons = ["similarName+samePostalCode", "similarName+sameCity"];

  it("pairs an accented spelling (ø, ł) with the plain one", async () => {
    const api = await server.as("SalesRep", newTenant());
    const a = await api.post("/customers", person("Søren Ølsen", "soren", 1));
    const b = await api.post("/customers", person("Soren Olsen", "soren", 2));
    const c = await api.post("/customers", person("Łukasz Nowak", "lukasz", 3));
    const d = await api.post("/customers", person("Lukasz Nowak", "lukasz", 4));
    for (const r of [a, b, c, d]) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(b.body.possibleDuplicates).toEqual([{ id: a.body.id, customerNumber: a.body.customerNumber, name: "Søren Ølsen", score: 58, reasons: nameReasons }]);
    expect(d.body.possibleDuplicates.map((x: any) => [x.id, x.reasons])).toEqual([[c.body.id, nameReasons]]);
    const body = await queueOf(api, (items) => items.length === 2);
    expect(body.items.map(pairOf).sort()).toEqual([key(a.body.id, b.body.id), key(c.body.id, d.body.id)].sort());
  });

  it("pairs a transposed surname whose sound changed (Smtih), by the name reasons", async () => {
    const api = await server.as("SalesRep", newTenant());
    const a = await api.post("/customers", person("John Smith", "john", 5));
    const b = await api.post("/customers", person("John Smtih", "john", 6));
    const other = await api.post("/customers", person("Mary Smith", "mary", 7));
    for (const r of [a, b, other]) expect(r.status).toBe(201);
    expect(b.body.possibleDuplicates).toEqual([{ id: a.body.id, customerNumber: a.body.customerNumber, name: "John Smith", score: 58, reasons: nameReasons }]);
    expect(other.body.possibleDuplicates).toEqual([]);
    const body = await queueOf(api, (items) => items.length === 1);
    expect(pairOf(body.items[0])).toBe(key(a.body.id, b.body.id));
  });
});

describe("GET /customers/{id}/duplicates", () => {
  it("lists a customer's possible duplicates, highest score first", async () => {
    const tenant = newTenant();
    const api = await server.as("Viewer", tenant);
    const { a, b, c } = await family(await server.as("SalesRep", tenant), "look");
    const res = await api.get(`/customers/${a.id}/duplicates`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      customerId: a.id,
      items: [
        { id: b.id, customerNumber: b.customerNumber, name: "DUPE Widgets Limited", score: 92, reasons: ALL_REASONS },
        { id: c.id, customerNumber: c.customerNumber, name: "Harbor Foods", score: 45, reasons: ["samePhone"] },
      ],
    });
  });

  it("leaves deactivated customers out, and answers 404 for a deactivated, missing or another tenant's customer, 400 for a bad id", async () => {
    const tenant = newTenant();
    const api = await server.as("CustomerManager", tenant);
    const { a, b, c } = await family(api, "gone");
    expect((await api.post(`/customers/${c.id}/deactivate`, { reason: "Closed" })).status).toBe(200);
    expect((await api.get(`/customers/${a.id}/duplicates`)).body.items.map((d: any) => d.id)).toEqual([b.id]);
    expect((await api.get(`/customers/${c.id}/duplicates`)).status).toBe(404);
    expect((await api.get("/customers/00000000-0000-4000-8000-000000000000/duplicates")).status).toBe(404);
    const other = await server.as("CustomerManager", newTenant());
    const foreign = await other.get(`/customers/${a.id}/duplicates`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("CUST-001");
    const bad = await api.get("/customers/not-a-uuid/duplicates");
    expect(bad.status).toBe(400);
    expect(bad.body.errors.id).toBeDefined();
  });
});

describe("the review queue (GET /customers/duplicates), kept by the worker", () => {
  it("holds every candidate pair, highest score first, paged and filtered by score", async () => {
    const tenant = newTenant();
    const api = await server.as("SalesRep", tenant);
    const { a, b, c } = await family(api, "queue");
    const body = await queueOf(api, (items) => items.length === 3);
    expect(body.totalCount).toBe(3);
    expect(body.items[0]).toMatchObject({ score: 92, reasons: ALL_REASONS });
    expect(pairOf(body.items[0])).toBe(key(a.id, b.id));
    expect(body.items.slice(1).map(pairOf).sort()).toEqual([key(a.id, c.id), key(b.id, c.id)].sort());
    expect(body.items.slice(1).every((p: any) => p.score === 45)).toBe(true);
    const sideA = [body.items[0].customerA, body.items[0].customerB].find((s: any) => s.id === a.id);
    expect(sideA).toEqual({ id: a.id, customerNumber: a.customerNumber, name: "Dupe Widgets Ltd" });
    expect(new Date(body.items[0].detectedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const second = await queue(api, "?pageSize=1&page=2");
    expect(second.body).toMatchObject({ totalCount: 3, page: 2, pageSize: 1, totalPages: 3 });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].score).toBe(45);
    const strong = await queue(api, "?minScore=50");
    expect(strong.body.items.map(pairOf)).toEqual([key(a.id, b.id)]);
    expect((await queue(api, "?minScore=101")).status).toBe(400);
    expect((await queue(api, "?pageSize=500")).body.errors.pageSize).toBeDefined();
  });

  it("follows updates and deactivations: pairs that no longer hold leave the queue", async () => {
    const tenant = newTenant();
    const api = await server.as("CustomerManager", tenant);
    const { a, b, c } = await family(api, "follow");
    await queueOf(api, (items) => items.length === 3);
    // C no longer shares A's and B's phone.
    expect((await api.put(`/customers/${c.id}/contact-info`, { primaryPhone: "+44 20 7946 1888" })).status).toBe(200);
    await queueOf(api, (items) => items.length === 1 && pairOf(items[0]) === key(a.id, b.id));
    // A deactivated side hides the pair at once; the worker then removes it.
    expect((await api.post(`/customers/${b.id}/deactivate`, { reason: "Duplicate" })).status).toBe(200);
    expect((await queue(api)).body.items).toEqual([]);
    await eventually(
      () => server.deps.db.selectFrom("customerDuplicatePairs").select("customerA").where("tenantId", "=", tenant).execute(),
      (rows) => rows.length === 0,
      20_000,
    );
    // Reactivated, B is a duplicate again.
    expect((await api.post(`/customers/${b.id}/reactivate`, { reason: "Still trading" })).status).toBe(200);
    await queueOf(api, (items) => items.length === 1 && items[0].score === 92);
  });

  it("drops an archived customer's pairs (a merge would refuse it) and finds it for nobody", async () => {
    const tenant = newTenant();
    const api = await server.as("CustomerManager", tenant);
    const { a, b, c } = await family(api, "archive");
    await queueOf(api, (items) => items.length === 3);
    expect((await api.post(`/customers/${b.id}/archive`, { reason: "Retired" })).status).toBe(200);
    // Hidden at once; the worker then removes the pairs and the keys.
    expect((await queue(api)).body.items.map(pairOf)).toEqual([key(a.id, c.id)]);
    await eventually(
      () => server.deps.db.selectFrom("customerDuplicatePairs").select(["customerA", "customerB"]).where("tenantId", "=", tenant).execute(),
      (rows) => rows.length === 1 && key(rows[0]!.customerA, rows[0]!.customerB) === key(a.id, c.id),
      20_000,
    );
    expect(await server.deps.db.selectFrom("customerMatchKeys").select("keyKind").where("tenantId", "=", tenant).where("customerId", "=", b.id).execute()).toEqual([]);
    expect((await api.get(`/customers/${a.id}/duplicates`)).body.items.map((d: any) => d.id)).toEqual([c.id]);
    const twin = await api.post("/customers", customerBody({ companyName: "Dupe Widgets Ltd", primaryEmail: `sales@archive-widgets.example`, primaryPhone: "+44 20 7946 1002", billingAddress: london }));
    expect(twin.body.possibleDuplicates.map((d: any) => d.id)).toEqual([a.id]);
  });

  it("is caught up by the worker's sweep when the job could not be queued (Redis down for the API)", async () => {
    const tenant = newTenant();
    // The API gets a Redis of its own, which then dies: its job queue refuses, the write goes on.
    const redis = await startRedis();
    const offline = await startTestServer({ REDIS_URL: redis.url });
    redis.proc.kill("SIGKILL");
    await new Promise((r) => redis.proc.once("exit", r));
    try {
      const writer = rest(offline.url, await offline.token("SalesRep", tenant));
      const { a, b } = await family(writer, "lost");
      const marks = await offline.deps.db.selectFrom("customerDuplicateDirty").select("customerId").where("tenantId", "=", tenant).execute();
      expect(marks.map((m) => m.customerId)).toEqual(expect.arrayContaining([a.id, b.id]));
      const api = await server.as("SalesRep", tenant);
      const body = await queueOf(api, (items) => items.length === 3);
      expect(pairOf(body.items[0])).toBe(key(a.id, b.id));
      await eventually(
        () => offline.deps.db.selectFrom("customerDuplicateDirty").select("customerId").where("tenantId", "=", tenant).execute(),
        (rows) => rows.length === 0,
        20_000,
      );
    } finally {
      await offline.close();
    }
  });

  it("is the tenant's own: another tenant's look-alikes are no duplicates", async () => {
    const t1 = newTenant();
    const t2 = newTenant();
    const api1 = await server.as("SalesRep", t1);
    const api2 = await server.as("SalesRep", t2);
    await family(api1, "iso");
    const twin = await api2.post("/customers", customerBody({ companyName: "Dupe Widgets Ltd", primaryEmail: "orders@iso-widgets.example", primaryPhone: "+44 20 7946 1001", billingAddress: london }));
    expect(twin.status).toBe(201);
    expect(twin.body.possibleDuplicates).toEqual([]);
    await queueOf(api1, (items) => items.length === 3);
    expect((await queue(api2)).body).toMatchObject({ items: [], totalCount: 0 });
  });
});

describe("dismissing a pair (POST /customers/duplicates/dismiss)", () => {
  it("takes the pair off the queue and out of lookups for good, audited and evented", async () => {
    const tenant = newTenant();
    const api = await server.as("SalesRep", tenant);
    const { a, b, c } = await family(api, "dismiss");
    await queueOf(api, (items) => items.length === 3);

    const res = await api.post("/customers/duplicates/dismiss", { customerIdA: b.id, customerIdB: a.id });
    expect(res.status).toBe(200);
    const [lo, hi] = [a.id, b.id].sort();
    expect(res.body).toEqual({ customerIdA: lo, customerIdB: hi, dismissed: true, alreadyDismissed: false });
    expect((await queue(api)).body.items.map(pairOf).sort()).toEqual([key(a.id, c.id), key(b.id, c.id)].sort());
    expect((await api.get(`/customers/${a.id}/duplicates`)).body.items.map((d: any) => d.id)).toEqual([c.id]);
    const again = await api.post("/customers/duplicates/dismiss", { customerIdA: a.id, customerIdB: b.id });
    expect(again.body.alreadyDismissed).toBe(true);

    for (const id of [a.id, b.id]) {
      const history = (await api.get(`/customers/${id}/history`)).body.items;
      expect(history.filter((h: any) => h.action === "CustomerDuplicateDismissed")).toHaveLength(1);
    }
    const events = await listEventsForAggregate(server.deps.db, tenant, lo!);
    expect(events.filter((e) => e.envelope.type === "CustomerDuplicateDismissed").map((e) => e.envelope.data)).toEqual([{ customerIdA: lo, customerIdB: hi }]);

    // B changes (its keys too): the worker recomputes its pairs, and the dismissed one stays away.
    const changed = await api.put(`/customers/${b.id}/contact-info`, { secondaryPhone: "+44 20 7946 1002" });
    expect(changed.status).toBe(200);
    expect(changed.body.possibleDuplicates.map((d: any) => d.id)).toEqual([c.id]);
    await eventually(
      () => server.deps.db.selectFrom("customerDuplicateDirty").select("customerId").where("customerId", "=", b.id).execute(),
      (rows) => rows.length === 0,
      20_000,
    );
    expect((await queue(api)).body.items.map(pairOf)).not.toContain(key(a.id, b.id));
    // A full scan remembers it too.
    const scan = await api.post("/customers/duplicates/scan", {});
    await eventually(() => api.get(`/customers/duplicates/scans/${scan.body.scanId}`), (r) => r.body.status === "Completed", 20_000);
    expect((await queue(api)).body.items.map(pairOf)).not.toContain(key(a.id, b.id));
  });

  it("is not undone by a scan that read the dismissals before the dismissal committed", async () => {
    const tenant = newTenant();
    const api = await server.as("SalesRep", tenant);
    const { a, b } = await family(api, "race");
    await queueOf(api, (items) => items.length === 3);
    // The creates' own jobs are done (one still running would wait on the open dismissal below).
    await eventually(
      () => server.deps.db.selectFrom("customerDuplicateDirty").select("customerId").where("tenantId", "=", tenant).execute(),
      (rows) => rows.length === 0,
      20_000,
    );
    const [lo, hi] = [a.id, b.id].sort() as [string, string];
    const db = server.deps.db;
    // A dismissal as its use case writes it, held open while a scan runs past its reads.
    const dismissal = await db.startTransaction().execute();
    try {
      await dismissal.insertInto("customerDuplicateDismissals").values({ tenantId: tenant, customerA: lo, customerB: hi, dismissedBy: "test", dismissedAt: new Date() }).execute();
      await dismissal.deleteFrom("customerDuplicatePairs").where("tenantId", "=", tenant).where("customerA", "=", lo).where("customerB", "=", hi).execute();
      const scan = await api.post("/customers/duplicates/scan", {});
      expect(scan.status).toBe(202);
      // The scan has read every key (and the dismissals) before the dismissal commits: its write then
      // waits on the pair the open dismissal deleted (a LOCK WAIT), or reaches it once that commits.
      await eventually(
        async () => ({
          transactions: (await sql<{ trxState: string; trxQuery: string | null }>`SELECT trx_state, trx_query FROM information_schema.innodb_trx`.execute(db)).rows,
          scan: (await api.get(`/customers/duplicates/scans/${scan.body.scanId}`)).body,
        }),
        (last) =>
          last.transactions.some((r) => r.trxState === "LOCK WAIT" && /customer_duplicate_pairs/i.test(r.trxQuery ?? "")) ||
          (last.scan.totalKeys > 0 && last.scan.processedKeys === last.scan.totalKeys) ||
          last.scan.status === "Completed",
        40_000,
        (last) => `${JSON.stringify(last)}\nworker output:\n${worker.output()}`,
      );
      await dismissal.commit().execute();
      await eventually(() => api.get(`/customers/duplicates/scans/${scan.body.scanId}`), (r) => r.body.status === "Completed", 20_000);
    } catch (e) {
      await dismissal.rollback().execute().catch(() => undefined);
      throw e;
    }
    expect((await queue(api)).body.items.map(pairOf)).not.toContain(key(a.id, b.id));
    expect((await queue(api)).body.items).toHaveLength(2);
  }, 120_000); // its three waits (jobs settled, the scan blocked, the scan done) add up past the default 30 s under load

  it("400 for one customer twice or bad ids, 404 for a missing or another tenant's customer, 403 without customer update", async () => {
    const tenant = newTenant();
    const api = await server.as("SalesRep", tenant);
    const { a, b } = await family(api, "refuse");
    const self = await api.post("/customers/duplicates/dismiss", { customerIdA: a.id, customerIdB: a.id });
    expect(self.status).toBe(400);
    expect(self.body).toMatchObject({ code: "DUP-001", errors: { customerIdB: ["must be another customer than customerIdA"] } });
    const bad = await api.post("/customers/duplicates/dismiss", { customerIdA: "x" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["customerIdA", "customerIdB"]);
    const missing = await api.post("/customers/duplicates/dismiss", { customerIdA: a.id, customerIdB: "00000000-0000-4000-8000-000000000000" });
    expect(missing.status).toBe(404);
    const other = await server.as("SalesRep", newTenant());
    expect((await other.post("/customers/duplicates/dismiss", { customerIdA: a.id, customerIdB: b.id })).status).toBe(404);
    for (const role of ["Viewer", "SupportAgent"] as const) {
      const res = await (await server.as(role, tenant)).post("/customers/duplicates/dismiss", { customerIdA: a.id, customerIdB: b.id });
      expect(res.status).toBe(403);
    }
    const dismissals = await server.deps.db.selectFrom("customerDuplicateDismissals").select("customerA").where("tenantId", "=", tenant).execute();
    expect(dismissals).toEqual([]);
  });
});

describe("full scans (POST /customers/duplicates/scan)", () => {
  it("recomputes the tenant's queue in the worker with progress: lost pairs come back, stale ones go", async () => {
    const tenant = newTenant();
    const api = await server.as("CustomerManager", tenant);
    const { a, b, c } = await family(api, "scan");
    const solo = await api.post("/customers", customerBody({ companyName: "Lone Pine", primaryPhone: "+44 20 7946 1555", billingAddress: leeds }));
    await queueOf(api, (items) => items.length === 3);
    const db = server.deps.db;
    // The queue loses a pair and gains one that is no duplicate at all.
    await db.deleteFrom("customerDuplicatePairs").where("tenantId", "=", tenant).where("customerA", "=", [a.id, b.id].sort()[0]!).where("customerB", "=", [a.id, b.id].sort()[1]!).execute();
    const [x, y] = [c.id, solo.body.id].sort();
    const old = new Date(Date.now() - 3_600_000);
    await db.insertInto("customerDuplicatePairs").values({ tenantId: tenant, customerA: x!, customerB: y!, score: 60, reasons: '["sameEmail"]', detectedAt: old, checkedAt: old }).execute();

    const started = await api.post("/customers/duplicates/scan", {});
    expect(started.status).toBe(202);
    // The worker may have taken it already.
    expect(["Queued", "Running", "Completed"]).toContain(started.body.status);
    expect(started.body.scanId).toMatch(/^[0-9a-f-]{36}$/);
    const done = await eventually(
      () => api.get(`/customers/duplicates/scans/${started.body.scanId}`),
      (r) => r.body.status === "Completed",
      20_000,
      (last) => `scan: ${JSON.stringify(last.body)}\nworker output:\n${worker.output()}`,
    );
    expect(done.body).toMatchObject({ status: "Completed", progress: 100, pairsFound: 3, failureReason: null });
    expect(done.body.totalKeys).toBeGreaterThan(0);
    expect(done.body.processedKeys).toBe(done.body.totalKeys);
    expect(done.body.startedAt).not.toBeNull();
    const body = (await queue(api, "?pageSize=100")).body;
    expect(body.items.map(pairOf).sort()).toEqual([key(a.id, b.id), key(a.id, c.id), key(b.id, c.id)].sort());
    expect(body.items[0].score).toBe(92);
  });

  it("404 for a missing or another tenant's scan, 403 for roles without customer update", async () => {
    const tenant = newTenant();
    const api = await server.as("SalesRep", tenant);
    const started = await api.post("/customers/duplicates/scan", {});
    expect(started.status).toBe(202);
    const other = await server.as("Admin", newTenant());
    const foreign = await other.get(`/customers/duplicates/scans/${started.body.scanId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("DUP-002");
    expect((await api.get("/customers/duplicates/scans/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api.get("/customers/duplicates/scans/nope")).status).toBe(400);
    for (const role of ["Viewer", "SupportAgent", "MarketingManager"] as const) {
      expect((await (await server.as(role, tenant)).post("/customers/duplicates/scan", {})).status).toBe(403);
    }
    expect((await (await server.as("Viewer", tenant)).get(`/customers/duplicates/scans/${started.body.scanId}`)).status).toBe(200);
  });
});

describe("over tRPC", () => {
  it("serves the lookup and the queue as procedures of the customers router", async () => {
    const tenant = newTenant();
    const { a, b } = await family(await server.as("SalesRep", tenant), "trpc");
    const token = await server.token("Viewer", tenant);
    const input = encodeURIComponent(JSON.stringify({ id: a.id }));
    const res = await fetch(`${server.url}/trpc/customers.duplicates?input=${input}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { items: { id: string }[] } } };
    expect(body.result.data.items.map((i) => i.id)).toContain(b.id);
  });
});
