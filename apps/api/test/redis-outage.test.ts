import type { ChildProcess } from "node:child_process";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startSmtpServer } from "@clientele/test-doubles";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, startTestServer, type TestServer } from "./harness";
import { startWorker } from "./worker-process";
import { freePort, startRedis } from "./redis-process";

let server: TestServer | undefined;
let redisProc: ChildProcess | undefined;
afterEach(async () => {
  await server?.close();
  if (redisProc && redisProc.exitCode === null) {
    redisProc.kill("SIGCONT");
    redisProc.kill("SIGKILL");
  }
});

describe("Redis outage", () => {
  it("keeps reads and writes working from MySQL when Redis stops mid-run", async () => {
    const redis = await startRedis();
    redisProc = redis.proc;
    server = await startTestServer({ REDIS_URL: redis.url });
    const api = rest(server.url, await server.token("Admin", newTenant()));
    const { body } = await api.post("/customers", customerBody({ companyName: "Outage Corp" }));
    expect((await api.get(`/customers/${body.id}`)).status).toBe(200);

    redis.proc.kill("SIGKILL");
    await new Promise((r) => redis.proc.once("exit", r));

    const got = await api.get(`/customers/${body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.profile.companyName).toBe("Outage Corp");
    const updated = await api.put(`/customers/${body.id}/profile`, { companyName: "Outage Corporation" });
    expect(updated.status).toBe(200);
    expect((await api.get(`/customers/${body.id}`)).body.profile.companyName).toBe("Outage Corporation");
    expect((await api.post("/customers", customerBody())).status).toBe(201);
    expect((await api.get("/customers/search?query=outage")).body.totalCount).toBe(1);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { mysql: "ok", redis: "unavailable" } });
  });

  it("does not serve a copy whose invalidation Redis missed while unreachable", async () => {
    const redis = await startRedis();
    redisProc = redis.proc;
    const proxy = await tcpProxy(redis.port);
    try {
      server = await startTestServer({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
      const api = rest(server.url, await server.token("Admin", newTenant()));
      const { body } = await api.post("/customers", customerBody({ companyName: "Frozen Cache Ltd" }));
      expect((await api.get(`/customers/${body.id}`)).body.profile.companyName).toBe("Frozen Cache Ltd");
      expect((await api.get("/customers/search?query=cache")).body.items[0].profile.companyName).toBe("Frozen Cache Ltd");

      // The network to Redis fails; Redis itself keeps the old cached copies.
      await proxy.cut();
      const updated = await api.put(`/customers/${body.id}/profile`, { companyName: "Thawed Cache Ltd" });
      expect(updated.status).toBe(200);
      await proxy.restore();
      await new Promise((resolve) => server!.deps.redis!.once("ready", resolve));

      expect((await api.get(`/customers/${body.id}`)).body.profile.companyName).toBe("Thawed Cache Ltd");
      expect((await api.get("/customers/search?query=cache")).body.items[0].profile.companyName).toBe("Thawed Cache Ltd");
    } finally {
      await proxy.cut();
    }
  });
});

describe("work recorded while Redis was away", () => {
  it("is queued by the worker's sweep and sent", async () => {
    const redis = await startRedis();
    redisProc = redis.proc;
    // Its own database and queues: the sweep picks up every stranded row it can see.
    const own = await startIsolatedTestServer("stranded", { REDIS_URL: redis.url });
    server = own;
    const smtp = await startSmtpServer();
    try {
      const api = rest(own.url, await own.token("CustomerManager", newTenant()));
      const customer = (await api.post("/customers", customerBody({ companyName: "Stranded Ltd" }))).body;
      redis.proc.kill("SIGKILL");
      await new Promise((r) => redis.proc.once("exit", r));

      const sent = await api.post(`/customers/${customer.id}/communications/email`, {
        recipientEmail: "ops@stranded.example",
        subject: "Queued while Redis was down",
        body: "Recorded in MySQL; the worker queues it later.",
      });
      expect(sent.status).toBe(201);
      expect(sent.body.status).toBe("Queued");

      // The worker on the shared Redis: its sweep finds the row and queues it (in one addBulk).
      const worker = await startWorker({ ...own.env, SMTP_URL: smtp.url, EMAIL_FROM: "crm@acme.example", SWEEP_INTERVAL_MS: "1000" });
      try {
        const mail = await smtp.waitFor((m) => m.subject === "Queued while Redis was down", 15_000);
        expect(mail.envelope.to).toEqual(["ops@stranded.example"]);
        const done = await eventually(
          () => api.get(`/customers/${customer.id}/communications/${sent.body.communicationId}`).then((r) => r.body.status),
          (s) => s === "Sent",
        );
        expect(done).toBe("Sent");
      } finally {
        await worker.stop();
      }
    } finally {
      await smtp.close();
    }
  });
});

/** A TCP relay to Redis that a test can cut (connections dropped, new ones refused) and restore. */
async function tcpProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const port = await freePort();
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(targetPort, "127.0.0.1");
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("error", () => undefined);
          s.on("close", () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      }).listen(port, "127.0.0.1", () => resolve());
    });
  await listen();
  return {
    port,
    restore: listen,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server?.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
