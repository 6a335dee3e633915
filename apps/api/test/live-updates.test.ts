import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { get, type IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import { runCustomerImport } from "@clientele/jobs";
import type { Role } from "@clientele/domain";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEventsForAggregate } from "@clientele/db";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, startTestServer, streamPrefix, uploadFile, type TestServer } from "./harness";
import { collectOutput } from "./child-output";
import { startRelay } from "./live-harness";
import { clusterWorkersOf, connectionOwners, processesWithEnv } from "./processes";

// Two API servers on one database and one Redis, as two processes of a cluster would be: each
// reads the streams itself, so a client may reconnect to either and resume.
let a: TestServer & { env: Record<string, string> };
let b: TestServer;
let relay: Awaited<ReturnType<typeof startRelay>>;

beforeAll(async () => {
  const STREAM_PREFIX = `${streamPrefix()}live:`;
  a = await startIsolatedTestServer("live", { STREAM_PREFIX });
  b = await startTestServer({ ...a.env, STREAM_PREFIX });
  relay = startRelay(a);
});
afterAll(async () => {
  await relay?.stop();
  await b?.close();
  await a?.close();
});

type SseEvent = { event: string; id: string | undefined; data: any };

/**
 * A subscription over plain HTTP, read as an EventSource reads it: the token in `connectionParams`
 * (no Authorization header), `Last-Event-ID` on a reconnect, events parsed from the text stream.
 * Each on a connection of its own, whose client port says which cluster worker holds it.
 */
