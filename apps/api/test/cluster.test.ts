import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Agent, get, request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "../src/auth/dev-token";
import { collectOutput } from "./child-output";
import { customerBody, eventually, newTenant, sharedEnv } from "./harness";
import { clusterWorkersOf, connectionOwners, processesWithEnv } from "./processes";

const apiDir = fileURLToPath(new URL("..", import.meta.url));
const METRICS_TOKEN = "cluster-test-metrics-token";
const DEV_SECRET = "clientele-development-secret-change-me-0123456789";

/** The real `src/main.ts` with API_WORKERS=2 on a free port, marked so that every process it forks can be found. */
function startApi(env: Record<string, string>) {
  const marker = randomUUID();
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: apiDir,
    env: { ...process.env, ...sharedEnv(), NODE_ENV: "test", PORT: "0", API_WORKERS: "2", SHUTDOWN_GRACE_MS: "5000", CLUSTER_TEST_MARKER: marker, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { proc, processes: () => processesWithEnv(`CLUSTER_TEST_MARKER=${marker}`), ...collectOutput(proc) };
}
type Api = ReturnType<typeof startApi>;

/** A GET on a connection of its own (no keep-alive pool), so the primary hands each to the next worker. */
function getOnce(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    get(url, { agent: false, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

/** `n` concurrent GETs, each on its own kept-alive connection; the connections stay open until `close`. */
async function heldConnections(url: string, n: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: n });
  const answers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<{ status: number; clientPort: number }>((resolve, reject) => {
        get(url, { agent }, (res) => {
          const clientPort = res.socket.localPort!;
          res.resume().on("end", () => resolve({ status: res.statusCode ?? 0, clientPort }));
        }).on("error", reject);
      }),
    ),
  );
  return { answers, close: () => agent.destroy() };
}

/** Which worker holds each of `n` connections to /health (after every one was answered 200). */
async function servingWorkers(api: Api, url: string, n: number) {
  const held = await heldConnections(`${url}/health`, n);
  try {
    expect(held.answers.map((a) => a.status)).toEqual(Array(n).fill(200));
    const owners = connectionOwners(clusterWorkersOf(api.proc.pid!), Number(new URL(url).port), held.answers.map((a) => a.clientPort));
    expect(owners.size, "every connection is held by a worker of this primary").toBe(n);
    return new Set(owners.values());
  } finally {
    held.close();
  }
}

const healthCount = (metrics: string) =>
  Number(/^http_request_duration_seconds_count\{method="GET",route="\/health",procedure="",status="200"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);

let api: Api;
let url: string;
let unreachable: Api;

beforeAll(async () => {
  // Started side by side: each start loads the whole app in two workers.
  unreachable = startApi({ DATABASE_URL: "mysql://root@127.0.0.1:1/clientele_unreachable", LOG_LEVEL: "warn" });
  api = startApi({ METRICS_TOKEN, LOG_LEVEL: "info" });
  url = (await api.waitFor(/Clientele API on (http:\/\/\S+) /, 40_000))[1]!;
}, 60_000);

afterAll(() => {
  for (const started of [api, unreachable]) for (const pid of started?.processes() ?? []) process.kill(pid, "SIGKILL");
});

describe("API_WORKERS=2: a node:cluster primary with two workers", () => {
  it("serves one port from both workers, prints the start-up line once, and /metrics (METRICS_TOKEN) sums every worker's counts", async () => {
    expect(api.output().match(/Clientele API on /g), api.output()).toHaveLength(1);
    expect(clusterWorkersOf(api.proc.pid!)).toHaveLength(2);

    const workers = await servingWorkers(api, url, 8);
    expect(workers.size, "round-robin hands connections to both workers").toBe(2);

    expect((await getOnce(`${url}/metrics`)).status).toBe(401);
    // Several scrapes, each on a connection of its own so both workers answer some: each sees all 8.
    for (let i = 0; i < 4; i++) {
      const scrape = await getOnce(`${url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(scrape.status).toBe(200);
      expect(healthCount(scrape.body), scrape.body.slice(0, 2000)).toBe(8);
    }
  });

  it("replaces a worker killed with SIGKILL, and keeps answering meanwhile", async () => {
    const [victim, survivor] = clusterWorkersOf(api.proc.pid!);
    process.kill(victim!, "SIGKILL");
    await api.waitFor(/"exit":"signal SIGKILL".*"msg":"api worker died; starting another"/, 5_000);
    const statuses = await Promise.all(Array.from({ length: 4 }, () => getOnce(`${url}/health`).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200, 200]);

    await api.waitFor(/"msg":"api worker replaced"/, 20_000);
    const workers = clusterWorkersOf(api.proc.pid!);
    expect(workers).toHaveLength(2);
    expect(workers).toContain(survivor);
    expect(workers).not.toContain(victim);
    // The replacement serves the same port.
    const serving = await eventually(() => servingWorkers(api, url, 8), (s) => s.size === 2, 5_000);
    expect([...serving].sort()).toEqual([...workers].sort());
  });

  it("on SIGTERM lets a request in flight finish (200), then the primary exits 0 with every worker gone", async () => {
    const token = await signDevToken({ secret: DEV_SECRET, issuer: "clientele", audience: "clientele-api", tenantId: newTenant(), userId: "u-cluster", roles: ["Admin"] });
    const body = JSON.stringify(customerBody());
    const { hostname, port } = new URL(url);
    const sent = Date.now();
    let signalled = 0;
    // Half the request is on the wire when the primary gets SIGTERM; the rest follows after it.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { hostname, port, method: "POST", path: "/trpc/customers.create", agent: false, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        api.proc.kill("SIGTERM");
        signalled = Date.now();
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    expect(signalled - sent).toBeGreaterThan(0);
    expect(status, api.output().slice(-2000)).toBe(200);
    expect(await api.exited, api.output().slice(-2000)).toBe(0);
    expect(api.processes()).toEqual([]);
    await expect(getOnce(`${url}/health`)).rejects.toThrow();
  });

  it("exits 1 with the one-line 'cannot reach MySQL' message when the workers cannot start, leaving none behind", async () => {
    expect(await unreachable.exited, unreachable.output()).toBe(1);
    // Both workers fail; the primary prints the reason once.
    expect(unreachable.output().trim().split("\n"), unreachable.output()).toEqual([
      expect.stringMatching(/^clientele api: cannot reach MySQL at mysql:\/\/root@127\.0\.0\.1:1\/clientele_unreachable: .*ECONNREFUSED/),
    ]);
    expect(unreachable.processes()).toEqual([]);
  });
});
