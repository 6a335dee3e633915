import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dropDatabase } from "@clientele/db";
import { startSmtpServer, startTwilioStandIn, type SmtpTestServer, type TwilioStandIn } from "@clientele/test-doubles";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectOutput } from "./child-output";
import { customerBody, databaseUrl, newTenant, rest } from "./harness";
import { signDevToken } from "../src/auth/dev-token";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const apiDir = join(root, "apps/api");
const workerDir = join(root, "apps/worker");
const TWILIO = { accountSid: `AC${"0".repeat(31)}7`, authToken: "build-test-auth-token" };

/** Production-like processes: plain node on the bundles, no tsx loader anywhere. */
function node(cwd: string, script: string, env: Record<string, string>, args: string[] = []) {
  const proc = spawn(process.execPath, [script, ...args], { cwd, env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const { exited, output, waitFor } = collectOutput(proc);
  return { proc, line: (pattern: RegExp) => waitFor(pattern, 30_000), exited, output };
}

const env = () => ({
  DATABASE_URL: `${databaseUrl()}_build`,
  FILES_DIR: files,
  QUEUE_PREFIX: `build-${process.pid}`,
  STREAM_PREFIX: `build-${process.pid}:`,
  TWILIO_AUTH_TOKEN: TWILIO.authToken,
  LOG_LEVEL: "warn",
});
const files = mkdtempSync(join(tmpdir(), "clientele-build-files-"));
let smtp: SmtpTestServer;
let twilio: TwilioStandIn;
const running: ChildProcess[] = [];

beforeAll(async () => {
  for (const dir of [apiDir, workerDir]) {
    const build = spawnSync(join(dir, "node_modules/.bin/tsdown"), { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(build.status, build.stdout + build.stderr).toBe(0);
  }
  [smtp, twilio] = await Promise.all([startSmtpServer(), startTwilioStandIn(TWILIO)]);
}, 120_000);
afterAll(async () => {
  for (const proc of running) if (proc.exitCode === null) proc.kill("SIGKILL");
  await Promise.all([smtp?.close(), twilio?.close()]);
  await dropDatabase(`${databaseUrl()}_build`);
  rmSync(files, { recursive: true, force: true });
});

describe("pnpm build", () => {
  it("emits JavaScript bundles with the workspace packages inlined", () => {
    for (const file of ["apps/api/dist/main.js", "apps/api/dist/migrate.js", "apps/api/dist/token.js", "apps/worker/dist/main.js"]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
  });

  it("runs in production form: node dist/migrate.js, dist/main.js and the worker's dist/main.js send mail and SMS", async () => {
    const migrate = node(apiDir, "dist/migrate.js", env());
    expect(await migrate.exited, migrate.output()).toBe(0);
    expect(migrate.output()).toContain("database migrated to latest");

    const api = node(apiDir, "dist/main.js", { ...env(), PORT: "0" });
    running.push(api.proc);
    const [, url] = await api.line(/Clientele API on (http:\/\/\S+)/);
    const worker = node(workerDir, "dist/main.js", {
      ...env(),
      WORKER_METRICS_PORT: "0",
      ESCALATION_CRON: "0 0 1 1 *",
      SMTP_URL: smtp.url,
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_API_BASE_URL: twilio.url,
    });
    running.push(worker.proc);
    await worker.line(/worker running/);

    expect((await fetch(`${url}/ready`)).status).toBe(200);
    // swagger-ui-dist's assets are still found from the bundle.
    const docs = await fetch(`${url}/api/v1/docs/`).then((r) => r.text());
    const css = /href="([^"]+swagger-ui\.css)"/.exec(docs)?.[1];
    expect(css).toBeDefined();
    expect((await fetch(new URL(css!, url))).status).toBe(200);

    // The bundled token script signs what the bundled API accepts.
    const tenant = newTenant();
    const tokenRun = node(apiDir, "dist/token.js", env(), ["--tenant", tenant, "--role", "SalesRep"]);
    expect(await tokenRun.exited).toBe(0);
    const api1 = rest(url!, tokenRun.output().trim());
    const phone = "+14155552671";
    const body = customerBody({ companyName: "Bundled Ltd", primaryPhone: phone });
    const customer = await api1.post("/customers", body);
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
    expect((await api1.get(`/customers/${customer.body.id}`)).body.id).toBe(customer.body.id);

    expect((await api1.post(`/customers/${customer.body.id}/communications/email`, { subject: "From the bundle", body: "Hello" })).status).toBe(201);
    expect((await api1.post(`/customers/${customer.body.id}/communications/sms`, { message: "From the bundle" })).status).toBe(201);
    expect((await smtp.waitFor((m) => m.subject === "From the bundle", 20_000)).to).toEqual([body.primaryEmail]);
    expect((await twilio.waitFor((m) => m.to === phone, 20_000)).body).toBe("From the bundle");

    // A wrong secret is refused: the token check itself runs from the bundle.
    const forged = await signDevToken({ secret: "x".repeat(40), issuer: "clientele", audience: "clientele-api", tenantId: tenant, userId: "u", roles: ["Admin"] });
    expect((await rest(url!, forged).get("/customers/search")).status).toBe(401);

    worker.proc.kill("SIGTERM");
    api.proc.kill("SIGTERM");
    expect(await worker.exited, worker.output()).toBe(0);
    expect(await api.exited, api.output()).toBe(0);
  }, 90_000);
});
