import { loadEnv } from "./env";
import { createLogger } from "@clientele/telemetry";
import { startServer } from "./server";

try {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL, "api");
  const server = await startServer(env, log);
  log.info({ url: server.url }, "api listening");
  console.log(`Clientele API on ${server.url}  (REST ${server.url}/api/v1, docs ${server.url}/api/v1/docs, tRPC ${server.url}/trpc, queues ${server.url}/ops/queues?token=<Admin token>)`);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      log.info({ signal }, "shutting down");
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
} catch (error) {
  console.error(`clientele api: ${(error as Error).message}`);
  process.exit(1);
}
