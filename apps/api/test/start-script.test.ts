import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dropDatabase } from "@clientele/db";
import { afterAll, describe, expect, it } from "vitest";
import { collectOutput } from "./child-output";
import { processesWithEnv } from "./processes";
import { customerBody, databaseUrl, eventually, newTenant, rest } from "./harness";
import { signDevToken } from "../src/auth/dev-token";
import { freePort } from "./redis-process";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const files = mkdtempSync(join(tmpdir(), "clientele-start-files-"));
const ownDatabase = `${databaseUrl()}_start`;
afterAll(async () => {
  await dropDatabase(ownDatabase);
  rmSync(files, { recursive: true, force: true });
});

/** Processes whose environment carries this run's marker. */
const processesMarked = (marker: string) => processesWithEnv(`START_TEST_MARKER=${marker}`);

/** Holds 127.0.0.1:9464, the worker's default metrics port, unless something else already does. */
async function holdDefaultMetricsPort(): Promise<() => Promise<void>> {
  const server = createServer();
  const held = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(9464, "127.0.0.1", () => resolve(true));
  });
  return () => (held ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve());
}

/** `npm start`'s supervisor, without the install step, on a port and queue prefix of its own. */
async function start(env: Record<string, string>, flags: string[] = ["--skip-install"]) {
  const marker = randomUUID();
  const port = await freePort();
  const proc = spawn(process.execPath, ["tooling/scripts/start.mjs", ...flags], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "development",
      PORT: String(port),
      DATABASE_URL: ownDatabase,
      FILES_DIR: files,
      QUEUE_PREFIX: `start-${marker.slice(0, 8)}`,
      STREAM_PREFIX: `start-${marker.slice(0, 8)}:`,
      ESCALATION_CRON: "0 0 1 1 *",
      SEED_DEMO: "false",
      LOG_LEVEL: "warn",
      START_TEST_MARKER: marker,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { exited, output, waitFor } = collectOutput(proc);
  return { proc, port, marker, exited, output, waitFor, url: `http://127.0.0.1:${port}` };
}

describe("npm start (tooling/scripts/start.mjs)", () => {
  it("prints the banner only once /ready answers, runs the mail and SMS inboxes, and stops everything on SIGTERM", async () => {
    // Another program on the worker's default metrics port: npm start gives the worker a free one.
    const release = await holdDefaultMetricsPort();
    const s = await start({});
    try {
      await s.waitFor(/Clientele is running\./, 90_000);
      const workerMetrics = /worker metrics at (http:\/\/127\.0\.0\.1:(\d+)\/metrics)/.exec(s.output());
      expect(workerMetrics, s.output()).not.toBeNull();
      expect(workerMetrics![2]).not.toBe("9464");
      expect((await fetch(workerMetrics![1]!)).status).toBe(200);
      // Logged before the banner: the migration ran, and the apps were up first.
      expect(s.output().indexOf("database migrated to latest")).toBeLessThan(s.output().indexOf("Clientele is running."));
      expect((await fetch(`${s.url}/ready`)).status).toBe(200);
      const mailUrl = /Mail {5}(http:\/\/127\.0\.0\.1:\d+\/)/.exec(s.output())?.[1];
      const smsUrl = /SMS {6}(http:\/\/127\.0\.0\.1:\d+\/)/.exec(s.output())?.[1];
      expect(mailUrl, s.output()).toBeDefined();
      expect(smsUrl, s.output()).toBeDefined();
      expect(s.output()).toContain(`${s.url}/ops/queues`);
      // The admin app's header links the same inboxes and the dashboard (its runtime config names them).
      expect(((await fetch(`${s.url}/admin/config.json`).then((r) => r.json())) as { links: unknown }).links).toEqual({ mailInbox: mailUrl, smsInbox: smsUrl, queues: "/ops/queues" });
      // The banner's dashboard opens for an Admin of any tenant here (the API alone opens it for no one).
      const admin = await signDevToken({ secret: "clientele-development-secret-change-me-0123456789", issuer: "clientele", audience: "clientele-api", tenantId: newTenant(), userId: "u-admin", roles: ["Admin"] });
      expect((await fetch(`${s.url}/ops/queues/api/queues`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);

      // The worker sends to the inboxes: an email lands in maildev, an SMS on the page and Twilio's
      // status callbacks reach the API (signed with the token it checks), so the record says Delivered.
      const tenant = newTenant();
      const token = await signDevToken({ secret: "clientele-development-secret-change-me-0123456789", issuer: "clientele", audience: "clientele-api", tenantId: tenant, userId: "u1", roles: ["SalesRep"] });
      const api = rest(s.url, token);
      const phone = "+14155552672";
      const customer = (await api.post("/customers", customerBody({ primaryPhone: phone }))).body;
      await api.post(`/customers/${customer.id}/communications/email`, { subject: "Seen in the inbox", body: "Hello" });
      const sms = (await api.post(`/customers/${customer.id}/communications/sms`, { message: "Seen on the page" })).body;
      await eventually(
        () => fetch(new URL("api/email", mailUrl)).then((r) => r.json() as Promise<{ subject: string }[]>),
        (mails) => mails.some((m) => m.subject === "Seen in the inbox"),
      );
      await eventually(
        () => api.get(`/customers/${customer.id}/communications/${sms.communicationId}`).then((r) => r.body.status),
        (status) => status === "Delivered",
      );
      expect(await fetch(smsUrl!).then((r) => r.text())).toContain("Seen on the page");

      // STOP from the page's form reaches the API as a signed inbound webhook: the number is opted out.
      const stop = await fetch(new URL("inbound", smsUrl), {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ From: phone, To: "+15005550006", Body: "STOP" }),
      });
      expect(stop.status).toBe(303);
      expect(await fetch(smsUrl!).then((r) => r.text())).toMatch(/STOP<\/td>\s*<td>200<\/td>/);
      expect((await api.post(`/customers/${customer.id}/communications/sms`, { message: "Anything", purpose: "Transactional" })).status).toBe(400);
    } finally {
      await release();
      s.proc.kill("SIGTERM");
    }
    expect(await s.exited, s.output()).toBe(0);
    expect(processesMarked(s.marker)).toEqual([]);
  }, 150_000);

  it("leaves nothing running even when the supervisor itself is killed (SIGKILL)", async () => {
    const s = await start({});
    await s.waitFor(/Clientele is running\./, 90_000);
    expect(processesMarked(s.marker).length).toBeGreaterThanOrEqual(4); // supervisor, dev services, API, worker
    s.proc.kill("SIGKILL");
    await s.exited;
    await eventually(async () => processesMarked(s.marker), (left) => left.length === 0, 20_000);
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  }, 120_000);

  it("stops the worker and the dev services and exits non-zero naming the API when the API dies", async () => {
    const s = await start({});
    await s.waitFor(/Clientele is running\./, 90_000);
    const api = processesMarked(s.marker).find((pid) => readlinkSync(`/proc/${pid}/cwd`) === join(root, "apps/api"));
    expect(api, s.output()).toBeDefined();
    process.kill(api!, "SIGKILL");
    const code = await s.exited;
    expect(code, s.output()).not.toBe(0);
    expect(s.output()).toMatch(/clientele: the api exited \(SIGKILL\)/);
    expect(s.output()).toContain("clientele: stopping everything else");
    expect(processesMarked(s.marker)).toEqual([]);
  }, 120_000);

  it("stops the API and exits non-zero with the reason when the worker fails to start", async () => {
    const s = await start({ RELAY_BATCH_SIZE: "0" }, ["--skip-install", "--skip-migrate"]);
    const code = await s.exited;
    expect(code, s.output()).not.toBe(0);
    expect(s.output()).toMatch(/clientele: the worker exited \(code 1\)/);
    expect(s.output()).toContain("RELAY_BATCH_SIZE");
    expect(s.output()).not.toContain("Clientele is running.");
    expect(processesMarked(s.marker)).toEqual([]);
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  }, 90_000);

  it("never prints the banner while /ready does not answer: gives up with the reason and leaves nothing running", async () => {
    // A database that accepts connections and never answers: the API cannot get ready.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      // Providers configured, so no local stand-ins: only the apps are waited for.
      const providers = { SMTP_URL: "smtp://127.0.0.1:1", TWILIO_ACCOUNT_SID: `AC${"0".repeat(31)}9` };
      const s = await start({ ...providers, DATABASE_URL: `mysql://root@127.0.0.1:${port}/silent`, START_TIMEOUT_MS: "4000" }, ["--skip-install", "--skip-migrate"]);
      const code = await s.exited;
      expect(code, s.output()).not.toBe(0);
      expect(s.output()).toMatch(/did not (answer http:\/\/127\.0\.0\.1:\d+\/ready|report running) within 4 s/);
      expect(s.output()).not.toContain("Clientele is running.");
      expect(s.output()).not.toContain("[dev-services]");
      expect(processesMarked(s.marker)).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 90_000);
});
