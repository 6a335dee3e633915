import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { claimForSending, findQueuedMessages, parseJson, setTenantSettings } from "@clientele/db";
import { COMMUNICATION_TYPES, COMPLAINT_STATUSES, CUSTOMER_TYPES, ROLES } from "@clientele/domain";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAFF } from "../src/demo/demo-data";
import { CUSTOMER_MIX } from "../src/demo/demo-plan";
import { seedDemo } from "../src/demo/seed-demo";
import { startComms, type Comms } from "./comms-harness";
import { eventually, rest } from "./harness";

let c: Comms;
beforeAll(async () => {
  // A database of its own: the seed dates its history in the past, and the sweep of another file's
  // worker on the shared database would take the messages it records as stranded. Its own worker
  // sweeps every second, as a worker running beside `pnpm seed:demo` would.
  c = await startComms({}, { isolated: "seed" });
});
afterAll(() => c.close());

const demoTenant = () => `demo-${randomUUID().slice(0, 8)}`;
const TABLES = [
  "customers",
  "customerSearchTerms",
  "contacts",
  "contactTags",
  "communications",
  "messageTemplates",
  "followUps",
  "users",
  "complaints",
  "complaintStatusHistory",
  "testimonials",
  "auditLog",
  "domainEvents",
] as const;

/**
 * Rows per table of one tenant: what a run wrote, audit and outbox included. Taken once the worker
 * has sent the live messages, whose "sent" events it appends.
 */
