import cluster from "node:cluster";
import { loadEnv } from "./env";
import { createLogger } from "@clientele/telemetry";
import { runClusterPrimary, runClusterWorker } from "./cluster";

const banner = (url: string) =>
  `Clientele API on ${url}  (REST ${url}/api/v1, docs ${url}/api/v1/docs, tRPC ${url}/trpc, queues ${url}/ops/queues?token=<Admin token>)`;

try {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL, "api");
  if (env.API_WORKERS > 1 && cluster.isWorker) {
    await runClusterWorker(env, log);
  } else if (env.API_WORKERS > 1) {
    const url = await runClusterPrimary(env, log);
    log.info({ url, workers: env.API_WORKERS }, "api listening");
    console.log(banner(url));
  } else {
    const { startServer } = await import("./server");
    const server = await startServer(env, log);
    log.info({ url: server.url }, "api listening");
    console.log(banner(server.url));
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        log.info({ signal }, "shutting down");
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  }
} catch (error) {
  console.error(`clientele api: ${(error as Error).message}`);
  process.exit(1);
}
