import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { startServer } from "../src/server";
import { customerBody, newTenant, rest, startTestServer, testEnv, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("operational endpoints", () => {
  it("reports health and readiness of MySQL and Redis", async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { mysql: "ok", redis: "ok" } });
  });

  it("exposes Prometheus metrics labelled by route pattern, never by id", async () => {
    const api = rest(server.url, await server.token("Admin", newTenant()));
    const { body } = await api.post("/customers", customerBody());
    await api.get(`/customers/${body.id}`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain("http_request_duration_seconds_bucket");
    expect(text).toContain('route="/api/v1/customers/:id"');
    expect(text).not.toContain(body.id);
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("serves the OpenAPI document with every REST path and a docs page", async () => {
    const doc: any = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/communications/email/bulk",
        "/complaints",
        "/complaints/dashboard",
        "/complaints/knowledge-base",
        "/customers",
        "/customers/bulk/delete",
        "/customers/bulk/export",
        "/customers/bulk/export/{exportId}",
        "/customers/bulk/import",
        "/customers/bulk/import/preview",
        "/customers/bulk/import/{importId}",
        "/customers/bulk/import/{importId}/errors",
        "/customers/bulk/jobs/{jobId}",
        "/customers/bulk/tag",
        "/customers/bulk/update",
        "/customers/contacts/export",
        "/customers/contacts/export/{exportId}",
        "/customers/contacts/import",
        "/customers/contacts/import/{importId}",
        "/customers/contacts/import/{importId}/errors",
        "/customers/duplicates",
        "/customers/duplicates/dismiss",
        "/customers/duplicates/scan",
        "/customers/duplicates/scans/{scanId}",
        "/customers/export",
        "/customers/merge",
        "/customers/merges/{mergeId}",
        "/customers/merges/{mergeId}/undo",
        "/customers/search",
        "/customers/{customerId}/communications",
        "/customers/{customerId}/communications/email",
        "/customers/{customerId}/communications/meeting",
        "/customers/{customerId}/communications/meeting/{meetingId}",
        "/customers/{customerId}/communications/meeting/{meetingId}/cancel",
        "/customers/{customerId}/communications/phone-call",
        "/customers/{customerId}/communications/sms",
        "/customers/{customerId}/communications/{communicationId}",
        "/customers/{customerId}/communications/{communicationId}/resend",
        "/customers/{customerId}/complaints",
        "/customers/{customerId}/complaints/{complaintId}",
        "/customers/{customerId}/complaints/{complaintId}/resolve",
        "/customers/{customerId}/complaints/{complaintId}/status",
        "/customers/{customerId}/contacts",
        "/customers/{customerId}/contacts/{contactId}",
        "/customers/{customerId}/contacts/{contactId}/tags",
        "/customers/{customerId}/contacts/{contactId}/tags/{tag}",
        "/customers/{customerId}/follow-ups",
        "/customers/{customerId}/testimonials",
        "/customers/{customerId}/testimonials/{testimonialId}/approve",
        "/customers/{customerId}/testimonials/{testimonialId}/reject",
        "/customers/{id}",
        "/customers/{id}/archive",
        "/customers/{id}/contact-info",
        "/customers/{id}/deactivate",
        "/customers/{id}/duplicates",
        "/customers/{id}/history",
        "/customers/{id}/preferences",
        "/customers/{id}/profile",
        "/customers/{id}/reactivate",
        "/customers/{id}/shipping-address",
        "/customers/{id}/suspend",
        "/customers/{id}/tags",
        "/customers/{id}/unsuspend",
        "/files",
        "/files/download",
        "/follow-ups/mine",
        "/follow-ups/{followUpId}/assignee",
        "/follow-ups/{followUpId}/complete",
        "/public/tenants/{tenantId}/testimonials",
        "/settings/complaints",
        "/templates",
        "/templates/{templateId}",
        "/templates/{templateId}/archive",
        "/testimonials/pending",
        "/webhooks/email/events",
        "/webhooks/twilio/inbound",
        "/webhooks/twilio/status",
        "/customers/analytics/active-customers",
        "/customers/analytics/cohorts",
        "/customers/analytics/new-customers",
        "/customers/analytics/tiers",
        "/customers/bulk/segments",
        "/customers/review",
        "/customers/segments",
        "/customers/segments/export",
        "/customers/segments/import",
        "/customers/segments/preview",
        "/customers/segments/{segmentId}",
        "/customers/segments/{segmentId}/calculate",
        "/customers/segments/{segmentId}/customers",
        "/customers/segments/{segmentId}/history",
        "/customers/track",
        "/customers/{customerId}/analytics",
        "/customers/{customerId}/attendance",
        "/customers/{customerId}/loyalty",
        "/customers/{customerId}/rating",
        "/customers/{customerId}/rating-override",
        "/customers/{customerId}/rating/recalculate",
        "/customers/{customerId}/segment-override",
        "/customers/{customerId}/segments",
        "/customers/{customerId}/track",
        "/customers/{customerId}/transactions",
        "/customers/{customerId}/value",
        "/loyalty/recalculate",
        "/loyalty/recalculations/{runId}",
        "/settings/value",
        "/transactions/batch",
      ].sort(),
    );
    expect(doc.components.securitySchemes.bearerAuth.scheme).toBe("bearer");
    expect(doc.components.schemas.Problem).toBeDefined();
    // The server URL follows each caller's host; the first caller's never sticks for the others.
    expect(doc.servers).toEqual([{ url: `${server.url}/api/v1` }]);
    const other = await new Promise<any>((resolve, reject) => {
      const { port } = new URL(server.url);
      request({ host: "127.0.0.1", port, path: "/api/v1/openapi.json", headers: { host: "api.example.test" } }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve(JSON.parse(text)));
      })
        .on("error", reject)
        .end();
    });
    expect(other.servers).toEqual([{ url: "http://api.example.test/api/v1" }]);
    expect(((await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as any).servers).toEqual([{ url: `${server.url}/api/v1` }]);
    const page = await fetch(`${server.url}/api/v1/docs`);
    expect(page.status).toBe(200);
    // The page loads its start-up script from a file (the Content-Security-Policy forbids inline ones), and that names the document.
    const html = await page.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(["/api/v1/docs/assets/swagger-ui-bundle.js", "/api/v1/docs/init.js"]);
    expect(await (await fetch(`${server.url}/api/v1/docs/init.js`)).text()).toContain('"/api/v1/openapi.json"');
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect((await fetch(`${server.url}/api/v1/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it("answers unknown routes with a 404 problem and a trace id header", async () => {
    const res = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(await res.json()).toMatchObject({ status: 404, type: "NotFoundError" });
  });

  it("rejects an oversized body with 413 and never echoes internals on errors", async () => {
    const api = rest(server.url, await server.token("Admin", newTenant()));
    const big = await api.post("/customers", { ...customerBody(), industry: "x".repeat(1_100_000) });
    expect(big.status).toBe(413);
    const bad = await api.get("/customers/not-a-uuid");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.ts|stack|SELECT/i);
  });
});

describe("configuration and start-up", () => {
  it("fails fast with a readable message on bad configuration", () => {
    expect(() => loadEnv({ PORT: "not-a-port" })).toThrow(/PORT/);
    expect(() => loadEnv({ NODE_ENV: "production" })).toThrow(/JWT_SECRET/);
    expect(loadEnv({}).JWT_ISSUER).toBe("clientele");
  });

  it("refuses to start with a one-line error when MySQL or Redis is unreachable", async () => {
    await expect(startServer(testEnv({ DATABASE_URL: "mysql://root@127.0.0.1:1/clientele" }))).rejects.toThrow(
      /^cannot reach MySQL at mysql:\/\/root@127\.0\.0\.1:1\/clientele: /,
    );
    await expect(startServer(testEnv({ REDIS_URL: "redis://127.0.0.1:1" }))).rejects.toThrow(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it("drains in-flight requests on close, then refuses new connections", async () => {
    const s = await startTestServer();
    const token = await s.token("Admin", newTenant());
    const body = JSON.stringify(customerBody());
    const { hostname, port } = new URL(s.url);
    // Half a request is on the wire when shutdown starts; it must still be served.
    const response = new Promise<number>((resolve, reject) => {
      const req = request(
        { hostname, port, method: "POST", path: "/api/v1/customers", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        closing = s.close();
        setTimeout(() => req.end(body.slice(10)), 50);
      }, 50);
    });
    let closing: Promise<void> | undefined;
    expect(await response).toBe(201);
    await closing;
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });
});
