import { inTransaction, listAudit, listEventsForAggregate } from "@clientele/db";
import { recordAttendance } from "@clientele/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function setup() {
  const tenant = newTenant();
  const api = rest(server.url, await server.token("CustomerManager", tenant, "cm-1"));
  const customerId = (await api.post("/customers", customerBody())).body.id as string;
  return { tenant, api, customerId, url: `/customers/${customerId}/attendance` };
}

let keySeq = 0;
const attendance = (o: Record<string, unknown> = {}) => ({
  eventRef: "evt-100",
  eventName: "Spring gala",
  status: "Attended",
  occurredAt: "2026-11-20T18:00:00Z",
  idempotencyKey: `att-${++keySeq}`,
  ...o,
});

describe("recording attendance (issue 12 §1)", () => {
  it("records it, counts totalEvents, audits it, raises AttendanceRecorded and moves the last activity", async () => {
    const { tenant, api, customerId, url } = await setup();
    const res = await api.post(url, attendance({ idempotencyKey: "a-1" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      totalEvents: 1,
      replayed: false,
      attendance: { customerId, eventRef: "evt-100", eventName: "Spring gala", status: "Attended", occurredAt: "2026-11-20T18:00:00.000Z", idempotencyKey: "a-1", source: "api", createdBy: "cm-1" },
    });
    const customer = (await api.get(`/customers/${customerId}`)).body;
    expect(customer.profile.totalEvents).toBe(1);
    expect(customer.lastActivityAt).toBe("2026-11-20T18:00:00.000Z");
    const events = (await listEventsForAggregate(server.deps.db, tenant, customerId)).map((e) => e.envelope);
    expect(events.find((e) => e.type === "AttendanceRecorded")).toMatchObject({
      actor: "cm-1",
      version: customer.version,
      data: { customerId, attendanceId: res.body.attendance.id, eventRef: "evt-100", status: "Attended", totalEvents: 1, source: "api" },
    });
    const audit = await listAudit(server.deps.db, tenant, "Customer", customerId);
    expect(audit.find((a) => a.action === "AttendanceRecorded")).toMatchObject({ actorId: "cm-1", changes: { totalEvents: { from: 0, to: 1 } } });
  });

  it("a registration for a future event is activity as of now, not of the event's date", async () => {
    const { api, customerId, url } = await setup();
    const eventAt = new Date(Date.now() + 365 * 86_400_000);
    expect((await api.post(url, attendance({ status: "Registered", occurredAt: eventAt.toISOString() }))).status).toBe(201);
    const lastActivityAt = new Date((await api.get(`/customers/${customerId}`)).body.lastActivityAt as string);
    expect(lastActivityAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("is idempotent: the same key and content again returns the first row and applies nothing", async () => {
    const { tenant, api, customerId, url } = await setup();
    const body = attendance();
    const first = await api.post(url, body);
    const again = await api.post(url, body);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ replayed: true, totalEvents: 1, attendance: { id: first.body.attendance.id } });
    expect((await api.get(url)).body).toMatchObject({ totalCount: 1, totalEvents: 1 });
    const recorded = (await listEventsForAggregate(server.deps.db, tenant, customerId)).filter((e) => e.envelope.type === "AttendanceRecorded");
    expect(recorded).toHaveLength(1);
  });

  it("the same key with other content is 409 ATT-001, for this customer or another", async () => {
    const { api, customerId, url } = await setup();
    const body = attendance();
    await api.post(url, body);
    const res = await api.post(url, { ...body, status: "NoShow" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "ATT-001", errors: { idempotencyKey: ["was used for a different attendance"] } });
    const other = (await api.post("/customers", customerBody())).body.id as string;
    expect((await api.post(`/customers/${other}/attendance`, body)).body.code).toBe("ATT-001");
    expect((await api.get(`/customers/${customerId}`)).body.profile.totalEvents).toBe(1);
  });

  it("totalEvents counts distinct events attended: registered and no-show rows do not count, one event attended twice counts once", async () => {
    const { api, customerId, url } = await setup();
    await api.post(url, attendance({ eventRef: "e1", status: "Registered" }));
    await api.post(url, attendance({ eventRef: "e1", status: "Attended" }));
    await api.post(url, attendance({ eventRef: "e1", status: "Attended", occurredAt: "2026-11-21T18:00:00Z" }));
    await api.post(url, attendance({ eventRef: "e2", status: "NoShow" }));
    const last = await api.post(url, attendance({ eventRef: "e3", status: "Attended" }));
    expect(last.body.totalEvents).toBe(2);
    const list = await api.get(`${url}?pageSize=2`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ totalCount: 5, totalEvents: 2, page: 1, pageSize: 2, totalPages: 3 });
    expect(list.body.items).toHaveLength(2);
    expect((await api.get(`/customers/${customerId}`)).body.profile.totalEvents).toBe(2);
  });

  it("recounts totalEvents from the latest commit, whatever snapshot the caller's transaction took before its lock", async () => {
    const { tenant, customerId } = await setup();
    const ctx = { tenantId: tenant, actor: "events-system", source: "stream" as const, now: new Date("2026-12-01T10:00:00Z") };
    const item = (eventRef: string) => ({ customerId, eventRef, status: "Attended", occurredAt: new Date("2026-11-30T10:00:00Z"), idempotencyKey: `snap-${eventRef}-${customerId}` });
    await inTransaction(server.deps.db, async (trx) => {
      // A plain read first, as the stream consumer's dedupe check does: the transaction's snapshot dates from here.
      await trx.selectFrom("consumedEvents").select("eventId").limit(1).execute();
      expect((await recordAttendance(server.deps.db, ctx, [item("e1")]))[0]).toMatchObject({ outcome: "recorded", totalEvents: 1 });
      expect((await recordAttendance(trx, ctx, [item("e2")]))[0]).toMatchObject({ outcome: "recorded", totalEvents: 2 });
    });
    // Read from the table: the shared function leaves the cached copy to its caller.
    expect((await server.deps.db.selectFrom("customers").select("totalEvents").where("id", "=", customerId).executeTakeFirstOrThrow()).totalEvents).toBe(2);
  });

  it("the shared function applies a batch once per key, as the attendance stream calls it", async () => {
    const { tenant, api, customerId } = await setup();
    const ctx = { tenantId: tenant, actor: "events-system", source: "stream" as const, now: new Date("2026-12-01T10:00:00Z") };
    const items = [
      { customerId, eventRef: "s1", status: "Attended", occurredAt: new Date("2026-11-30T10:00:00Z"), idempotencyKey: "evt-s1" },
      { customerId, eventRef: "s2", status: "Attended", occurredAt: new Date("2026-11-30T11:00:00Z"), idempotencyKey: "evt-s2" },
      { customerId: "6f1c2b1e-8d3a-4c55-9a0e-2b7f4d1c9e01", eventRef: "s3", status: "Attended", occurredAt: new Date(), idempotencyKey: "evt-s3" },
      { customerId, eventRef: "", status: "Maybe", occurredAt: new Date(), idempotencyKey: "evt-s4" },
    ];
    const first = await recordAttendance(server.deps.db, ctx, items);
    expect(first.map((r) => r.outcome)).toEqual(["recorded", "recorded", "rejected", "rejected"]);
    expect(first[2]).toMatchObject({ error: { code: "CUST-001" } });
    expect(first[3]).toMatchObject({ error: { code: "VALIDATION", fieldErrors: { eventRef: ["is required"], status: ["must be one of Registered, Attended, NoShow"] } } });
    const again = await recordAttendance(server.deps.db, ctx, items.slice(0, 2));
    expect(again.map((r) => r.outcome)).toEqual(["duplicate", "duplicate"]);
    expect((await api.get(`/customers/${customerId}/attendance`)).body).toMatchObject({ totalCount: 2, totalEvents: 2, items: [{ source: "stream", createdBy: "events-system" }, {}] });
  });

  it("refuses bad input with field messages (never a 500)", async () => {
    const { api, url } = await setup();
    const res = await api.post(url, { eventRef: "", status: "Maybe", occurredAt: "yesterday", idempotencyKey: "x".repeat(101) });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(["eventRef", "idempotencyKey", "occurredAt", "status"]);
    expect((await api.post(url, attendance({ eventRef: "   " }))).body.errors).toEqual({ eventRef: ["is required"] });
  });

  it("who may: SalesRep records, Viewer reads but may not record (403), no token is 401", async () => {
    const { tenant, url } = await setup();
    const sales = rest(server.url, await server.token("SalesRep", tenant));
    const viewer = rest(server.url, await server.token("Viewer", tenant));
    expect((await sales.post(url, attendance())).status).toBe(201);
    expect((await viewer.post(url, attendance())).status).toBe(403);
    expect((await viewer.get(url)).status).toBe(200);
    expect((await rest(server.url).get(url)).status).toBe(401);
  });

  it("another tenant's customer is 404 (record and list), like a missing one", async () => {
    const { url } = await setup();
    const stranger = rest(server.url, await server.token("CustomerManager", newTenant()));
    expect((await stranger.post(url, attendance())).status).toBe(404);
    expect((await stranger.get(url)).status).toBe(404);
    expect((await stranger.post("/customers/6f1c2b1e-8d3a-4c55-9a0e-2b7f4d1c9e01/attendance", attendance())).body.code).toBe("CUST-001");
  });
});
