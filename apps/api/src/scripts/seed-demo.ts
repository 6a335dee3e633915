import { parseArgs } from "node:util";
import { createDb } from "@clientele/db";
import { createLogger } from "@clientele/telemetry";
import { DEMO_TENANT, readSeedMarker } from "../demo/seed-marker";
import { loadEnv } from "../env";

const USAGE = `Usage: pnpm seed:demo [--tenant demo] [--quiet]

Seeds a demo tenant through the API's own procedures: 300 customers of every type with contacts,
tags, calls, meetings, emails, texts, complaints in every status, testimonials, templates,
follow-ups, complaint settings and one staff user per role (with name and email).

Idempotent: a finished seed marks the tenant and later runs do nothing; a run that was stopped
half-way is completed by the next one without duplicating anything.
  --tenant   tenant id to seed (default ${DEMO_TENANT})
  --quiet    print one line instead of the summary and the token commands
In production (NODE_ENV=production) it seeds only with SEED_DEMO=true.`;

let values: { tenant: string; quiet: boolean; help: boolean };
try {
  ({ values } = parseArgs({
    options: { tenant: { type: "string", default: DEMO_TENANT }, quiet: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  }));
} catch (error) {
  console.error(`seed:demo: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const env = loadEnv();
  if (!env.SEED_DEMO) {
    console.log("seed:demo: skipped (set SEED_DEMO=true to seed demo data in production)");
    process.exit(0);
  }
  // Every `npm start` asks: a seeded tenant is seen from its marker, without loading the app.
  const { db } = createDb({ url: env.DATABASE_URL, poolSize: 1 });
  const marker = await readSeedMarker(db, values.tenant).finally(() => db.destroy());
  if (marker) {
    console.log(`seed:demo: tenant "${values.tenant}" was seeded at ${marker.seededAt}; nothing to do`);
    process.exit(0);
  }
  const [{ startServer }, { seedDemo, tokenCommands }] = await Promise.all([import("../server"), import("../demo/seed-demo")]);
  // The API's own dependencies (database, cache, queues, limiters), built exactly as the server
  // builds them; it listens on a free loopback port for the few seconds the seed takes.
  const server = await startServer({ ...env, PORT: 0, HOST: "127.0.0.1" }, createLogger("warn", "seed-demo"));
  try {
    const result = await seedDemo(server.deps, {
      tenantId: values.tenant,
      onProgress: (done, total) => {
        if (!values.quiet && done % 100 === 0) console.log(`seed:demo: ${done}/${total} customers`);
      },
    });
    if (result.status === "already-seeded") {
      console.log(`seed:demo: tenant "${result.tenantId}" was seeded at ${result.seededAt}; nothing to do`);
    } else {
      const written = Object.entries(result.written).map(([kind, n]) => `${n} ${kind}`).join(", ");
      console.log(`seed:demo: tenant "${result.tenantId}" seeded in ${(result.ms / 1000).toFixed(1)} s (${written || "nothing was missing"})`);
      for (const w of result.warnings) console.warn(`seed:demo: warning: ${w}`);
      if (!values.quiet) {
        console.log("Tokens for the demo staff (name and email claims keep their notices flowing):");
        for (const { user, command } of tokenCommands(result.tenantId)) console.log(`  ${user.roles.join(",").padEnd(16)} ${command}`);
      }
    }
  } finally {
    await server.close();
  }
} catch (error) {
  console.error(`seed:demo: ${(error as Error).message}`);
  process.exit(1);
}
