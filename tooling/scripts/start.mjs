// `npm start`: install (only when the lockfile changed), start MariaDB/Redis when installed here,
// migrate, seed the demo tenant, then run the local mail/SMS stand-ins, the API and the worker under
// supervision. If any of them fails to start or dies, the others are stopped and this exits non-zero
// with the reason; Ctrl-C / SIGTERM stop everything gracefully.
//
// Flags (for tests and quick restarts): --skip-install (also keeps an existing admin build), --skip-migrate.
// This is a developer script outside the apps, so it reads its environment itself, here only.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const flags = new Set(process.argv.slice(2));
for (const flag of flags) {
  if (!["--skip-install", "--skip-migrate"].includes(flag)) {
    console.error(`start: unknown option ${flag} (options: --skip-install, --skip-migrate)`);
    process.exit(2);
  }
}

// A .env at the repository root (see .env.example) fills in what the shell did not set.
if (existsSync(join(root, ".env"))) process.loadEnvFile(join(root, ".env"));
const env = process.env;
const production = env.NODE_ENV === "production";
const port = env.PORT ?? "3000";
const host = !env.HOST || env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
const apiUrl = `http://${host}:${port}`;
const publicUrl = env.PUBLIC_URL ?? apiUrl;
const startTimeoutMs = Number(env.START_TIMEOUT_MS ?? 90_000);
// Local stand-ins replace providers that are not configured, never in production.
const localMail = !env.SMTP_URL && !production;
const localSms = !env.TWILIO_ACCOUNT_SID && !production;
// Outside production: any tenant's Admin opens the queue dashboard (the API's own default is nobody, so a
// deployment that forgot NODE_ENV=production does not show every tenant's jobs to every tenant), and
// the worker's metrics take a free port (9464 may be taken; the banner names the one it got).
const localApi = production ? {} : { OPS_TENANTS: env.OPS_TENANTS ?? "*" };
const localWorker = production ? {} : { WORKER_METRICS_PORT: env.WORKER_METRICS_PORT ?? "0" };
const twilio = {
  accountSid: env.TWILIO_ACCOUNT_SID ?? `AC${"0".repeat(32)}`,
  authToken: env.TWILIO_AUTH_TOKEN ?? "test-auth-token",
};

const say = (line) => console.log(`clientele: ${line}`);

/** A preparation step; its output (install progress, migrations) goes straight to the terminal. */
function step(label, command, args) {
  say(label);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...env, TURBO_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) {
    console.error(`clientele: ${label} failed (exit ${result.status ?? result.signal}); nothing was started`);
    process.exit(1);
  }
}

if (!flags.has("--skip-install")) step("checking dependencies", "bash", ["tooling/scripts/install.sh"]);
// The API serves the built admin app under /admin (apps/api/src/http/admin-app.ts). A quick restart
// (--skip-install) keeps an existing build; `pnpm --filter @clientele/admin build` refreshes it.
const adminBuilt = existsSync(join(root, "apps/admin/dist/index.html"));
if (!flags.has("--skip-install") || !adminBuilt) step("building the admin app", "bash", ["tooling/scripts/pnpm.sh", "--silent", "--filter", "@clientele/admin", "build", "--logLevel", "error"]);
step("checking MariaDB and Redis", "bash", ["tooling/scripts/ensure-services.sh"]);
if (!flags.has("--skip-migrate")) step("migrating the database", "bash", ["tooling/scripts/pnpm.sh", "--silent", "migrate"]);
const seedDemo = !["false", "0"].includes(env.SEED_DEMO ?? "");
if (seedDemo) step("seeding the demo tenant (SEED_DEMO=false skips)", "bash", ["tooling/scripts/pnpm.sh", "--silent", "seed:demo"]);

// One node process per app (tsx as a loader, not its CLI wrapper), so signals reach the app itself.
const tsxLoader = pathToFileURL(createRequire(join(root, "apps/api/package.json")).resolve("tsx")).href;
const exitWithParent = pathToFileURL(join(root, "tooling/scripts/exit-with-parent.mjs")).href;
const children = new Map();
let stopping = false;

