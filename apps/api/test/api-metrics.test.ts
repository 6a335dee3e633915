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

  it("label tRPC calls by procedure, a batch by its procedures, and never by a name the client made up", async () => {
    const token = await server.token("CustomerManager", newTenant());
    const { body } = await rest(server.url, token).post("/customers", customerBody());
    const headers = { authorization: `Bearer ${token}` };
    const single = await fetch(`${server.url}/trpc/customers.get?input=${encodeURIComponent(JSON.stringify({ id: body.id }))}`, { headers });
    expect(single.status).toBe(200);
    const batchInput = encodeURIComponent(JSON.stringify({ 0: { id: body.id }, 1: { pageSize: 5 } }));
    const batch = await fetch(`${server.url}/trpc/customers.get,customers.search?batch=1&input=${batchInput}`, { headers });
    expect(batch.status).toBe(200);
    expect((await fetch(`${server.url}/trpc/made.up-${body.id}`, { headers })).status).toBe(404);

    const text = await scrape();
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="/trpc/*",procedure="customers.get",status="200"}')).toBe(1);
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="/trpc/*",procedure="customers.get,customers.search",status="200"}')).toBe(1);
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="/trpc/*",procedure="unknown",status="404"}')).toBe(1);
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
