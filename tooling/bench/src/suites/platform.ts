import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signDevToken } from "@clientele/api/dev-token";
import { dropDatabase, migrateToLatest } from "@clientele/db";
import type { Pool } from "mysql2/promise";
import { freePort, startTsProcess, type Child } from "../child-process";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));

export const log = (line: string) => console.log(line);
export const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export type Platform = {
  url: string;
  worker: Child;
  token: (tenantId: string) => Promise<string>;
  filesDir: string;
  stop: () => Promise<void>;
};

/** A fresh database (unless `keepDatabase`: one already seeded) and the real API + worker processes, with a queue prefix of their own. */
export async function startPlatform(o: { databaseUrl: string; redisUrl: string; workerEnv?: Record<string, string>; apiEnv?: Record<string, string>; keepDatabase?: boolean }): Promise<Platform> {
  if (!o.keepDatabase) await dropDatabase(o.databaseUrl);
  await migrateToLatest(o.databaseUrl);
  const filesDir = mkdtempSync(path.join(tmpdir(), "clientele-bench-files-"));
  const secret = randomBytes(32).toString("hex");
  const shared = { DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl, LOG_LEVEL: "warn", FILES_DIR: filesDir, QUEUE_PREFIX: `bull-bench-${randomBytes(3).toString("hex")}` };
  const apiPort = await freePort();
  const api = await startTsProcess({
    name: "API",
    entry: path.join(REPO, "apps/api/src/main.ts"),
    cwd: path.join(REPO, "apps/api"),
    port: apiPort,
    readyPath: "/ready",
    env: { ...shared, NODE_ENV: "development", PORT: String(apiPort), HOST: "127.0.0.1", JWT_SECRET: secret, ...o.apiEnv },
  });
  // The worker serves no HTTP; a tiny readiness probe would be its own server, so wait on its log line.
  const workerPort = await freePort();
  const worker = await startTsProcess({
    name: "worker",
    entry: path.join(REPO, "apps/worker/src/main.ts"),
    cwd: path.join(REPO, "apps/worker"),
    port: workerPort,
    readyPath: "",
    readyLine: "worker running",
    env: { ...shared, ...o.workerEnv },
  });
  return {
    url: api.url,
    worker,
    filesDir,
    token: (tenantId) => signDevToken({ secret, issuer: "clientele", audience: "clientele-api", tenantId, userId: "bench", roles: ["Admin"] }),
    stop: async () => {
      await Promise.allSettled([api.stop(), worker.stop()]);
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process now (Linux), in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Samples a process's memory every 50 ms while `work` runs: the peak and the level before. */
export async function withMemory<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; beforeMb: number; peakMb: number }> {
  const beforeMb = rssMb(pid);
  let peakMb = beforeMb;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, rssMb(pid));
  }, 50);
  try {
    const value = await work();
    return { value, beforeMb, peakMb: Math.max(peakMb, rssMb(pid)) };
  } finally {
    clearInterval(timer);
  }
}

export function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN, n: sorted.length };
}

export async function api<T = unknown>(url: string, token: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** `n` valid customers through the API, `parallel` at a time; their ids and numbers. */
export async function createCustomers(url: string, token: string, n: number, parallel = 16) {
  const out: { id: string; customerNumber: string }[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, (_, j) =>
        api<{ id: string; customerNumber: string }>(url, token, "POST", "/customers", {
          type: "SmallBusiness",
          companyName: `Bench Customer ${i + j}`,
          primaryEmail: `owner${i + j}@bench-customer.example`,
          primaryPhone: "+44 20 7946 0958",
          billingAddress: { street: "1 High Street", city: "London", state: "London", zipCode: "SW1A 1AA", country: "GB" },
        }),
      ),
    );
    out.push(...batch);
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `get` every `intervalMs` until `done` holds and returns that value; past the deadline it
 * throws, with `timeoutMessage` if given (else the last value), so a stuck run fails instead of hanging.
 */
export async function waitUntil<T>(
  get: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  o: { intervalMs?: number; timeoutMessage?: (last: T) => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() >= deadline) throw new Error(o.timeoutMessage?.(value) ?? `not done within ${timeoutMs / 1000} s; last: ${JSON.stringify(value)}`);
    await sleep(o.intervalMs ?? 20);
  }
}

export type BenchCustomerRow = { id: string; tenantId: string; customerNumber: string; companyName: string; email: string };

/** Customers inserted straight into the table (placeholder address and phone), 500 per statement. */
export async function insertCustomers(pool: Pool, customers: BenchCustomerRow[]): Promise<void> {
  for (let i = 0; i < customers.length; i += 500) {
    const rows = customers
      .slice(i, i + 500)
      .map((c) => [c.id, c.tenantId, c.customerNumber, "SmallBusiness", c.companyName, c.email, "+15555550100", "s", "c", "st", "z", "GB", "{}", new Date(), "b"]);
    await pool.query(
      "INSERT INTO customers (id, tenant_id, customer_number, type, company_name, primary_email, primary_phone, billing_street, billing_city, billing_state, billing_zip_code, billing_country, preferences, created_at, created_by) VALUES ?",
      [rows],
    );
  }
}
