import { signDownload } from "@clientele/files";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type TestServer } from "./harness";

let server: TestServer;
let auth: Record<string, string>;
beforeAll(async () => {
  server = await startTestServer();
  auth = { authorization: `Bearer ${await server.token("Admin", newTenant())}` };
});
afterAll(() => server.close());

const ADMIN_APP = "http://localhost:5173";

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) {
  const res = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as any };
}

describe("CORS", () => {
  it.each(["/trpc/customers.search", "/trpc/customers.get,customers.search?batch=1", "/api/v1/customers", "/api/v1/customers/search"])(
    "answers the admin app's preflight on %s with 204, credentials and the allowed headers",
    async (path) => {
      const res = await call("OPTIONS", path, { origin: ADMIN_APP, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(ADMIN_APP);
      expect(res.headers.get("access-control-allow-credentials")).toBe("true");
      expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
      expect(res.headers.get("vary")).toContain("Origin");
    },
  );

  it("gives a listed origin's real call Access-Control-Allow-Origin and readable headers", async () => {
    const res = await call("GET", "/api/v1/customers/search", { ...auth, origin: "http://127.0.0.1:5173" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    expect(res.headers.get("access-control-expose-headers")).toContain("RateLimit-Remaining");
    const trpc = await call("GET", "/trpc/customers.search?input=%7B%7D", { ...auth, origin: ADMIN_APP });
    expect(trpc.status).toBe(200);
    expect(trpc.headers.get("access-control-allow-origin")).toBe(ADMIN_APP);
  });

  it("gives an origin that is not listed no Access-Control-Allow-Origin, preflight or not", async () => {
    const pre = await call("OPTIONS", "/trpc/customers.create", { origin: "https://evil.example", "access-control-request-method": "POST" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const real = await call("GET", "/api/v1/customers/search", { ...auth, origin: "https://evil.example" });
    expect(real.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("takes its allow-list from CORS_ORIGINS", async () => {
    const other = await startTestServer({ CORS_ORIGINS: "https://admin.example.com, https://ops.example.com" });
    try {
      const listed = await fetch(`${other.url}/trpc/customers.search`, { method: "OPTIONS", headers: { origin: "https://ops.example.com", "access-control-request-method": "GET" } });
      expect(listed.headers.get("access-control-allow-origin")).toBe("https://ops.example.com");
      const dev = await fetch(`${other.url}/trpc/customers.search`, { method: "OPTIONS", headers: { origin: ADMIN_APP, "access-control-request-method": "GET" } });
      expect(dev.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe("security headers", () => {
  it("sends helmet's headers and a same-origin Content-Security-Policy on API responses", async () => {
    const res = await call("GET", "/api/v1/customers/search", auth);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("upgrade-insecure-requests");
  });

  it("keeps the Swagger UI page working under the policy: no inline script, every asset same-origin", async () => {
    const page = await call("GET", "/api/v1/docs/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const scripts = [...page.text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, inline] of scripts) {
      expect(inline?.trim()).toBe("");
      expect(attrs).toMatch(/src="\/api\/v1\/docs\//);
    }
    for (const src of [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      const asset = await call("GET", src);
      expect(asset.status, src).toBe(200);
    }
    expect((await call("GET", "/api/v1/docs/init.js")).text).toContain("SwaggerUIBundle");
  });
});

describe("transport errors answer their real status with the traceId", () => {
  const json = JSON.stringify(customerBody());
  const cases: [string, Record<string, string>, string | Buffer, number][] = [
    ["an unknown charset", { "content-type": "application/json; charset=klingon" }, json, 415],
    ["an unknown Content-Encoding", { "content-type": "application/json", "content-encoding": "x-unknown" }, json, 415],
    ["gzip over a body that is not compressed", { "content-type": "application/json", "content-encoding": "gzip" }, json, 400],
    ["deflate over a body that is not compressed", { "content-type": "application/json", "content-encoding": "deflate" }, json, 400],
    ["text/plain", { "content-type": "text/plain" }, json, 415],
    ["XML", { "content-type": "application/xml" }, "<customer><type>Individual</type></customer>", 415],
    ["a form", { "content-type": "application/x-www-form-urlencoded" }, "type=Individual&firstName=Ann", 415],
  ];
  it.each(cases)("POST /api/v1/customers with %s", async (_name, headers, body, status) => {
    const res = await call("POST", "/api/v1/customers", { ...auth, ...headers }, body);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = res.json();
    expect(problem).toMatchObject({ status, traceId: res.headers.get("x-request-id"), instance: "/api/v1/customers" });
    // A 415 names the media type, not every field the parser never saw.
    if (status === 415) expect(problem.errors).toBeUndefined();
  });

  it("reads a POST without a body (fetch sends Content-Length: 0) as an empty object, not as a 415", async () => {
    const res = await fetch(`${server.url}/api/v1/customers`, { method: "POST", headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown }).errors).toHaveProperty("type");
  });

  it("still accepts JSON with charset=utf-8", async () => {
    const created = await call("POST", "/api/v1/customers", { ...auth, "content-type": "application/json; charset=utf-8" }, json.replace("owner", "utf8owner"));
    expect(created.status).toBe(201);
    expect(created.json().id).toBeDefined();
  });

  it.each([
    ["OPTIONS without a preflight", "OPTIONS", "/trpc/customers.search", {}, undefined, 405],
    ["PUT on a query", "PUT", "/trpc/customers.search", { "content-type": "application/json" }, "{}", 405],
    ["DELETE on a mutation", "DELETE", "/trpc/customers.create", {}, undefined, 405],
    ["text/plain to a mutation", "POST", "/trpc/customers.create", { "content-type": "text/plain" }, "{}", 415],
    ["XML to a mutation", "POST", "/trpc/customers.create", { "content-type": "application/xml" }, "<a/>", 415],
  ] as const)("tRPC: %s", async (_name, method, path, headers, body, status) => {
    const res = await call(method, path, { ...auth, ...headers }, body);
    expect(res.status).toBe(status);
    const { error } = res.json();
    expect(error.data).toMatchObject({ httpStatus: status, traceId: res.headers.get("x-request-id") });
  });

  it("tRPC: every preflight answers 204, whatever the procedure or batch", async () => {
    for (const path of ["/trpc/customers.search", "/trpc/customers.create", "/trpc/nope.nothing", "/trpc/customers.get,contacts.list?batch=1"]) {
      for (const origin of [ADMIN_APP, "https://elsewhere.example"]) {
        const res = await call("OPTIONS", path, { origin, "access-control-request-method": "POST" });
        expect(res.status, `${origin} ${path}`).toBe(204);
      }
    }
  });

  it("tRPC: an unknown procedure is a 404 with the traceId", async () => {
    const res = await call("GET", "/trpc/nope.nothing", auth);
    expect(res.status).toBe(404);
    expect(res.json().error.data).toMatchObject({ httpStatus: 404, traceId: res.headers.get("x-request-id") });
  });

  it("tRPC: a procedure's own error carries the traceId too", async () => {
    const res = await call("GET", `/trpc/customers.get?input=${encodeURIComponent(JSON.stringify({ id: "00000000-0000-4000-8000-000000000000" }))}`, auth);
    expect(res.status).toBe(404);
    expect(res.json().error.data).toMatchObject({ errorCode: "CUST-001", traceId: res.headers.get("x-request-id") });
  });

  it("a path parameter that is not valid percent-encoding is a 400, not a 500", async () => {
    const res = await call("GET", "/api/v1/customers/%E0%A4%A", auth);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, traceId: res.headers.get("x-request-id") });
  });

  it("a correctly signed download token whose key climbs out with .. is a 404, not a 500", async () => {
    const tenant = newTenant();
    const { token } = signDownload({
      secret: server.deps.env.DOWNLOAD_URL_SECRET!,
      tenantId: tenant,
      key: `contact-exports/${tenant}/../../secrets.csv`,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const res = await call("GET", `/api/v1/files/download?token=${token}`);
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, code: "FILE-001", traceId: res.headers.get("x-request-id") });
  });
});
