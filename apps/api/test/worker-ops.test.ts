import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { withNamedLock } from "@clientele/db";
import { startSmtpServer, type SmtpTestServer } from "@clientele/test-doubles";
import { relayLockName } from "@clientele/worker/relay";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { customerBody, databaseUrl, eventually, newTenant, sharedEnv, startIsolatedTestServer, streamPrefix, testEnv, type Api } from "./harness";
import { startRedis } from "./redis-process";
import { startWorker, type WorkerProcess } from "./worker-process";

const workerDir = fileURLToPath(new URL("../../worker", import.meta.url));

/** Runs the worker to its exit and keeps stdout and stderr apart. */
function runWorkerToExit(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: workerDir, env: { ...process.env, LOG_LEVEL: "info", WORKER_METRICS_PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    proc.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("worker start-up errors", () => {
  it("says in one line, password masked, that MySQL is unreachable, and exits 1", async () => {
    const r = await runWorkerToExit({ DATABASE_URL: "mysql://root:hunter2-secret@127.0.0.1:1/clientele" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^clientele worker: cannot reach MySQL at mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/clientele: .*ECONNREFUSED/)]);
    expect(r.stderr + r.stdout).not.toContain("hunter2-secret");
  });

  it("says in one line, password masked, that Redis is unreachable, and exits 1", async () => {
    const r = await runWorkerToExit({ DATABASE_URL: databaseUrl(), REDIS_URL: "redis://:hunter2-secret@127.0.0.1:1" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^clientele worker: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/)]);
    expect(r.stderr + r.stdout).not.toContain("hunter2-secret");
  });

  it("says in one line that its metrics port is taken, and exits 1 before taking any work", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    const connection = new Redis(testEnv().REDIS_URL, { maxRetriesPerRequest: null });
    const prefix = `${inject("queuePrefix")}-metricsport-${randomUUID().slice(0, 6)}`;
    const email = new Queue("email", { connection, prefix });
    const maintenance = new Queue("maintenance", { connection, prefix });
    try {
      const waiting = await email.add("send-email", { communicationId: "never-sent" });
      const r = await runWorkerToExit({ ...sharedEnv(), QUEUE_PREFIX: prefix, STREAM_PREFIX: streamPrefix(), ESCALATION_CRON: "0 0 1 1 *", HOST: "127.0.0.1", WORKER_METRICS_PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^clientele worker: cannot serve metrics on 127\\.0\\.0\\.1:${port}: listen EADDRINUSE`))]);
      expect(r.stdout).not.toContain("worker running");
      // No job workers ran: the waiting job was not taken and the maintenance schedules were not registered.
      expect(await waiting.getState()).toBe("waiting");
      expect(await maintenance.getJobSchedulersCount()).toBe(0);
    } finally {
      await Promise.all([email.obliterate({ force: true }), maintenance.obliterate({ force: true })]);
      await Promise.all([email.close(), maintenance.close()]);
      connection.disconnect();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe("an operable worker", () => {
  let own: Awaited<ReturnType<typeof startIsolatedTestServer>>;
  let smtp: SmtpTestServer;
  let worker: WorkerProcess;
  let api: Api;
  let customerId: string;
  const scrape = async () => (await fetch(worker.metricsUrl())).text();
  const metric = (text: string, series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  beforeAll(async () => {
    own = await startIsolatedTestServer("workerops");
    smtp = await startSmtpServer();
    worker = await startWorker({ ...own.env, SMTP_URL: smtp.url });
    api = await own.as("CustomerManager", newTenant());
    customerId = (await api.post("/customers", customerBody())).body.id;
  });
  afterAll(async () => {
    await worker?.stop();
    await smtp?.close();
    await own?.close();
  });

  it("logs each failed attempt at warn and the last at error, without the recipient's address", async () => {
    const address = "victim.person@initech.example";
    smtp.failNext(1, { code: 451, message: `mailbox ${address} is busy, try later` });
    smtp.failNext(1, { code: 550, message: `no such user ${address}` });
    const sent = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: address, subject: "Your invoice", body: "Attached." });
    expect(sent.status).toBe(201);
    const id = sent.body.communicationId as string;
    const jobId = `message-${id}`;
    const lines = () =>
      worker
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.jobId === jobId);
    const logged = await eventually(async () => lines(), (ls) => ls.some((l) => l.level === 50), 15_000, () => worker.output());
    expect(logged).toEqual([
      expect.objectContaining({ level: 40, msg: "job attempt failed; it will be retried", queue: "email", job: "send-email", jobId, attempt: 1, attempts: 3, reason: expect.stringMatching(/451/) }),
      expect.objectContaining({ level: 50, msg: "job failed with no attempt left", queue: "email", job: "send-email", jobId, attempt: 2, reason: expect.stringMatching(/550.*\[email\]/) }),
    ]);
    expect(worker.output()).not.toContain(address);
    expect(smtp.rejections.map((r) => r.code)).toEqual([451, 550]);
  });

  it("serves /metrics on its own port: queues, failed attempts, outbox lag and throughput, sweeps", async () => {
    expect(worker.metricsUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await eventually(scrape, (t) => (metric(t, 'clientele_stranded_sweeps_total{outcome="ok"}') ?? 0) >= 1 && (metric(t, "clientele_outbox_published_events_total") ?? 0) >= 1);
    expect(metric(text, 'clientele_queue_jobs{queue="email",state="failed"}')).toBe(1);
    expect(metric(text, 'clientele_queue_jobs{queue="email",state="waiting"}')).toBe(0);
    for (const q of ["contact-import", "contact-export", "maintenance", "sms", "notifications"]) {
      expect(metric(text, `clientele_queue_jobs{queue="${q}",state="active"}`)).toBe(0);
    }
    expect(metric(text, 'clientele_queue_jobs{queue="maintenance",state="delayed"}')).toBeGreaterThanOrEqual(1); // the cron schedulers
    expect(metric(text, 'clientele_job_attempts_failed_total{queue="email",final="false"}')).toBe(1);
    expect(metric(text, 'clientele_job_attempts_failed_total{queue="email",final="true"}')).toBe(1);
    // The relay keeps up: every event of this database (customer created, ...) went out.
    const drained = await eventually(scrape, (t) => metric(t, "clientele_outbox_lag_seconds") === 0);
    expect(metric(drained, "clientele_outbox_published_events_total")).toBeGreaterThanOrEqual(1);
    expect((await fetch(worker.metricsUrl().replace("/metrics", "/other"))).status).toBe(404);
  });

  it("reports the age of the oldest event the relay has not published", async () => {
    // The running relay holds the lock; once this test holds it, a restarted worker's relay stands by.
    await worker.stop();
    const held = await withNamedLock(own.deps.db, relayLockName(own.env.DATABASE_URL!), 0, async () => {
      worker = await startWorker({ ...own.env, SMTP_URL: smtp.url });
      expect((await api.post("/customers", customerBody())).status).toBe(201);
      const text = await eventually(scrape, (t) => (metric(t, "clientele_outbox_lag_seconds") ?? 0) > 0.5);
      expect(metric(text, "clientele_outbox_lag_seconds")).toBeLessThan(60);
    });
    expect(held.acquired).toBe(true);
    await eventually(scrape, (t) => metric(t, "clientele_outbox_lag_seconds") === 0);
  });
});

describe("worker metrics while Redis is away", () => {
  it("still answers the scrape (outbox lag, process metrics), leaving out the queue counts Redis cannot give", async () => {
    const redis = await startRedis();
    const own = await startIsolatedTestServer("metricsredis");
    const worker = await startWorker({ ...own.env, REDIS_URL: redis.url });
    try {
      expect(await (await fetch(worker.metricsUrl())).text()).toContain("clientele_queue_jobs{");
      redis.proc.kill("SIGKILL");
      await new Promise((resolve) => redis.proc.once("exit", resolve));
      const res = await fetch(worker.metricsUrl(), { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^clientele_outbox_lag_seconds \d/m);
      expect(text).toContain("process_cpu_seconds_total");
      expect(text).not.toContain("clientele_queue_jobs{");
    } finally {
      await worker.kill();
      await own.close();
    }
  });
});