async function snapshot(tenantId: string) {
  const db = c.server.deps.db;
  await eventually(
    () => db.selectFrom("communications").select("id").where("tenantId", "=", tenantId).where("status", "in", ["Queued", "Sending"]).execute(),
    (rows) => rows.length === 0,
  );
  const counts = await Promise.all(
    TABLES.map(async (t) => Number((await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", tenantId).executeTakeFirstOrThrow()).n)),
  );
  return Object.fromEntries(TABLES.map((t, i) => [t, counts[i]]));
}

const countBy = async (tenantId: string, table: "customers" | "complaints" | "communications", column: "type" | "status") => {
  const rows = await sql<{ k: string; n: number }>`SELECT ${sql.ref(column)} AS k, COUNT(*) AS n FROM ${sql.table(table)} WHERE tenant_id = ${tenantId} GROUP BY ${sql.ref(column)}`.execute(c.server.deps.db);
  return Object.fromEntries(rows.rows.map((r) => [r.k, Number(r.n)]));
};

/** The demo tenant of this file, seeded once (the tests below read it). */
const tenant = demoTenant();
let seeded: ReturnType<typeof seedDemo> | undefined;
const seedOnce = () => (seeded ??= seedDemo(c.server.deps, { tenantId: tenant }));

describe("the demo seed", () => {
  let first: Awaited<ReturnType<typeof snapshot>>;

  it("seeds every type, status and role through the app, and the API serves it", { timeout: 120_000 }, async () => {
    const started = new Date(Date.now() - 1000);
    const result = await seedOnce();
    expect(result).toMatchObject({ tenantId: tenant, status: "seeded", warnings: [] });
    first = await snapshot(tenant);

    const db = c.server.deps.db;
    expect(await countBy(tenant, "customers", "type")).toEqual(CUSTOMER_MIX);
    expect(Object.keys(CUSTOMER_MIX).sort()).toEqual([...CUSTOMER_TYPES].sort());
    const complaints = await countBy(tenant, "complaints", "status");
    for (const status of COMPLAINT_STATUSES) expect(complaints[status], status).toBeGreaterThan(0);
    const comms = await countBy(tenant, "communications", "type");
    for (const type of COMMUNICATION_TYPES) expect(comms[type], type).toBeGreaterThan(0);

    // History is settled as the worker left it (delivered, or failed for a landline); only the
    // live messages of this very moment are left for the real worker.
    const statuses = await countBy(tenant, "communications", "status");
    expect(statuses).toMatchObject({ Delivered: expect.any(Number), Completed: expect.any(Number), Failed: expect.any(Number) });
    const unsent = await db.selectFrom("communications").select("id").where("tenantId", "=", tenant).where("status", "in", ["Queued", "Sending"]).where("createdAt", "<", started).execute();
    expect(unsent).toEqual([]);

    const testimonials = await db.selectFrom("testimonials").select(["status", "isPublic"]).where("tenantId", "=", tenant).execute();
    expect(testimonials.some((t) => t.status === "Pending")).toBe(true);
    expect(testimonials.some((t) => t.status === "Approved" && t.isPublic === 1)).toBe(true);
    expect(testimonials.some((t) => t.status === "Rejected")).toBe(true);

    const now = new Date();
    const followUps = await db.selectFrom("followUps").select(["status", "dueDate", "assignedTo"]).where("tenantId", "=", tenant).execute();
    expect(followUps.some((f) => f.status === "Pending" && f.dueDate < now)).toBe(true);
    expect(followUps.some((f) => f.status === "Pending" && f.dueDate > now && f.assignedTo)).toBe(true);
    expect(followUps.some((f) => f.status === "Pending" && !f.assignedTo)).toBe(true);
    expect(followUps.some((f) => f.status === "Completed")).toBe(true);

    const users = await db.selectFrom("users").select(["id", "email", "roles"]).where("tenantId", "=", tenant).execute();
    for (const role of ROLES) expect(users.some((u) => u.email && parseJson<string[]>(u.roles).includes(role)), role).toBe(true);

    // Written as the app writes: every customer registered with its audit row and outbox event.
    const registered = await db.selectFrom("domainEvents").select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", tenant).where("eventType", "=", "CustomerRegistered").executeTakeFirstOrThrow();
    expect(Number(registered.n)).toBe(300);
    expect(first.auditLog).toBeGreaterThan(2000);

    // Through the real HTTP API, as a demo user signs in with the token command the seed prints.
    const token = await c.server.signToken({ tenantId: tenant, userId: STAFF.admin.id, roles: ["Admin"], name: STAFF.admin.name, email: STAFF.admin.email });
    const api = rest(c.server.url, token);
    const search = await api.get("/customers/search?pageSize=100&type=Enterprise");
    expect(search.status).toBe(200);
    expect(search.body.totalCount).toBe(CUSTOMER_MIX.Enterprise);
    expect((await api.get("/customers/search")).body.totalCount).toBe(300 - 6); // six were deactivated
    const settings = await api.get("/settings/complaints");
    expect(settings.body).toMatchObject({ supportEmails: [expect.stringMatching(/@clientele-demo\.example$/)], managerEmails: [STAFF.manager.email, STAFF.manager2.email] });
    expect(settings.body.routing.rules.length).toBeGreaterThan(3);
    const templates = await api.get("/templates");
    expect(templates.body.items.map((t: { channel: string }) => t.channel).sort()).toEqual(["Email", "Email", "Email", "SMS", "SMS"]);
    const customerId = search.body.items[0].id as string;
    expect((await api.get(`/customers/${customerId}/contacts`)).body.items.length).toBeGreaterThanOrEqual(3);
  });

  it("delivers the live messages and staff notices, and nothing of the history", { timeout: 60_000 }, async () => {
    const to = (address: string) => c.smtp.waitFor((m) => m.envelope.to.includes(address));
    // Staff notices reach the seeded users by their email: marketing reviews the new testimonial,
    // the support team hears of the new complaint, the sales rep of the task assigned to her.
    const review = await to(STAFF.marketing.email);
    expect(review.subject).toMatch(/^New testimonial to review/);
    expect(review.envelope.to).toContain(STAFF.marketing2.email);
    expect((await to(`support@clientele-demo.example`)).subject).toMatch(/^New Medium complaint COMP-\d{8}-\d{4}: Invoice sent to the wrong address$/);
    expect((await to(STAFF.sales1.email)).subject).toBe("Follow-up assigned to you: Call about the renewal quote");
    await c.twilio.waitFor((m) => m.body.includes("a reminder of your appointment"));
    const invites = await eventually(
      async () => c.smtp.messages.filter((m) => m.calendar?.method === "REQUEST"),
      (ms) => ms.length >= 2,
    );
    expect(invites.length).toBe(2);
    const subjects = c.smtp.messages.map((m) => m.subject);
    // A year of history was recorded as sent back then: none of it goes out now.
    expect(subjects.filter((s) => /Welcome to Clientele Demo Co\.|Join our spring webinar series|Update on your complaint/.test(s))).toEqual([]);
  });

  it("writes nothing on a second run, and finds everything by its keys without the marker", { timeout: 120_000 }, async () => {
    const again = await seedDemo(c.server.deps, { tenantId: tenant });
    expect(again.status).toBe("already-seeded");
    expect(await snapshot(tenant)).toEqual(first);

    // Without the marker every record is found again: nothing is added twice.
    await setTenantSettings(c.server.deps.db, tenant, { demoSeed: undefined });
    const refill = await seedDemo(c.server.deps, { tenantId: tenant });
    expect(refill).toMatchObject({ status: "seeded", written: {} });
    expect(await snapshot(tenant)).toEqual(first);
  });

  it("completes a run that was interrupted, without duplicates", { timeout: 120_000 }, async () => {
    const other = demoTenant();
    await expect(
      seedDemo(c.server.deps, {
        tenantId: other,
        onProgress: (done) => {
          if (done === 120) throw new Error("interrupted");
        },
      }),
    ).rejects.toThrow("interrupted");
    const partial = await snapshot(other);
    expect(partial.customers).toBeGreaterThanOrEqual(120);
    expect(partial.customers).toBeLessThan(300);

    expect((await seedDemo(c.server.deps, { tenantId: other })).status).toBe("seeded");
    // The same plan, so the same rows as the uninterrupted tenant, to the audit row and event.
    expect(await snapshot(other)).toEqual(first);
  });

  it("keeps a running worker's sweep off the history it records", { timeout: 120_000 }, async () => {
    const swept = demoTenant();
    const db = c.server.deps.db;
    const found = new Set<string>();
    let seeding = true;
    // The worker's sweep, as often as the event loop allows: history is dated a year back, so a
    // message of it Queued for a moment (the campaign's, while the seed sends them) looks stranded.
    const sweeping = (async () => {
      while (seeding) {
        for (const m of await findQueuedMessages(db, new Date(Date.now() - 60_000))) if (m.tenantId === swept) found.add(m.id);
      }
    })();
    const result = await seedDemo(c.server.deps, { tenantId: swept }).finally(() => (seeding = false));
    await sweeping;
    expect(result.status).toBe("seeded");
    expect([...found]).toEqual([]);
  });

  it("leaves a history message another attempt is sending to that attempt", { timeout: 120_000 }, async () => {
    const other = demoTenant();
    const db = c.server.deps.db;
    await expect(
      seedDemo(c.server.deps, {
        tenantId: other,
        onProgress: (done) => {
          if (done === 30) throw new Error("interrupted");
        },
      }),
    ).rejects.toThrow("interrupted");
    // A run killed between recording a message and sending it left it Queued; a worker's sweep
    // found it, and the worker is sending it when the next run comes.
    const { id } = await db.selectFrom("communications").select("id").where("tenantId", "=", other).where("type", "=", "Email").where("status", "=", "Delivered").executeTakeFirstOrThrow();
    await db.updateTable("communications").set({ status: "Queued" }).where("id", "=", id).execute();
    expect(await claimForSending(db, id, new Date())).toBe(true);

    expect((await seedDemo(c.server.deps, { tenantId: other })).status).toBe("seeded");
    expect(await db.selectFrom("communications").select("status").where("id", "=", id).executeTakeFirstOrThrow()).toEqual({ status: "Sending" });
  });

  it("lets one of two simultaneous runs seed, and the other find it done", { timeout: 120_000 }, async () => {
    const twice = demoTenant();
    const results = await Promise.all([seedDemo(c.server.deps, { tenantId: twice }), seedDemo(c.server.deps, { tenantId: twice })]);
    expect(results.map((r) => r.status).sort()).toEqual(["already-seeded", "seeded"]);
    expect((await snapshot(twice)).customers).toBe(300);
  });
});

const apiDir = fileURLToPath(new URL("..", import.meta.url));

/** `pnpm seed:demo` as a user runs it: its own process, this file's database. */
async function seedCommand(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/scripts/seed-demo.ts", ...args], {
      cwd: apiDir,
      env: { ...process.env, ...c.env, LOG_LEVEL: "silent", ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("the seed:demo command", () => {
  it("finds a seeded tenant and does nothing", { timeout: 120_000 }, async () => {
    await seedOnce();
    const before = await snapshot(tenant);
    const run = await seedCommand(["--tenant", tenant]);
    expect(run).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`tenant "${tenant}" was seeded at .*; nothing to do`)) });
    expect(await snapshot(tenant)).toEqual(before);
  });

  it("seeds nothing in production unless SEED_DEMO=true", { timeout: 60_000 }, async () => {
    const tenant = demoTenant();
    const production = { NODE_ENV: "production", JWT_SECRET: "x".repeat(40), DOWNLOAD_URL_SECRET: "y".repeat(40) };
    const run = await seedCommand(["--tenant", tenant], production);
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining("skipped") });
    expect((await snapshot(tenant)).customers).toBe(0);
  });

  it("answers a mistyped flag with its usage, not a stack trace", { timeout: 60_000 }, async () => {
    const run = await seedCommand(["--tenat", "demo"]);
    expect(run.code).toBe(2);
    expect(run.out).toContain("Usage: pnpm seed:demo");
    expect(run.out).not.toMatch(/\n\s+at /);
  });
});
