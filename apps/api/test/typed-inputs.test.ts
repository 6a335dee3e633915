import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";

// Procedure inputs are exactly what a typed client sends; only the REST layer turns query strings
// into numbers, booleans and lists (rest/query-coercion.ts).

let server: TestServer;
let token: string;
let api: Api;
let customerId: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.token("Admin", newTenant());
  api = rest(server.url, token);
  customerId = (await api.post("/customers", customerBody())).body.id;
});
afterAll(() => server.close());

/** One tRPC query over HTTP, as @trpc/client sends it (no transformer: JSON input in the URL). */
async function trpcQuery(path: string, input: unknown) {
  const res = await fetch(`${server.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { result?: { data: any }; error?: { data: { httpStatus: number; fieldErrors: Record<string, string[]> | null } } };
  return { status: res.status, data: body.result?.data, error: body.error?.data };
}

describe("tRPC inputs are not coerced", () => {
  it("accepts numbers, arrays and ISO strings, and refuses strings where numbers or lists belong", async () => {
    const ok = await trpcQuery("customers.search", { pageSize: 5, type: ["SmallBusiness"] });
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ pageSize: 5, totalCount: 1 });

    const stringy = await trpcQuery("customers.search", { pageSize: "5", type: "SmallBusiness" });
    expect(stringy.status).toBe(400);
    expect(stringy.error?.fieldErrors).toMatchObject({ pageSize: ["must be a number"], type: [expect.any(String)] });

    const history = await trpcQuery("communications.history", { customerId, startDate: "2020-01-01T00:00:00Z", endDate: "2999-01-01T00:00:00+02:00" });
    expect(history.status).toBe(200);
    const badDate = await trpcQuery("communications.history", { customerId, startDate: "yesterday" });
    expect(badDate.status).toBe(400);
    expect(badDate.error?.fieldErrors?.startDate?.[0]).toMatch(/ISO 8601/);

    const flag = await trpcQuery("templates.list", { includeArchived: "true" });
    expect(flag.status).toBe(400);
    expect(flag.error?.fieldErrors).toEqual({ includeArchived: ["must be true or false"] });
  });
});

describe("REST query strings are coerced by the procedure's input schema", () => {
  it("turns numeric strings into numbers and names the field when one is not a number", async () => {
    expect((await api.get("/customers/search?pageSize=5&page=1")).body).toMatchObject({ pageSize: 5, page: 1 });
    for (const [qs, message] of [
      ["pageSize=abc", "must be a number"],
      ["pageSize=", "must be a number"],
      ["pageSize=1.5", "must be a whole number"],
      ["pageSize=101", "must be at most 100"],
      ["pageSize=5&pageSize=6", "must be a number"],
    ] as const) {
      const res = await api.get(`/customers/search?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.errors, qs).toEqual({ pageSize: [message] });
    }
    expect((await api.get("/complaints/knowledge-base?pageSize=2")).status).toBe(200);
    const pageSize = await api.get("/complaints/knowledge-base?pageSize=lots");
    expect(pageSize.status).toBe(400);
    expect(pageSize.body.errors).toEqual({ pageSize: ["must be a number"] });
  });

  it("reads true and false as booleans and refuses anything else", async () => {
    const created = await api.post("/templates", { name: "Old", channel: "Email", subject: "Hi", body: "Hello" });
    await api.post(`/templates/${created.body.id}/archive`, { version: created.body.version });
    const names = async (qs: string) => ((await api.get(`/templates?${qs}`)).body.items as { name: string }[]).map((t) => t.name);
    expect(await names("includeArchived=true")).toContain("Old");
    expect(await names("includeArchived=false")).not.toContain("Old");
    const bad = await api.get("/templates?includeArchived=yes");
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({ includeArchived: ["must be true or false"] });
    expect((await api.get("/follow-ups/mine?includeCompleted=1")).body.errors).toEqual({ includeCompleted: ["must be true or false"] });
  });

  it("takes lists as repeated keys or commas, and dates as ISO strings", async () => {
    const url = `/customers/${customerId}/communications`;
    expect((await api.get(`${url}?type=Email&type=SMS`)).status).toBe(200);
    expect((await api.get(`${url}?type=Email,SMS&startDate=2020-01-01T00:00:00Z`)).status).toBe(200);
    const bad = await api.get(`${url}?type=Email,Pigeon`);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(["type.1"]);
  });

  it("pages the public testimonial list with the same rules", async () => {
    const res = await fetch(`${server.url}/api/v1/public/tenants/${newTenant()}/testimonials?pageSize=abc`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual({ pageSize: ["must be a number"] });
  });
});

describe("JSON bodies", () => {
  it("takes date-times as ISO strings with an offset", async () => {
    const call = { phoneNumber: "+14155552671", callType: "Outbound", durationInSeconds: 60, summary: "Checked in" };
    const logged = await api.post(`/customers/${customerId}/communications/phone-call`, { ...call, callTime: "2025-03-01T09:30:00+01:00" });
    expect(logged.status).toBe(201);
    expect(logged.body.occurredAt).toBe("2025-03-01T08:30:00.000Z");
    const local = await api.post(`/customers/${customerId}/communications/phone-call`, { ...call, callTime: "2025-03-01T09:30:00" });
    expect(local.status).toBe(400);
    expect(local.body.errors.callTime[0]).toMatch(/ISO 8601/);
  });

  it("still accepts xlsx as the Excel export format", async () => {
    const res = await api.post("/customers/contacts/export", { format: "xlsx" });
    expect(res.body.format).toBe("Excel");
  });
});