async function subscribe(server: { url: string }, path: string, input: unknown, o: { token?: string; lastEventId?: string } = {}) {
  const query = new URLSearchParams({ input: JSON.stringify(input) });
  if (o.token) query.set("connectionParams", JSON.stringify({ token: o.token }));
  const req = get(`${server.url}/trpc/${path}?${query}`, {
    agent: false,
    headers: { accept: "text/event-stream", ...(o.lastEventId ? { "last-event-id": o.lastEventId } : {}) },
  });
  const res = await new Promise<IncomingMessage>((resolve, reject) => req.once("response", resolve).once("error", reject));
  const clientPort = res.socket.localPort!;
  const isStream = res.headers["content-type"]?.startsWith("text/event-stream") ?? false;
  const received: SseEvent[] = [];
  let text = "";
  let ended = false;
  let notify: () => void = () => {};
  const reading = (async () => {
    let buffer = "";
    try {
      for await (const chunk of res.setEncoding("utf8")) {
        if (!isStream) {
          text += chunk;
          continue;
        }
        buffer += chunk as string;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: SseEvent = { event: "message", id: undefined, data: "" };
          for (const line of block.split("\n")) {
            const [field, ...rest] = line.split(":");
            const value = rest.join(":").replace(/^ /, "");
            if (field === "event") e.event = value;
            else if (field === "id") e.id = value;
            else if (field === "data") e.data += value;
          }
          e.data = e.data ? JSON.parse(e.data) : e.data;
          if (e.event !== "ping") received.push(e);
          notify();
        }
      }
    } catch {
      // destroyed by close()
    }
    ended = true;
    notify();
  })();
  const messages = () => received.filter((e) => e.event === "message");
  const until = async (ok: () => boolean, what: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (ended || Date.now() > deadline) throw new Error(`${what} did not arrive (${ended ? "stream ended" : "timeout"}); received ${JSON.stringify(received)}`);
      await new Promise<void>((resolve) => {
        notify = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  return {
    status: res.statusCode,
    clientPort,
    json: async (): Promise<any> => (await reading, JSON.parse(text)),
    received,
    messages,
    until,
    /** Resolves with the data messages once one satisfies `ok`. */
    waitFor: async (ok: (data: any) => boolean, what: string, timeoutMs?: number) => {
      await until(() => messages().some((m) => ok(m.data)), what, timeoutMs);
      return messages();
    },
    waitForEnd: (what: string, timeoutMs?: number) => until(() => ended, what, timeoutMs),
    close: async () => {
      req.destroy();
      await reading;
    },
  };
}

const ready = (d: any) => d.kind === "ready";

async function tenantWith(server: TestServer, role: Role, userId = "watcher") {
  const tenant = newTenant();
  return { tenant, token: await server.token(role, tenant, userId), admin: rest(server.url, await server.token("Admin", tenant, "editor")) };
}

describe("live updates over server-sent events", () => {
  it("sends a change to the customer being watched, with its id, version and who made it", async () => {
    const { token, admin } = await tenantWith(a, "Viewer");
    const customer = (await admin.post("/customers", customerBody())).body;
    const other = (await admin.post("/customers", customerBody())).body;
    const stream = await subscribe(a, "live.customer", { customerId: customer.id }, { token });
    expect(stream.status).toBe(200);
    await stream.waitFor(ready, "the ready message");

    expect((await admin.put(`/customers/${other.id}/profile`, { industry: "Other customer" })).status).toBe(200);
    expect((await admin.put(`/customers/${customer.id}/profile`, { industry: "Aerospace" })).status).toBe(200);
    const messages = await stream.waitFor((d) => d.kind === "changed", "the profile change");
    const change = messages.find((m) => m.data.kind === "changed")!;
    expect(change.data).toMatchObject({ kind: "changed", type: "CustomerProfileUpdated", customerId: customer.id, version: 2, actor: "editor" });
    expect(change.id).toMatch(/^\d+-\d+$/);
    expect(change.data).not.toHaveProperty("data");
    await stream.close();
    // Only the watched customer's change came.
    expect(stream.messages().filter((m) => m.data.kind === "changed")).toHaveLength(1);
  });

  it("a reconnect with the last event id gets what it missed, once, and then what follows, on either server", async () => {
    const { tenant, token, admin } = await tenantWith(a, "SalesRep");
    const customer = (await admin.post("/customers", customerBody())).body;
    const first = await subscribe(a, "live.customer", { customerId: customer.id }, { token });
    await first.waitFor(ready, "the ready message");
    await admin.put(`/customers/${customer.id}/profile`, { industry: "One" });
    const seen = await first.waitFor((d) => d.version === 2, "version 2");
    const lastId = seen.find((m) => m.data.version === 2)!.id!;
    await first.close();

    // Missed while disconnected.
    await admin.put(`/customers/${customer.id}/profile`, { industry: "Two" });
    await admin.post(`/customers/${customer.id}/deactivate`, { reason: "Closed the account" });
    await admin.post(`/customers/${customer.id}/reactivate`, { reason: "Reopened the account" });
    // Published before the reconnect, so the resume reads them back from the stream.
    await eventually(
      () => listEventsForAggregate(a.deps.db, tenant, customer.id),
      (events) => events.length === 5 && events.every((e) => e.publishedAt !== null),
    );

    // The other process: it knows nothing of the first connection; the id is all it needs.
    const resumed = await subscribe(b, "live.customer", { customerId: customer.id }, { token, lastEventId: lastId });
    expect(resumed.status).toBe(200);
    await resumed.waitFor(ready, "the ready message after the replay");
    await admin.put(`/customers/${customer.id}/profile`, { industry: "Three" });
    const after = await resumed.waitFor((d) => d.version === 6, "version 6");
    await resumed.close();
    const changes = after.filter((m) => m.data.kind === "changed");
    expect(changes.map((m) => [m.data.version, m.data.type])).toEqual([
      [3, "CustomerProfileUpdated"],
      [4, "CustomerDeactivated"],
      [5, "CustomerReactivated"],
      [6, "CustomerProfileUpdated"],
    ]);
    // Replayed first, then the ready point, then live.
    expect(after.map((m) => m.data.kind)).toEqual(["changed", "changed", "changed", "ready", "changed"]);
    const ids = changes.map((m) => m.id!);
    expect(new Set(ids).size).toBe(ids.length);

    // tRPC's own resume parameter (what httpSubscriptionLink sends when it reconnects itself) works the same.
    const viaInput = await subscribe(a, "live.customer", { customerId: customer.id, lastEventId: ids[2] }, { token });
    const replay = await viaInput.waitFor(ready, "the ready message");
    await viaInput.close();
    expect(replay.filter((m) => m.data.kind === "changed").map((m) => m.data.version)).toEqual([6]);

    // An id past the stream's head (forged, or from a stream since reset) starts at the head instead of skipping everything after it.
    const future = await subscribe(b, "live.customer", { customerId: customer.id }, { token, lastEventId: "999999999999999-0" });
    await future.waitFor(ready, "the ready message");
    await admin.put(`/customers/${customer.id}/profile`, { industry: "Four" });
    const live = await future.waitFor((d) => d.version === 7, "version 7 after a resume id from the future");
    await future.close();
    expect(live.filter((m) => m.data.kind === "changed").map((m) => m.data.version)).toEqual([7]);
  });

  it("never sends another tenant's events, and another tenant's customer is not found", async () => {
    const mine = await tenantWith(a, "SupportAgent");
    const theirs = await tenantWith(a, "SupportAgent");
    const myCustomer = (await mine.admin.post("/customers", customerBody())).body;
    const theirCustomer = (await theirs.admin.post("/customers", customerBody())).body;
    const stream = await subscribe(a, "live.complaints", {}, { token: mine.token });
    await stream.waitFor(ready, "the ready message");
    const complaint = { subject: "Invoice charged twice", description: "Charged twice in November.", priority: "High" };
    const theirComplaint = (await theirs.admin.post(`/customers/${theirCustomer.id}/complaints`, complaint)).body;
    const myComplaint = (await mine.admin.post(`/customers/${myCustomer.id}/complaints`, complaint)).body;
    await mine.admin.put(`/customers/${myCustomer.id}/complaints/${myComplaint.id}/status`, { status: "Escalated", notes: "Customer threatens to leave" });
    const got = await stream.waitFor((d) => d.kind === "escalated", "the escalation");
    await stream.close();
    expect(got.filter((m) => m.data.kind !== "ready").map((m) => [m.data.kind, m.data.complaintId])).toEqual([
      ["received", myComplaint.id],
      ["escalated", myComplaint.id],
    ]);
    for (const m of got.slice(1)) expect(m.data).toMatchObject({ complaintNumber: myComplaint.complaintNumber, priority: "High", customerId: myCustomer.id, automatic: false, actor: "editor" });
    expect(JSON.stringify(stream.received)).not.toContain(theirComplaint.id);
    expect(JSON.stringify(stream.received)).not.toContain("Invoice charged twice");

    // Their customer's id from my tenant: the same 404 as a missing one, as an error event (the stream closes).
    const foreign = await subscribe(a, "live.customer", { customerId: theirCustomer.id }, { token: mine.token });
    await foreign.waitForEnd("the end of the stream");
    const error = foreign.received.find((e) => e.event === "serialized-error");
    expect(error?.data).toMatchObject({ data: { httpStatus: 404, errorCode: "CUST-001" } });
  });

  it("answers 401 without a valid token and 403 to a role without the privilege, before any stream opens", async () => {
    const { tenant, admin } = await tenantWith(a, "Viewer");
    const customer = (await admin.post("/customers", customerBody())).body;
    const none = await subscribe(a, "live.customer", { customerId: customer.id });
    expect(none.status).toBe(401);
    expect((await none.json()).error.data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
    const forged = await subscribe(a, "live.customer", { customerId: customer.id }, { token: "not.a.token" });
    expect(forged.status).toBe(401);
    await forged.json();

    const viewer = await a.token("Viewer", tenant);
    const complaints = await subscribe(a, "live.complaints", {}, { token: viewer });
    expect(complaints.status).toBe(403);
    expect((await complaints.json()).error.data).toMatchObject({ code: "FORBIDDEN", httpStatus: 403 });
    const exportId = "0b6f3b5e-3c1a-4c7e-9a55-5a4f0f3f1a11";
    const sales = await subscribe(a, "live.exportProgress", { kind: "Customer", exportId }, { token: await a.token("SalesRep", tenant) });
    expect(sales.status).toBe(403);
    await sales.json();
    // A bad resume id is the caller's mistake (400), not a reason to reconnect.
    const bad = await subscribe(a, "live.customer", { customerId: customer.id, lastEventId: "yesterday" }, { token: viewer });
    await bad.waitForEnd("the end of the stream");
    expect(bad.received.find((e) => e.event === "serialized-error")?.data).toMatchObject({ data: { httpStatus: 400 } });
  });

  it("follows an import's progress to completion, then ends; another tenant's import is not found", async () => {
    const { tenant, token } = await tenantWith(a, "CustomerManager");
    const rows = Array.from({ length: 150 }, (_, i) => `SmallBusiness,Live Import ${i},live${i}.${tenant}@example.com,+44 20 7946 0958,1 High Street,London,Greater London,SW1A 1AA,GB`);
    const csv = ["type,companyName,primaryEmail,primaryPhone,billingStreet,billingCity,billingState,billingZipCode,billingCountry", ...rows].join("\n");
    // Over the inline limit: queued for the worker, which this test plays below.
    const submitted = await uploadFile(a.url, token, "/customers/bulk/import", "customers.csv", { content: csv });
    expect(submitted.status).toBe(202);
    const importId = submitted.body.importId as string;

    const stream = await subscribe(a, "live.importProgress", { kind: "Customer", importId }, { token });
    await stream.waitFor((d) => d.status === "Queued", "the queued state");
    await runCustomerImport(a.deps, { importId, tenantId: tenant });
    await stream.waitForEnd("the end of the stream");
    const states = stream.messages().map((m) => m.data);
    expect(states.at(-1)).toMatchObject({ importId, status: "Completed", totalRows: 150, processedRows: 150, imported: 150, failed: 0 });
    // Each state once; the stream ended as finished (tRPC's return event), so the client does not reconnect.
    expect(new Set(stream.messages().map((m) => m.id)).size).toBe(states.length);
    expect(stream.received.at(-1)!.event).toBe("return");

    // Resuming with the last state's id sends nothing again and ends at once.
    const again = await subscribe(a, "live.importProgress", { kind: "Customer", importId }, { token, lastEventId: stream.messages().at(-1)!.id });
    await again.waitForEnd("the end of the stream");
    expect(again.messages()).toEqual([]);

    const stranger = await subscribe(a, "live.importProgress", { kind: "Customer", importId }, { token: await a.token("CustomerManager", newTenant()) });
    await stranger.waitForEnd("the end of the stream");
    expect(stranger.received.find((e) => e.event === "serialized-error")?.data).toMatchObject({ data: { httpStatus: 404, errorCode: "IMPORT-001" } });
  });

  it("a closing server ends its streams with a retryable error, so clients reconnect elsewhere, and closes promptly", async () => {
    const closing = await startTestServer({ ...a.env, STREAM_PREFIX: a.deps.env.STREAM_PREFIX });
    const { token, admin } = await tenantWith(closing, "Viewer");
    const customer = (await admin.post("/customers", customerBody())).body;
    const stream = await subscribe(closing, "live.customer", { customerId: customer.id }, { token });
    await stream.waitFor(ready, "the ready message");
    const started = Date.now();
    await closing.close();
    // Well within SHUTDOWN_GRACE_MS (10 s): the stream did not hold the server open.
    expect(Date.now() - started).toBeLessThan(5000);
    await stream.waitForEnd("the end of the stream");
    // A code tRPC's client retries (it reconnects, resuming from its last event id).
    expect(stream.received.find((e) => e.event === "serialized-error")?.data).toMatchObject({ code: TRPC_ERROR_CODES_BY_KEY.SERVICE_UNAVAILABLE, data: { code: "SERVICE_UNAVAILABLE" } });
  });
});

describe("with API_WORKERS=2 (the real main.ts: a node:cluster primary and two workers)", () => {
  const apiDir = fileURLToPath(new URL("..", import.meta.url));
  const marker = randomUUID();
  afterAll(() => {
    for (const pid of processesWithEnv(`LIVE_TEST_MARKER=${marker}`)) process.kill(pid, "SIGKILL");
  });

  it("each worker reads the streams itself: subscribers on both get every change, a reconnect resumes on either, and SIGTERM ends the streams", async () => {
    const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: apiDir,
      env: { ...process.env, ...a.env, STREAM_PREFIX: a.deps.env.STREAM_PREFIX, NODE_ENV: "test", PORT: "0", API_WORKERS: "2", SHUTDOWN_GRACE_MS: "5000", LOG_LEVEL: "warn", LIVE_TEST_MARKER: marker },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const api = collectOutput(proc);
    const url = (await api.waitFor(/Clientele API on (http:\/\/\S+) /, 60_000))[1]!;
    const { tenant, token, admin } = await tenantWith(a, "Viewer");
    const customer = (await admin.post("/customers", customerBody())).body;
    // Consecutive connections: the primary hands them to the workers in turn.
    const owners = async (streams: { clientPort: number }[]) =>
      new Set(connectionOwners(clusterWorkersOf(proc.pid!), Number(new URL(url).port), streams.map((s) => s.clientPort)).values());
    const streams = [];
    for (let i = 0; i < 4; i++) streams.push(await subscribe({ url }, "live.customer", { customerId: customer.id }, { token }));
    await Promise.all(streams.map((s) => s.waitFor(ready, "the ready message")));
    expect((await owners(streams)).size, "the streams are held by both workers").toBe(2);

    await admin.put(`/customers/${customer.id}/profile`, { industry: "Clustered" });
    const firsts = await Promise.all(streams.map((s) => s.waitFor((d) => d.version === 2, "version 2")));
    const ids = firsts.map((m) => m.find((x) => x.data.version === 2)!.id);
    expect(new Set(ids).size, "the same event, with the same id, on both workers").toBe(1);
    await Promise.all(streams.map((s) => s.close()));

    await admin.put(`/customers/${customer.id}/profile`, { industry: "Missed once" });
    await admin.put(`/customers/${customer.id}/profile`, { industry: "Missed twice" });
    await eventually(
      () => listEventsForAggregate(a.deps.db, tenant, customer.id),
      (events) => events.length === 4 && events.every((e) => e.publishedAt !== null),
    );
    const resumed = [];
    for (let i = 0; i < 2; i++) resumed.push(await subscribe({ url }, "live.customer", { customerId: customer.id }, { token, lastEventId: ids[0] }));
    const replays = await Promise.all(resumed.map((s) => s.waitFor(ready, "the ready message after the replay")));
    expect((await owners(resumed)).size, "one reconnect on each worker").toBe(2);
    for (const replay of replays) expect(replay.filter((m) => m.data.kind === "changed").map((m) => m.data.version)).toEqual([3, 4]);

    proc.kill("SIGTERM");
    await Promise.all(resumed.map((s) => s.waitForEnd("the end of the stream", 5000)));
    for (const s of resumed) expect(s.received.find((e) => e.event === "serialized-error")?.data).toMatchObject({ data: { code: "SERVICE_UNAVAILABLE" } });
    expect(await api.exited).toBe(0);
  }, 90_000);
});
