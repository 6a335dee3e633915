import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComms, type Comms } from "./comms-harness";
import { customerBody, eventually, newTenant, rest, startTestServer } from "./harness";

let c: Comms;
beforeAll(async () => {
  c = await startComms();
});
afterAll(() => c.close());

const board = (path: string, init: RequestInit = {}) => fetch(`${c.server.url}/ops/queues${path}`, { redirect: "manual", ...init });

/** An Admin's session cookie, obtained the way a browser gets it. */
async function adminCookie(tenant: string) {
  const res = await board(`?token=${await c.server.token("Admin", tenant)}`);
  expect(res.status).toBe(303);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

describe("the queue dashboard at /ops/queues", () => {
  it("trades an Admin's token for a short HttpOnly, SameSite=Strict cookie and drops the token from the URL", async () => {
    const tenant = newTenant();
    const res = await board(`/queue/email?status=failed&token=${await c.server.token("Admin", tenant)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ops/queues/queue/email?status=failed");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^clientele_ops=[^;]+; Max-Age=900; Path=\/ops; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    // Where the redirect of a plain `?token=` lands.
    expect((await board("", { headers: { cookie: cookie.split(";")[0]! } })).status).toBe(200);
    const page = await board("/", { headers: { cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<base href="/ops/queues/"');
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)![1]!;
    const asset = await board(`/${script}`, { headers: { cookie: cookie.split(";")[0]! } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
  });

  it("refuses without a token (401), with a forged cookie (401), and for a Viewer (403)", async () => {
    const tenant = newTenant();
    expect((await board("/")).status).toBe(401);
    expect((await board("/api/queues")).status).toBe(401);
    const problem = await (await board("/")).json();
    expect(problem).toMatchObject({ status: 401, code: "AUTH-001" });
    const cookie = await adminCookie(tenant);
    const forged = `${cookie.slice(0, -3)}abc`;
    expect((await board("/", { headers: { cookie: forged } })).status).toBe(401);
    for (const malformed of ["clientele_ops=%", "clientele_ops=%zz.abc"]) {
      expect(await (await board("/api/queues", { headers: { cookie: malformed } })).json()).toMatchObject({ status: 401, code: "AUTH-001" });
    }
    const viewer = await c.server.token("Viewer", tenant);
    expect((await board(`?token=${viewer}`)).status).toBe(403);
    expect((await board("/api/queues", { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
    expect((await board("/api/queues", { headers: { authorization: "Bearer not-a-jwt" } })).status).toBe(401);
    expect((await board("/api/queues", { headers: { authorization: `Bearer ${await c.server.token("CustomerManager", tenant)}` } })).status).toBe(403);
    const admin = { authorization: `Bearer ${await c.server.token("Admin", tenant)}` };
    expect((await board("/api/queues", { headers: admin })).status).toBe(200);
    // Retry, promote, pause, resume, removing finished jobs: yes; adding jobs, editing their data,
    // emptying a queue or removing jobs still to run (the maintenance queue's delayed ones are the
    // scheduled sweeps): no.
    expect((await board("/api/queues/email/add", { method: "POST", headers: admin })).status).toBe(403);
    expect((await board("/api/queues/email/message-x/update-data", { method: "PATCH", headers: admin })).status).toBe(403);
    const maintenance = c.server.deps.jobs.all.find((q) => q.name === "maintenance")!;
    const scheduled = await maintenance.getJobCountByTypes("delayed");
    expect(scheduled).toBeGreaterThanOrEqual(1);
    const removals = ["wait", "waiting", "delayed", "paused", "prioritized", "active", "w%61it", "Delayed"].map((status) => `/api/queues/maintenance/clean/${status}`);
    for (const action of ["/api/queues/email/empty", "/api/queues/email/obliterate", "/api/queues/email/EMPTY", ...removals]) {
      expect((await board(action, { method: "PUT", headers: admin })).status, action).toBe(403);
    }
    expect(await maintenance.getJobCountByTypes("delayed")).toBe(scheduled);
  });

  it("removes a job only once it has finished: one still to run stays", async () => {
    const admin = { authorization: `Bearer ${await c.server.token("Admin", newTenant())}` };
    const email = c.server.deps.jobs.all.find((q) => q.name === "email")!;
    // A message waiting for its send time, as a retry's backoff leaves it.
    const later = await email.add("send-email", { communicationId: "never-sent" }, { delay: 3_600_000 });
    try {
      const refused = await board(`/api/queues/email/${later.id}/clean`, { method: "PUT", headers: admin });
      expect(refused.status).toBe(403);
      expect(await email.getJobState(later.id!)).toBe("delayed");
      expect((await board("/api/queues/email/no-such-job/clean", { method: "PUT", headers: admin })).status).toBe(403);
      expect((await board("/api/queues/email/%zz/clean", { method: "PUT", headers: admin })).status).toBe(403);
    } finally {
      await later.remove();
    }
  });

  it("shows a failed job with its reason (recipient masked) and retries it; the job re-runs and sends nothing twice", async () => {
    const tenant = newTenant();
    const api = rest(c.server.url, await c.server.token("CustomerManager", tenant));
    const customerId = (await api.post("/customers", customerBody())).body.id as string;
    c.smtp.failNext(1, { code: 550, message: "no such user peter@initech.example" });
    const sent = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "peter@initech.example", subject: "Dashboard", body: "x" });
    const id = sent.body.communicationId as string;
    const jobId = `message-${id}`;
    const cookie = await adminCookie(tenant);
    const headers = { cookie };

    type Listing = { queues: { name: string; jobs: { id: string; name: string; failedReason?: string; stacktrace: string[] }[] }[] };
    const listing = await eventually(
      async () => (await (await board("/api/queues?activeQueue=email&status=failed&page=1&jobsPerPage=50", { headers })).json()) as Listing,
      (l) => Boolean(l.queues.find((q) => q.name === "email")?.jobs.some((j) => j.id === jobId)),
    );
    expect(listing.queues.map((q) => q.name).sort()).toEqual(["contact-export", "contact-import", "customer-duplicates", "email", "maintenance", "notifications", "sms"]);
    const job = listing.queues.find((q) => q.name === "email")!.jobs.find((j) => j.id === jobId)!;
    expect(job.name).toBe("send-email");
    expect(job.failedReason).toMatch(/550 no such user \[email\]/);
    expect(JSON.stringify(job)).not.toContain("peter@initech.example");

    const email = c.server.deps.jobs.all.find((q) => q.name === "email")!;
    expect(await email.getJobState(jobId)).toBe("failed");
    const retry = await board(`/api/queues/email/${jobId}/retry`, { method: "PUT", headers });
    expect(retry.status).toBeLessThan(300);
    await eventually(() => email.getJobState(jobId), (s) => s === "completed");
    // The message stays Failed: a retry of a settled message sends nothing (resend is for that).
    expect((await api.get(`/customers/${customerId}/communications/${id}`)).body.status).toBe("Failed");
    expect(c.smtp.messages.filter((m) => m.messageId === `<${id}@clientele>`)).toHaveLength(0);

    // Finished, so the dashboard may remove it.
    expect((await board(`/api/queues/email/${jobId}/clean`, { method: "PUT", headers })).status).toBe(204);
    expect(await email.getJobState(jobId)).toBe("unknown");
  });

  it("opens for no one when OPS_TENANTS is unset, whatever NODE_ENV says (it shows every tenant's jobs)", async () => {
    const server = await startTestServer({ OPS_TENANTS: undefined, NODE_ENV: "development" });
    try {
      const res = await fetch(`${server.url}/ops/queues/api/queues`, { headers: { authorization: `Bearer ${await server.token("Admin", newTenant())}` } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "AUTH-002", detail: expect.stringContaining("OPS_TENANTS") });
    } finally {
      await server.close();
    }
  });

  it("opens only for Admins of the operator tenants named in OPS_TENANTS (it shows every tenant's jobs)", async () => {
    const operator = newTenant();
    const server = await startTestServer({ OPS_TENANTS: `${operator}, ops-spare` });
    try {
      const open = (token: string) => fetch(`${server.url}/ops/queues/api/queues`, { headers: { authorization: `Bearer ${token}` } });
      expect((await open(await server.token("Admin", operator))).status).toBe(200);
      const other = await open(await server.token("Admin", newTenant()));
      expect(other.status).toBe(403);
      expect(await other.json()).toMatchObject({ code: "AUTH-002", detail: expect.stringContaining("OPS_TENANTS") });
      expect((await fetch(`${server.url}/ops/queues?token=${await server.token("Admin", newTenant())}`, { redirect: "manual" })).status).toBe(403);
    } finally {
      await server.close();
    }
  });
});