function run(name, cwd, script, args, childEnv) {
  const proc = spawn(process.execPath, ["--import", exitWithParent, "--import", tsxLoader, script, ...args], {
    cwd: join(root, cwd),
    env: { ...env, ...childEnv },
    // Own process group: a terminal's Ctrl-C reaches only this supervisor, which stops each child once.
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const child = { name, proc, tail: [], listeners: [] };
  children.set(name, child);
  for (const stream of [proc.stdout, proc.stderr]) {
    let partial = "";
    stream.on("data", (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      for (const line of lines) {
        process.stdout.write(`[${name}] ${line}\n`);
        child.tail.push(line);
        if (child.tail.length > 15) child.tail.shift();
        for (const listener of child.listeners) listener(line);
      }
    });
  }
  // "close", not "exit": by then the last output lines (the reason it failed) have been read.
  proc.on("close", (code, signal) => {
    child.exited = true;
    if (!stopping) fail(`the ${name} exited (${signal ?? `code ${code}`})`, child);
  });
  proc.on("error", (error) => fail(`the ${name} could not be started: ${error.message}`, child));
  return child;
}

/** Resolves with the first output line matching `pattern`. */
const lineMatching = (child, pattern) =>
  new Promise((resolve) => {
    child.listeners.push((line) => {
      const match = pattern.exec(line);
      if (match) resolve(match);
    });
  });

function stopAll() {
  stopping = true;
  const living = [...children.values()].filter((c) => !c.exited);
  return Promise.all(
    living.map(
      (c) =>
        new Promise((resolve) => {
          const killer = setTimeout(() => c.proc.kill("SIGKILL"), 15_000);
          c.proc.once("close", () => {
            clearTimeout(killer);
            resolve();
          });
          c.proc.kill("SIGTERM");
        }),
    ),
  );
}

async function fail(reason, child) {
  if (stopping) return;
  const detail = child?.tail.filter((l) => l.trim()).slice(-8).join("\n  ");
  console.error(`\nclientele: ${reason}${detail ? `; its last output:\n  ${detail}` : ""}`);
  console.error("clientele: stopping everything else");
  await stopAll();
  process.exit(1);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (stopping) return;
    say(`${signal}: stopping`);
    stopAll().then(() => process.exit(0));
  });
}
// Last resort if this process ends some other way: no child outlives it.
process.on("exit", () => {
  for (const c of children.values()) if (!c.exited) c.proc.kill("SIGKILL");
});

/** `promise`, or a failure naming `what` (and carrying `child`'s last output) after the start timeout. */
async function waitFor(what, promise, child) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} within ${Math.round(startTimeoutMs / 1000)} s`), { child })), startTimeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function ready() {
  for (;;) {
    const ok = await fetch(`${apiUrl}/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

let dev = {};
try {
  if (localMail || localSms) {
    const args = [
      ...(localMail ? ["--mail", "--mail-dir", join(root, "var/mail")] : []),
      ...(localSms ? ["--sms", "--api-url", publicUrl, "--account-sid", twilio.accountSid, "--auth-token", twilio.authToken] : []),
    ];
    const services = run("dev-services", "tooling/test-doubles", "src/run-dev-services.ts", args, {});
    const [, json] = await waitFor("the dev services did not start", lineMatching(services, /^dev-services ready (\{.*\})$/), services);
    dev = JSON.parse(json);
  }
  const smsEnv = localSms ? { TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_API_BASE_URL: dev.twilioApiBaseUrl } : {};
  // The admin app links the local inboxes (its config.json says where they are).
  const inboxes = { ...(dev.mailInboxUrl ? { DEV_MAIL_INBOX_URL: dev.mailInboxUrl } : {}), ...(dev.smsInboxUrl ? { DEV_SMS_INBOX_URL: dev.smsInboxUrl } : {}) };
  const api = run("api", "apps/api", "src/main.ts", [], { PORT: port, PUBLIC_URL: publicUrl, ...localApi, ...inboxes, ...(localSms ? { TWILIO_AUTH_TOKEN: twilio.authToken } : {}) });
  const worker = run("worker", "apps/worker", "src/main.ts", [], {
    PUBLIC_URL: publicUrl,
    ...localWorker,
    ...(localMail ? { SMTP_URL: dev.smtpUrl } : {}),
    ...smsEnv,
  });
  const [workerLine] = await Promise.all([
    waitFor("the worker did not report running", lineMatching(worker, /worker running.*?(?:metrics (\S+))?$/), worker),
    waitFor(`the API did not answer ${apiUrl}/ready`, ready(), api),
  ]);
  banner(workerLine[1]);
} catch (error) {
  await fail(error.message, error.child);
}

function banner(workerMetrics) {
  const mail = dev.mailInboxUrl ? `${dev.mailInboxUrl}   (every email the worker sends: HTML, text, attachments, invitations)` : `sent through SMTP_URL`;
  const sms = dev.smsInboxUrl ? `${dev.smsInboxUrl}   (texts, delivery callbacks, simulate an incoming STOP)` : "sent through Twilio";
  console.log(`
Clientele is running.
  Admin    ${publicUrl}/admin/   (the admin web app${production ? "" : "; development sign-in: pick tenant, user and roles"})
  REST     ${apiUrl}/api/v1      (docs: ${apiUrl}/api/v1/docs)
  tRPC     ${apiUrl}/trpc
  Queues   ${apiUrl}/ops/queues?token=<Admin token>   (failed jobs with their reasons, retry)
  Health   ${apiUrl}/ready, metrics at ${apiUrl}/metrics${workerMetrics ? `, worker metrics at ${workerMetrics}` : ""}
  Mail     ${mail}
  SMS      ${sms}
  Demo     ${!seedDemo ? "not seeded (SEED_DEMO=false); seed with: pnpm seed:demo" : 'tenant "demo" (re-run: pnpm seed:demo)'}
Get a development token (another terminal, in this folder) for the demo's Admin, whose notices reach the mail inbox:
  TOKEN=$(npm run --silent token -- --tenant demo --role Admin --user u-alex-morgan --name "Alex Morgan" --email alex.morgan@clientele-demo.example)
  curl -H "Authorization: Bearer $TOKEN" "${apiUrl}/api/v1/customers/search"
  open "${apiUrl}/ops/queues?token=$TOKEN"
Stop with Ctrl-C.
`);
}
