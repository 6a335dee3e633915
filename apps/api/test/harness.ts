import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropDatabase, migrateToLatest } from "@clientele/db";
import type { Role } from "@clientele/domain";
import { createLogger } from "@clientele/telemetry";
import { inject } from "vitest";
import { signDevToken } from "../src/auth/dev-token";
import { loadEnv, type ApiEnv } from "../src/env";
import { startServer, type RunningServer } from "../src/server";

export const databaseUrl = () => inject("databaseUrl");
export const streamPrefix = () => inject("streamPrefix");

/** What the API and a worker of this run share: database, files, queue and stream prefixes. */
export const sharedEnv = (): Record<string, string> => ({
  DATABASE_URL: databaseUrl(),
  FILES_DIR: inject("filesDir"),
  QUEUE_PREFIX: inject("queuePrefix"),
});

export function testEnv(overrides: Record<string, string | undefined> = {}): ApiEnv {
  return loadEnv({
    NODE_ENV: "test",
    PORT: "0",
    ...sharedEnv(),
    DATABASE_POOL_SIZE: "10",
    LOG_LEVEL: "silent",
    // Any tenant's Admin opens the queue dashboard; the tests of the restriction set their own.
    OPS_TENANTS: "*",
    // Suites send many requests per user; rate-limit tests set small budgets of their own.
    RATE_LIMIT_PER_USER_PER_HOUR: "1000000",
    RATE_LIMIT_PER_TENANT_PER_HOUR: "1000000",
    RATE_LIMIT_PER_IP_PER_HOUR: "1000000",
    RATE_LIMIT_EXPENSIVE_PER_USER_PER_HOUR: "1000000",
    ...overrides,
  });
}

export type TestServer = RunningServer & {
  token: (roles: Role | Role[], tenantId: string, userId?: string) => Promise<string>;
  signToken: (claims: { tenantId: string; userId: string; roles: Role[]; email?: string; name?: string }) => Promise<string>;
  /** A REST client for this server, signed in with these roles in the tenant. */
  as: (roles: Role | Role[], tenantId: string, userId?: string) => Promise<Api>;
};

/** The real express app on an ephemeral port, against the run's database and the real Redis. */
export async function startTestServer(overrides: Record<string, string | undefined> = {}): Promise<TestServer> {
  const env = testEnv(overrides);
  const server = await startServer(env, createLogger("silent", "api-test"));
  const token: TestServer["token"] = (roles, tenantId, userId = "user-1") =>
    signDevToken({
      secret: env.JWT_SECRET!,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      tenantId,
      userId,
      roles: Array.isArray(roles) ? roles : [roles],
    });
  return {
    ...server,
    signToken: (c) => signDevToken({ secret: env.JWT_SECRET!, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, ...c }),
    token,
    as: async (roles, tenantId, userId) => rest(server.url, await token(roles, tenantId, userId)),
  };
}

/**
 * A server on a database, files directory and queue prefix of its own, for tests that act on
 * everything there (the outbox relay, the retention and escalation sweeps): the workers other test
 * files run never see them. `env` is what a worker for this server needs (see startWorker).
 */
export async function startIsolatedTestServer(name: string, overrides: Record<string, string> = {}): Promise<TestServer & { env: Record<string, string> }> {
  const env = {
    DATABASE_URL: `${databaseUrl()}_${name}`,
    FILES_DIR: mkdtempSync(join(tmpdir(), `clientele-${name}-`)),
    QUEUE_PREFIX: `${inject("queuePrefix")}-${name}`,
  };
  await migrateToLatest(env.DATABASE_URL);
  const server = await startTestServer({ ...env, ...overrides });
  return {
    ...server,
    env,
    close: async () => {
      await server.close();
      await dropDatabase(env.DATABASE_URL);
      rmSync(env.FILES_DIR, { recursive: true, force: true });
    },
  };
}

export const newTenant = () => `t-${randomUUID().slice(0, 8)}`;

type ApiResponse<T = any> = { status: number; body: T; headers: Headers };

export type Api = ReturnType<typeof rest>;

/**
 * A small REST client: JSON in, JSON out, status and headers kept for assertions. A FormData body
 * goes as it is (multipart/form-data, boundary set by fetch), as a browser or curl -F would send it.
 */
export function rest(baseUrl: string, token?: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const form = body instanceof FormData;
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined && !form ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : form ? body : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>("GET", path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>("POST", path, body ?? {}, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>("PUT", path, body ?? {}, headers),
    del: <T = any>(path: string, headers?: Record<string, string>) => call<T>("DELETE", path, undefined, headers),
  };
}

/**
 * Polls until the predicate holds (the worker runs in another process). On timeout the error names
 * the last value, or says what `diagnostic` makes of it (e.g. with the worker's output).
 */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
  diagnostic?: string | ((last: T) => string),
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) {
      const detail = typeof diagnostic === "function" ? diagnostic(v) : `${diagnostic ? `${diagnostic}; ` : ""}last value: ${JSON.stringify(v)}`;
      throw new Error(`condition not met in ${timeoutMs} ms: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
}

let seq = 0;
/** A valid create body; every call gets a distinct email. */
export function customerBody(overrides: Record<string, unknown> = {}) {
  seq += 1;
  return {
    companyName: `Acme Widgets ${seq}`,
    type: "SmallBusiness",
    industry: "Manufacturing",
    primaryEmail: `owner${seq}.${randomUUID().slice(0, 6)}@acme-widgets.com`,
    primaryPhone: "+44 20 7946 0958",
    billingAddress: { street: "1 High Street", city: "London", state: "Greater London", zipCode: "SW1A 1AA", country: "GB" },
    ...overrides,
  };
}

declare module "vitest" {
  // Module augmentation only works with an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    databaseUrl: string;
    streamPrefix: string;
    queuePrefix: string;
    filesDir: string;
  }
}

export type Upload = { content: Buffer | string; name?: string; type?: string; fields?: Record<string, string> };

/** multipart/form-data POST through fetch's FormData, as a browser or curl -F would send it. */
export function uploadFile(baseUrl: string, token: string, path: string, defaultName: string, u: Upload) {
  const form = new FormData();
  form.set("file", new Blob([typeof u.content === "string" ? u.content : new Uint8Array(u.content)], { type: u.type ?? "text/csv" }), u.name ?? defaultName);
  for (const [k, v] of Object.entries(u.fields ?? {})) form.set(k, v);
  return rest(baseUrl, token).post(path, form);
}
