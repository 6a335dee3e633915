import { createHmac, randomUUID } from "node:crypto";
import { signTwilioRequest } from "@clientele/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { customerBody, newTenant, startTestServer, type TestServer } from "./harness";

/**
 * Every operation of the served OpenAPI document, called over HTTP: each answer's status must be
 * one the document declares for that operation, with a body its JSON schema for that status and
 * media type accepts. The last test fails when an operation was never called (or never succeeded).
 */

type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; responses: Record<string, Response> } };
type Operation = { operationId: string; security?: unknown[]; parameters?: { name: string; in: string; schema?: { format?: string } }[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, Response | { $ref: string }> };
type Response = { description: string; content?: Record<string, { schema?: unknown }> };
type Call = { path?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; token?: string | null };
type Answer = { status: number; body: any; text: string; headers: Headers };

let server: TestServer;
let doc: Doc;
let admin: string;
let tenant: string;
const calls = new Map<string, Set<number>>();

beforeAll(async () => {
  server = await startTestServer();
  doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Doc;
  tenant = newTenant();
  admin = await server.token("Admin", tenant, "admin-1");
});
afterAll(() => server?.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));

function operation(method: string, path: string): Operation {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
  return op;
}

const resolve = (r: Response | { $ref: string }): Response => ("$ref" in r ? doc.components.responses[r.$ref.split("/").pop()!]! : r);

/** The declared JSON schema as a validator; `#/components/schemas/X` becomes `#/$defs/X`. */
function validator(schema: unknown) {
  const local = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll("#/components/schemas/", "#/$defs/"));
  return z.fromJSONSchema({ ...local(schema), $defs: local(doc.components.schemas) });
}

/** Checks an answer against the operation's declared responses and records the call. */
function check(method: string, path: string, res: Answer): void {
  const op = operation(method, path);
  const where = `${method.toUpperCase()} ${path} answered ${res.status}`;
  const declared = op.responses[String(res.status)];
  expect(declared, `${where}, which the document does not declare (${Object.keys(op.responses).join(", ")}); body ${res.text.slice(0, 300)}`).toBeDefined();
  const response = resolve(declared!);
  const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (!response.content) {
    expect(res.text, `${where} with a body the document does not declare`).toBe("");
  } else {
    const media = response.content[mediaType];
    expect(media, `${where} as ${mediaType || "nothing"}; declared: ${Object.keys(response.content).join(", ")}`).toBeDefined();
    const schema = media!.schema as { format?: string } | undefined;
    if (schema && schema.format !== "binary") {
      const value = mediaType.endsWith("json") ? res.body : res.text;
      const result = validator(schema).safeParse(value);
      expect(result.success, `${where}: the body does not match the declared schema: ${JSON.stringify(result.error?.issues.slice(0, 5))}\n${res.text.slice(0, 500)}`).toBe(true);
    }
    // The example is what a reader copies: its type (one per status, but 400's validation and business
    // rules) and, for 415 and 429, its code are the ones the API sends.
    const example = (media as { example?: { type?: string; code?: string } }).example;
    if (mediaType === "application/problem+json" && example && res.status !== 400) {
      const body = res.body as { type?: string; code?: string };
      expect(body.type, `${where}: the example's type`).toBe(example.type);
      if (res.status === 415 || res.status === 429) expect(body.code, `${where}: the example's code`).toBe(example.code);
    }
  }
  const id = op.operationId;
  (calls.get(id) ?? calls.set(id, new Set()).get(id)!).add(res.status);
}

/** Calls the operation at this document path, as a client reading the document would. */
async function call(method: string, path: string, c: Call = {}): Promise<Answer> {
  const url = new URL(`${server.url}/api/v1${path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(c.path?.[name] ?? `{${name}}`))}`);
  for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.set(k, v);
  const token = c.token === undefined ? admin : c.token;
  const isForm = c.body instanceof FormData || c.body instanceof URLSearchParams;
  const res = await fetch(url, {
    method: method.toUpperCase(),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(c.body !== undefined && !isForm && typeof c.body !== "string" ? { "content-type": "application/json" } : {}),
      ...c.headers,
    },
    body: c.body === undefined ? undefined : isForm || typeof c.body === "string" ? (c.body as FormData | URLSearchParams | string) : JSON.stringify(c.body),
  });
  const text = await res.text();
  const json = /json/.test(res.headers.get("content-type") ?? "") && text ? JSON.parse(text) : undefined;
  const answer = { status: res.status, body: json, text, headers: res.headers };
  check(method, path, answer);
  return answer;
}

