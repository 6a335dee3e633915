import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type TestServer } from "./harness";

const METRICS_TOKEN = "metrics-token-0123456789abcdef";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ METRICS_TOKEN });
});
afterAll(() => server.close());

const scrape = async () => (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
/** The value of one series (labels in prom-client's order), 0 when absent. */
const value = (text: string, series: string) => Number(text.split("\n").find((l) => l.startsWith(`${series} `))?.split(" ")[1] ?? 0);

describe("API metrics", () => {
  it("are protected by METRICS_TOKEN: 401 without it or with another, 200 with it", async () => {
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await none.text())).not.toContain("http_request_duration_seconds");
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${await server.token("Admin", newTenant())}` } })).status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("process_cpu_user_seconds_total");
  });

  it("label tRPC calls by procedure, any batch as batch, and never by a name the client made up", async () => {
    const token = await server.token("CustomerManager", newTenant());
    const { body } = await rest(server.url, token).post("/customers", customerBody());
    const headers = { authorization: `Bearer ${token}` };
    const single = await fetch(`${server.url}/trpc/customers.get?input=${encodeURIComponent(JSON.stringify({ id: body.id }))}`, { headers });
    expect(single.status).toBe(200);
    // The same procedures in either order, or repeated, are one series: "batch".
    const inputOf: Record<string, object> = { "customers.get": { id: body.id }, "customers.search": { pageSize: 5 } };
    for (const names of [
      ["customers.get", "customers.search"],
      ["customers.search", "customers.get"],
      ["customers.get", "customers.get"],
    ]) {
      const input = encodeURIComponent(JSON.stringify(Object.fromEntries(names.map((name, i) => [i, inputOf[name]]))));
      expect((await fetch(`${server.url}/trpc/${names.join(",")}?batch=1&input=${input}`, { headers })).status).toBe(200);
    }
    expect((await fetch(`${server.url}/trpc/made.up-${body.id}`, { headers })).status).toBe(404);
    expect((await fetch(`${server.url}/trpc/made.up-${body.id},other-${body.id}?batch=1`, { headers })).status).toBe(404);
    // Without a token, made-up names are labelled the same way.
    expect((await fetch(`${server.url}/trpc/anonymous-${body.id}`)).status).toBe(404);

    const text = await scrape();
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="/trpc/*",procedure="customers.get",status="200"}')).toBe(1);
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="/trpc/*",procedure="batch",status="200"}')).toBe(3);
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="/trpc/*",procedure="unknown",status="404"}')).toBe(3);
    // Every label value is a procedure, "batch" or "unknown": clients cannot add series.
    const labels = new Set([...text.matchAll(/^http_request_duration_seconds_count\{[^}]*route="\/trpc\/\*",procedure="([^"]*)"/gm)].map((m) => m[1]));
    expect([...labels].sort()).toEqual(["batch", "customers.get", "unknown"]);
    expect(text).not.toContain(body.id);
    // REST keeps its route pattern and carries no procedure label value.
    expect(value(text, 'http_request_duration_seconds_count{method="POST",route="/api/v1/customers",procedure="",status="201"}')).toBeGreaterThanOrEqual(1);
  });

  it("count cache hits and misses by key family", async () => {
    const api = await server.as("CustomerManager", newTenant());
    const { body } = await api.post("/customers", customerBody());
    const before = await scrape();
    await api.get(`/customers/${body.id}`);
    await api.get(`/customers/${body.id}`);
    await api.get(`/customers/${body.id}/contacts`);
    await api.get(`/customers/${body.id}/contacts`);
    const after = await scrape();
    const delta = (series: string) => value(after, series) - value(before, series);
    // A create writes the customer through to the cache, so both reads hit.
    expect(delta('clientele_cache_reads_total{cache="customer",result="hit"}')).toBe(2);
    expect(delta('clientele_cache_reads_total{cache="customer",result="miss"}')).toBe(0);
    expect(delta('clientele_cache_reads_total{cache="contacts",result="miss"}')).toBe(1);
    expect(delta('clientele_cache_reads_total{cache="contacts",result="hit"}')).toBe(1);
  });
});