/** Calls and insists on one status (the contract check runs either way). */
async function expectStatus(status: number, method: string, path: string, c: Call = {}): Promise<any> {
  const res = await call(method, path, c);
  expect(res.status, `${method.toUpperCase()} ${path}: ${res.text.slice(0, 400)}`).toBe(status);
  return res.body;
}

function fileForm(name: string, content: string): FormData {
  const form = new FormData();
  form.set("file", new Blob([content], { type: "text/csv" }), name);
  return form;
}

/** Placeholder values for an operation's path parameters: unknown ids. */
const unknownParams = (op: Operation) =>
  Object.fromEntries((op.parameters ?? []).filter((p) => p.in === "path").map((p) => [p.name, p.schema?.format === "uuid" || /id$/i.test(p.name) ? randomUUID() : "VIP"]));

describe("error answers the document declares", () => {
  it("every operation behind a bearer token answers 401 without one", async () => {
    const secured = operations().filter(({ op }) => op.security?.length);
    expect(secured.length).toBeGreaterThan(50);
    for (const { method, path, op } of secured) {
      const multipart = op.requestBody?.content["multipart/form-data"];
      const body = multipart ? fileForm("contacts.csv", "email\nann@contract.example\n") : method === "post" || method === "put" ? {} : undefined;
      await expectStatus(401, method, path, { token: null, path: unknownParams(op), body });
    }
  });

  it("every operation on a resource answers 404 for an unknown id", async () => {
    const onResources = operations().filter(({ op }) => op.security?.length && op.responses["404"] && (op.parameters ?? []).some((p) => p.in === "path"));
    expect(onResources.length).toBeGreaterThan(30);
    for (const { method, path, op } of onResources) {
      // A body every such operation accepts (its fields are optional or checked after the lookup) would be
      // operation specific; the empty one is refused with 400 before the lookup for some, so both are declared.
      const res = await call(method, path, { path: unknownParams(op), ...(method === "post" || method === "put" ? { body: {} } : {}) });
      expect([400, 404], `${method} ${path}: ${res.text}`).toContain(res.status);
      if (res.status === 400) expect(res.body.errors, `${method} ${path}`).toBeDefined();
    }
  });

  it("every JSON operation answers 400 for a body that is not an object, and GETs for a bad query", async () => {
    const jsonBodies = operations().filter(({ op }) => op.requestBody?.content["application/json"] && op.security?.length);
    expect(jsonBodies.length).toBeGreaterThan(25);
    for (const { method, path, op } of jsonBodies) await expectStatus(400, method, path, { path: unknownParams(op), body: [] });
    await expectStatus(400, "get", "/customers/search", { query: { pageSize: "lots" } });
    await expectStatus(400, "get", "/customers/{id}", { path: { id: "not-a-uuid" } });
  });

  it("403 for a role without the privilege, 409 for a stale version, 415 for a body that is not JSON", async () => {
    const viewer = await server.token("SupportAgent", tenant, "viewer-1");
    await expectStatus(403, "post", "/templates", { token: viewer, body: { name: "x", channel: "Email", subject: "x", body: "x" } });
    const c = await expectStatus(201, "post", "/customers", { body: customerBody() });
    await expectStatus(409, "put", "/customers/{id}/profile", { path: { id: c.id }, body: { industry: "Retail" }, headers: { "if-match": '"99"' } });
    await expectStatus(415, "post", "/customers", { body: "companyName=Acme", headers: { "content-type": "text/plain" } });
  });

  it("429 with Retry-After once the budget is spent", async () => {
    const limited = await startTestServer({ RATE_LIMIT_PER_USER_PER_HOUR: "1" });
    try {
      const token = await limited.token("Admin", newTenant(), "thrifty");
      const get = () => fetch(`${limited.url}/api/v1/follow-ups/mine`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(200);
      const res = await get();
      const text = await res.text();
      check("get", "/follow-ups/mine", { status: res.status, body: JSON.parse(text), text, headers: res.headers });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe("every operation, successfully", () => {
  it("customers", async () => {
    const created = await expectStatus(201, "post", "/customers", { body: customerBody({ companyName: "Contract Co" }) });
    expect(created.id).toBeTruthy();
    const id = { id: created.id };
    await expectStatus(200, "get", "/customers/search", { query: { query: "Contract", pageSize: "5", sort: "companyName:asc" } });
    const got = await call("get", "/customers/{id}", { path: id });
    expect(got.status).toBe(200);
    expect(got.headers.get("etag")).toBe(`"${got.body.version}"`);
    await expectStatus(200, "get", "/customers/{id}/history", { path: id });
    const profile = await expectStatus(200, "put", "/customers/{id}/profile", { path: id, body: { industry: "Retail" }, headers: { "if-match": got.headers.get("etag")! } });
    await expectStatus(200, "put", "/customers/{id}/contact-info", { path: id, body: { secondaryEmail: "accounts@contract.example", version: profile.version } });
    await expectStatus(200, "put", "/customers/{id}/shipping-address", { path: id, body: { sameAsBilling: true } });
    await expectStatus(200, "put", "/customers/{id}/preferences", { path: id, body: { marketingConsent: true } });
    await expectStatus(200, "post", "/customers/{id}/deactivate", { path: id, body: { reason: "Duplicate record" } });
    await expectStatus(200, "post", "/customers/{id}/reactivate", { path: id, body: { reason: "Not a duplicate after all" } });
  });

  it("customer duplicates", async () => {
    const a = await expectStatus(201, "post", "/customers", { body: customerBody({ companyName: "Twin Contract Co", primaryPhone: "+44 20 7946 3001" }) });
    const b = await expectStatus(201, "post", "/customers", { body: customerBody({ companyName: "Twin Contract Company", primaryPhone: "+44 20 7946 3001" }) });
    const found = await expectStatus(200, "get", "/customers/{id}/duplicates", { path: { id: a.id } });
    expect(found.items.map((d: { id: string }) => d.id)).toContain(b.id);
    await expectStatus(200, "get", "/customers/duplicates", { query: { minScore: "40", pageSize: "5" } });
    await expectStatus(200, "post", "/customers/duplicates/dismiss", { body: { customerIdA: a.id, customerIdB: b.id } });
    const scan = await expectStatus(202, "post", "/customers/duplicates/scan", { body: {} });
    await expectStatus(200, "get", "/customers/duplicates/scans/{scanId}", { path: { scanId: scan.scanId } });
  });

  it("customer merge and undo", async () => {
    const source = await expectStatus(201, "post", "/customers", { body: customerBody({ companyName: "Merge Source Co" }) });
    const target = await expectStatus(201, "post", "/customers", { body: customerBody({ companyName: "Merge Target Co" }) });
    const merged = await expectStatus(200, "post", "/customers/merge", { body: { sourceCustomerId: source.id, targetCustomerId: target.id, fieldChoices: { industry: "source" } } });
    const gone = await expectStatus(404, "get", "/customers/{id}", { path: { id: source.id } });
    expect(gone.mergedInto).toBe(target.id);
    await expectStatus(200, "get", "/customers/merges/{mergeId}", { path: { mergeId: merged.mergeId } });
    await expectStatus(200, "post", "/customers/merges/{mergeId}/undo", { path: { mergeId: merged.mergeId } });
    await expectStatus(409, "post", "/customers/merges/{mergeId}/undo", { path: { mergeId: merged.mergeId } });
  });

  it("customer record: list, PUT, tags, statuses, DELETE, and the taken email", async () => {
    const body = customerBody({ companyName: "Record Contract Co", tags: ["contract"] });
    const created = await expectStatus(201, "post", "/customers", { body });
    await expectStatus(409, "post", "/customers", { body: { ...body, companyName: "Record Contract Twin" } });
    const id = { id: created.id };
    await expectStatus(200, "get", "/customers", { query: { query: "Record Contract", status: "Active,Suspended", pageSize: "5" } });
    const put = await expectStatus(200, "put", "/customers/{id}", { path: id, body: { profile: { notes: "n", source: "Referral" }, preferences: { marketingConsent: true } }, headers: { "if-match": '"1"' } });
    await expectStatus(200, "put", "/customers/{id}/tags", { path: id, body: { tags: ["contract", "vip"], version: put.version } });
    await expectStatus(200, "post", "/customers/{id}/suspend", { path: id, body: { reason: "Blocked" } });
    await expectStatus(200, "post", "/customers/{id}/unsuspend", { path: id, body: { reason: "Cleared by finance" } });
    await expectStatus(200, "delete", "/customers/{id}", { path: id, query: { reason: "Duplicate record" } });
    await expectStatus(200, "post", "/customers/{id}/archive", { path: id, body: { reason: "Closing the file" } });
    await expectStatus(400, "put", "/customers/{id}/tags", { path: id, body: { tags: [] } });
  });

  it("customer advanced search", async () => {
    const created = await expectStatus(201, "post", "/customers", { body: customerBody({ companyName: "Fuzzywuzzy Contract Co", primaryPhone: "+44 20 7946 0321" }) });
    const found = await expectStatus(200, "post", "/customers/search", { body: { name: "Fuzywuzzy Contarct", phone: "7946 0321" } });
    expect(found.items[0]).toMatchObject({ id: created.id });
    await expectStatus(400, "post", "/customers/search", { body: { sort: ["nope:asc"] } });
  });

  it("contacts", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    const base = { customerId };
    const a = await expectStatus(201, "post", "/customers/{customerId}/contacts", { path: base, body: { firstName: "Ann", lastName: "Lee", email: "ann@contract.example" } });
    const b = await expectStatus(201, "post", "/customers/{customerId}/contacts", { path: base, body: { firstName: "Bo", lastName: "Kim", email: "bo@contract.example" } });
    await expectStatus(409, "post", "/customers/{customerId}/contacts", { path: base, body: { firstName: "Ann", lastName: "Again", email: "ann@contract.example" } });
    await expectStatus(200, "get", "/customers/{customerId}/contacts", { path: base });
    await expectStatus(200, "get", "/customers/{customerId}/contacts/{contactId}", { path: { customerId, contactId: a.id } });
    await expectStatus(200, "put", "/customers/{customerId}/contacts/{contactId}", { path: { customerId, contactId: b.id }, body: { position: "Buyer" } });
    await expectStatus(200, "post", "/customers/{customerId}/contacts/{contactId}/tags", { path: { customerId, contactId: b.id }, body: { tag: "VIP" } });
    await expectStatus(200, "delete", "/customers/{customerId}/contacts/{contactId}/tags/{tag}", { path: { customerId, contactId: b.id, tag: "VIP" } });
    await expectStatus(204, "delete", "/customers/{customerId}/contacts/{contactId}", { path: { customerId, contactId: b.id }, query: { reason: "Left" } });
  });

  it("communications, templates and files", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    const base = { customerId };
    const form = new FormData();
    form.set("file", new Blob(["hello"], { type: "text/plain" }), "hello.txt");
    const file = await expectStatus(201, "post", "/files", { body: form });
    const template = await expectStatus(201, "post", "/templates", { body: { name: "Welcome", channel: "Email", subject: "Welcome, {{companyName}}", body: "Hi!" } });
    const tRef = { templateId: template.id };
    await expectStatus(200, "put", "/templates/{templateId}", { path: tRef, body: { body: "Hello!", version: template.version } });
    await expectStatus(200, "get", "/templates/{templateId}", { path: tRef });
    await expectStatus(200, "get", "/templates", { query: { channel: "Email", includeArchived: "true" } });
    const email = await expectStatus(201, "post", "/customers/{customerId}/communications/email", { path: base, body: { subject: "Hi", body: "x", attachments: [file.id] } });
    await expectStatus(201, "post", "/customers/{customerId}/communications/email", { path: base, body: { templateId: template.id } });
    await expectStatus(200, "post", "/templates/{templateId}/archive", { path: tRef, body: {} });
    await expectStatus(201, "post", "/communications/email/bulk", { body: { customerIds: [customerId], subject: "News", body: "x" } });
    await expectStatus(201, "post", "/customers/{customerId}/communications/sms", { path: base, body: { message: "Your order shipped." } });
    await expectStatus(201, "post", "/customers/{customerId}/communications/phone-call", {
      path: base,
      body: { phoneNumber: "+442079460958", callType: "Outbound", durationInSeconds: 120, summary: "Talked about the renewal", callTime: new Date().toISOString() },
    });
    const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    const meeting = await expectStatus(201, "post", "/customers/{customerId}/communications/meeting", {
      path: base,
      body: { title: "Review", scheduledStart: inHours(24), scheduledEnd: inHours(25), attendees: ["ann@contract.example"], location: "HQ" },
    });
    const mRef = { customerId, meetingId: meeting.id };
    const moved = await expectStatus(200, "put", "/customers/{customerId}/communications/meeting/{meetingId}", { path: mRef, body: { scheduledStart: inHours(48), scheduledEnd: inHours(49) } });
    await expectStatus(409, "post", "/customers/{customerId}/communications/meeting/{meetingId}/cancel", { path: mRef, body: { version: moved.version - 1 } });
    await expectStatus(200, "post", "/customers/{customerId}/communications/meeting/{meetingId}/cancel", { path: mRef, body: {} });
    await expectStatus(200, "get", "/customers/{customerId}/communications", { path: base, query: { type: "Email,SMS", pageSize: "10" } });
    await expectStatus(200, "get", "/customers/{customerId}/communications/{communicationId}", { path: { customerId, communicationId: email.communicationId } });

    // A report from the provider, signed as the provider signs it.
    const report = JSON.stringify({ communicationId: email.communicationId, event: "delivered" });
    const signature = `sha256=${createHmac("sha256", server.deps.env.EMAIL_WEBHOOK_SECRET).update(report).digest("hex")}`;
    await expectStatus(401, "post", "/webhooks/email/events", { token: null, body: report, headers: { "content-type": "application/json", "x-clientele-signature": "sha256=00" } });
    await expectStatus(200, "post", "/webhooks/email/events", { token: null, body: report, headers: { "content-type": "application/json", "x-clientele-signature": signature } });

    // Only a failed message can be resent: a message is marked failed as the worker would after its last attempt.
    const failed = await expectStatus(201, "post", "/customers/{customerId}/communications/email", { path: base, body: { subject: "Retry", body: "x" } });
    const cRef = { customerId, communicationId: failed.communicationId };
    await expectStatus(400, "post", "/customers/{customerId}/communications/{communicationId}/resend", { path: cRef, body: {} });
    await server.deps.db.updateTable("communications").set({ status: "Failed" }).where("id", "=", failed.communicationId).execute();
    await expectStatus(201, "post", "/customers/{customerId}/communications/{communicationId}/resend", { path: cRef, body: {} });
    await expectStatus(409, "post", "/customers/{customerId}/communications/{communicationId}/resend", { path: cRef, body: {} });
  });

  it("Twilio callbacks", async () => {
    const twilio = async (path: string, params: Record<string, string>, signature?: string) => {
      const url = `${server.url}/api/v1${path}`;
      return expectStatus(signature === undefined ? 200 : 401, "post", path, {
        token: null,
        body: new URLSearchParams(params),
        headers: { "x-twilio-signature": signature ?? signTwilioRequest({ authToken: server.deps.env.TWILIO_AUTH_TOKEN, url, params }) },
      });
    };
    await twilio("/webhooks/twilio/status", { MessageSid: "SM00000000000000000000000000000000", MessageStatus: "delivered" });
    await twilio("/webhooks/twilio/status", { MessageSid: "SM00000000000000000000000000000000", MessageStatus: "delivered" }, "forged");
    await twilio("/webhooks/twilio/inbound", { From: "+442079460958", Body: "START", MessageSid: "SM00000000000000000000000000000001" });
    await twilio("/webhooks/twilio/inbound", { From: "+442079460958", Body: "STOP" }, "forged");
  });

  it("follow-ups", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    const due = new Date(Date.now() + 3_600_000).toISOString();
    const f = await expectStatus(201, "post", "/customers/{customerId}/follow-ups", { path: { customerId }, body: { subject: "Call back", dueDate: due, priority: "High" } });
    await expectStatus(200, "get", "/customers/{customerId}/follow-ups", { path: { customerId } });
    await expectStatus(200, "get", "/follow-ups/mine", { query: { includeCompleted: "true" } });
    await expectStatus(200, "put", "/follow-ups/{followUpId}/assignee", { path: { followUpId: f.id }, body: { assignedTo: null } });
    await expectStatus(200, "post", "/follow-ups/{followUpId}/complete", { path: { followUpId: f.id }, body: {} });
  });

  it("complaints", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    await expectStatus(200, "get", "/settings/complaints");
    await expectStatus(200, "put", "/settings/complaints", { body: { escalationHours: { Critical: 2 } } });
    const complaint = await expectStatus(201, "post", "/customers/{customerId}/complaints", {
      path: { customerId },
      body: { subject: "Late delivery", description: "The order arrived two weeks late.", category: "Delivery", priority: "High" },
    });
    const ref = { customerId, complaintId: complaint.id };
    await expectStatus(200, "get", "/customers/{customerId}/complaints", { path: { customerId }, query: { status: "New" } });
    await expectStatus(200, "get", "/customers/{customerId}/complaints/{complaintId}", { path: ref });
    await expectStatus(200, "put", "/customers/{customerId}/complaints/{complaintId}/status", { path: ref, body: { status: "InProgress", notes: "Looking into it" } });
    await expectStatus(200, "post", "/customers/{customerId}/complaints/{complaintId}/resolve", {
      path: ref,
      body: { resolution: "Refunded the delivery charge in full.", customerSatisfied: true },
    });
    await expectStatus(200, "get", "/complaints", { query: { priority: "High,Critical", pageSize: "5" } });
    await expectStatus(200, "get", "/complaints/dashboard");
    await expectStatus(200, "get", "/complaints/knowledge-base", { query: { category: "Delivery", query: "refunded", pageSize: "5" } });
  });

  it("testimonials, public and private", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    const submit = () =>
      expectStatus(201, "post", "/customers/{customerId}/testimonials", { path: { customerId }, body: { content: "Wonderful team, the launch went perfectly.", rating: 5, authorName: "Jane Doe" } });
    const [a, b] = [await submit(), await submit()];
    await expectStatus(200, "get", "/customers/{customerId}/testimonials", { path: { customerId }, query: { status: "Pending" } });
    await expectStatus(200, "get", "/testimonials/pending", { query: { pageSize: "5" } });
    await expectStatus(200, "post", "/customers/{customerId}/testimonials/{testimonialId}/approve", { path: { customerId, testimonialId: a.id }, body: { isPublic: true } });
    await expectStatus(200, "post", "/customers/{customerId}/testimonials/{testimonialId}/reject", { path: { customerId, testimonialId: b.id }, body: { reason: "Not about us" } });
    const list = await call("get", "/public/tenants/{tenantId}/testimonials", { token: null, path: { tenantId: tenant } });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    await expectStatus(304, "get", "/public/tenants/{tenantId}/testimonials", { token: null, path: { tenantId: tenant }, headers: { "if-none-match": list.headers.get("etag")! } });
    await expectStatus(400, "get", "/public/tenants/{tenantId}/testimonials", { token: null, path: { tenantId: "no spaces" } });
  });

  it("contact import and export, with the CSV report and the signed download", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    const form = new FormData();
    form.set("file", new Blob([`email,firstName,lastName\nzoe@contract.example,Zoe,Park\nnot-an-email,Bad,Row\n`], { type: "text/csv" }), "contacts.csv");
    form.set("defaultCustomerId", customerId);
    const imported = await expectStatus(200, "post", "/customers/contacts/import", { body: form });
    await expectStatus(200, "get", "/customers/contacts/import/{importId}", { path: { importId: imported.importId } });
    await expectStatus(200, "get", "/customers/contacts/import/{importId}/errors", { path: { importId: imported.importId } });

    const exported = await expectStatus(200, "post", "/customers/contacts/export", { body: { format: "CSV", filters: { customerIds: [customerId] } } });
    await expectStatus(200, "get", "/customers/contacts/export/{exportId}", { path: { exportId: exported.exportId } });
    const token = new URL(exported.downloadUrl, server.url).searchParams.get("token")!;
    await expectStatus(200, "get", "/files/download", { token: null, query: { token } });
    await expectStatus(403, "get", "/files/download", { token: null, query: { token: `${token}x` } });
  });

  it("customer bulk operations, import and export", async () => {
    const id = (await expectStatus(201, "post", "/customers", { body: customerBody({ companyName: "Bulk Contract Ltd" }) })).id;
    await expectStatus(200, "post", "/customers/bulk/update", { body: { ids: [id], patch: { profile: { industry: "Retail" } } } });
    await expectStatus(200, "post", "/customers/bulk/tag", { body: { ids: [id], add: ["contract"] } });
    const job = await expectStatus(202, "post", "/customers/bulk/tag", { body: { filter: { query: "bulk contract" }, remove: ["contract"] } });
    await expectStatus(200, "get", "/customers/bulk/jobs/{jobId}", { path: { jobId: job.jobId } });
    await expectStatus(200, "post", "/customers/bulk/delete", { body: { ids: [id], reason: "Contract test" } });
    const form = fileForm("customers.csv", "type,companyName,primaryEmail,primaryPhone,billingStreet,billingCity,billingState,billingZipCode,billingCountry\nSmallBusiness,Imported Ltd,imported@contract.example,+44 20 7946 0958,1 High St,London,London,SW1A 1AA,GB\nSmallBusiness,Bad Row,not-an-email,,,,,,\n");
    await expectStatus(200, "post", "/customers/bulk/import/preview", { body: form });
    const imported = await expectStatus(200, "post", "/customers/bulk/import", { body: form });
    await expectStatus(200, "get", "/customers/bulk/import/{importId}", { path: { importId: imported.importId } });
    await expectStatus(200, "get", "/customers/bulk/import/{importId}/errors", { path: { importId: imported.importId } });
    const exported = await expectStatus(200, "post", "/customers/bulk/export", { body: { format: "CSV", fields: ["customerNumber", "companyName"] } });
    await expectStatus(200, "get", "/customers/bulk/export/{exportId}", { path: { exportId: exported.exportId } });
    await expectStatus(200, "get", "/customers/export", { query: { format: "JSON", query: "imported" } });
  });

  it("attendance, rating, loyalty and the inactivity review list", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    const attendance = { eventRef: "gala-2026", status: "Attended", occurredAt: "2026-11-20T18:00:00Z", idempotencyKey: `contract-${customerId}` };
    await expectStatus(201, "post", "/customers/{customerId}/attendance", { path: { customerId }, body: attendance });
    await expectStatus(409, "post", "/customers/{customerId}/attendance", { path: { customerId }, body: { ...attendance, status: "NoShow" } });
    await expectStatus(200, "get", "/customers/{customerId}/attendance", { path: { customerId }, query: { pageSize: "5" } });
    await expectStatus(200, "get", "/customers/{customerId}/rating", { path: { customerId } });
    await expectStatus(200, "post", "/customers/{customerId}/rating/recalculate", { path: { customerId } });
    await expectStatus(400, "put", "/customers/{customerId}/rating-override", { path: { customerId }, body: { rating: "Good", reason: "" } });
    await expectStatus(200, "put", "/customers/{customerId}/rating-override", { path: { customerId }, body: { rating: "Good", reason: "Key account" } });
    await expectStatus(200, "delete", "/customers/{customerId}/rating-override", { path: { customerId } });
    await expectStatus(200, "get", "/customers/{customerId}/loyalty", { path: { customerId } });
    const run = await expectStatus(201, "post", "/loyalty/recalculate", { body: {} });
    await expectStatus(200, "get", "/loyalty/recalculations/{runId}", { path: { runId: run.runId } });
    await expectStatus(200, "get", "/customers/review", { query: { flag: "Review", pageSize: "5" } });
  });
});

describe("every operation, successfully: customer value ledger", () => {
  it("transactions, the value view, the segment override and the value settings", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    await expectStatus(200, "get", "/settings/value");
    await expectStatus(200, "put", "/settings/value", { body: { exchangeRates: { EUR: "1.08" } } });
    const txn = { kind: "Payment", amount: "12.50", currency: "EUR", occurredAt: "2026-11-20T18:00:00Z", idempotencyKey: `contract-txn-${customerId}` };
    await expectStatus(201, "post", "/customers/{customerId}/transactions", { path: { customerId }, body: txn });
    await expectStatus(409, "post", "/customers/{customerId}/transactions", { path: { customerId }, body: { ...txn, amount: "13.00" } });
    await expectStatus(400, "post", "/customers/{customerId}/transactions", { path: { customerId }, body: { ...txn, currency: "GBP", idempotencyKey: "contract-gbp" } });
    await expectStatus(200, "post", "/transactions/batch", { body: { items: [{ customerId, ...txn, idempotencyKey: `contract-batch-${customerId}` }] } });
    await expectStatus(200, "get", "/customers/{customerId}/transactions", { path: { customerId }, query: { pageSize: "5" } });
    await expectStatus(200, "get", "/customers/{customerId}/value", { path: { customerId }, query: { from: "2026-11-01T00:00:00Z" } });
    await expectStatus(400, "put", "/customers/{customerId}/segment-override", { path: { customerId }, body: { segment: "VIP" } });
    await expectStatus(200, "put", "/customers/{customerId}/segment-override", { path: { customerId }, body: { segment: "VIP", reason: "Key account" } });
    await expectStatus(200, "delete", "/customers/{customerId}/segment-override", { path: { customerId } });
    await expectStatus(409, "put", "/settings/value", { body: { baseCurrency: "GBP" } });
  });
});

describe("every operation, successfully: tracking and analytics", () => {
  it("tracking one event and a batch, a customer's analytics and the tenant's", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody() })).id;
    await expectStatus(202, "post", "/customers/{customerId}/track", { path: { customerId }, body: { type: "PAGE_VIEW", data: { path: "/" }, clientEventId: `contract-${customerId}` } });
    await expectStatus(400, "post", "/customers/{customerId}/track", { path: { customerId }, body: { type: "CUSTOM" } });
    await expectStatus(202, "post", "/customers/track", { body: { events: [{ customerId, type: "CUSTOM", name: "contract" }] } });
    await expectStatus(200, "get", "/customers/{customerId}/analytics", { path: { customerId } });
    await expectStatus(200, "get", "/customers/analytics/new-customers", { query: { from: "2026-11-01", to: "2026-11-30" } });
    await expectStatus(200, "get", "/customers/analytics/active-customers", { query: { from: "2026-11-01", to: "2026-11-30" } });
    await expectStatus(200, "get", "/customers/analytics/tiers");
    await expectStatus(200, "get", "/customers/analytics/cohorts", { query: { fromMonth: "2026-01" } });
  });

  it("segments: definitions, preview, calculation, members, history, bulk assignment, export and import", async () => {
    const customerId = (await expectStatus(201, "post", "/customers", { body: customerBody({ tags: ["contract"] }) })).id;
    const criteria = { customRules: [{ field: "tags", operator: "contains", value: "contract" }] };
    const dynamic = await expectStatus(201, "post", "/customers/segments", { body: { name: `Contract ${customerId}`, criteria } });
    await expectStatus(400, "post", "/customers/segments", { body: { name: "bad", criteria: {} } });
    await expectStatus(409, "post", "/customers/segments", { body: { name: `Contract ${customerId}`, criteria } });
    await expectStatus(200, "get", "/customers/segments", { query: { kind: "dynamic" } });
    await expectStatus(200, "post", "/customers/segments/preview", { body: { criteria } });
    await expectStatus(200, "get", "/customers/segments/{segmentId}", { path: { segmentId: dynamic.id } });
    const updated = await expectStatus(200, "put", "/customers/segments/{segmentId}", { path: { segmentId: dynamic.id }, body: { description: "contract", version: dynamic.version } });
    await expectStatus(409, "put", "/customers/segments/{segmentId}", { path: { segmentId: dynamic.id }, body: { description: "stale", version: dynamic.version } });
    await expectStatus(202, "post", "/customers/segments/{segmentId}/calculate", { path: { segmentId: dynamic.id } });
    await expectStatus(200, "get", "/customers/segments/{segmentId}/customers", { path: { segmentId: dynamic.id } });
    const fixed = await expectStatus(201, "post", "/customers/segments", { body: { name: `Static ${customerId}`, kind: "static" } });
    await expectStatus(200, "post", "/customers/bulk/segments", { body: { segmentId: fixed.id, add: [customerId] } });
    await expectStatus(200, "get", "/customers/{customerId}/segments", { path: { customerId } });
    const exported = await expectStatus(200, "get", "/customers/segments/export");
    await expectStatus(200, "post", "/customers/segments/import", { body: { segments: exported.segments } });
    await expectStatus(204, "delete", "/customers/segments/{segmentId}", { path: { segmentId: dynamic.id }, query: { version: String(updated.version) } });
    await expectStatus(200, "get", "/customers/segments/{segmentId}/history", { path: { segmentId: dynamic.id } });
  });
});

describe("coverage", () => {
  it("called every operation in the document, and each at least once successfully", () => {
    const all = operations().map(({ op }) => op.operationId);
    expect(all.filter((id) => !calls.has(id)), "never called").toEqual([]);
    expect(all.filter((id) => ![...calls.get(id)!].some((s) => s < 400)), "never succeeded").toEqual([]);
  });
});
