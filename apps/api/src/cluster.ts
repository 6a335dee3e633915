import cluster, { type Worker } from "node:cluster";
import type { Logger } from "@clientele/telemetry";
import type { ApiEnv } from "./env";
import { serveClusterMetrics } from "./http/cluster-metrics";
import type { RunningServer } from "./server";

/**
 * API_WORKERS > 1: a primary forks that many workers, each running startServer on the shared port
 * (node:cluster hands connections out round-robin, and listen(0) gives every worker the same port).
 * The primary serves nothing itself: it reports the start once, replaces a worker that dies,
 * aggregates /metrics, and on SIGTERM/SIGINT lets every worker drain before it exits.
 */

/** What a worker tells the primary about its start. */
type StartReport = { type: "clientele:listening"; url: string } | { type: "clientele:start-failed"; message: string };

const isStartReport = (message: unknown): message is StartReport =>
  typeof message === "object" && message !== null && ["clientele:listening", "clientele:start-failed"].includes((message as { type?: string }).type ?? "");

/** More deaths than this within the window is a crash loop: replacing would only repeat it. */
export const CRASH_LOOP = { deaths: 5, windowMs: 60_000 };
/** Beyond SHUTDOWN_GRACE_MS (the drain), the time a worker gets to close its pools before SIGKILL. */
const KILL_MARGIN_MS = 5_000;

const describeExit = (code: number | null, signal: string | null) => (signal ? `signal ${signal}` : `code ${code}`);

/**
 * Worker: serves until SIGTERM/SIGINT (from the primary, or the terminal's Ctrl-C), then closes as a
 * single process does. A start failure goes to the primary, which prints it once for all workers.
 */
export async function runClusterWorker(env: ApiEnv, log: Logger): Promise<void> {
  const report = (message: StartReport) => new Promise<void>((resolve) => process.send!(message, undefined, {}, () => resolve()));
  let server: RunningServer | undefined;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    // Both may arrive (Ctrl-C reaches the primary and its workers): close() runs once. A worker
    // still starting has served nothing, so it just stops.
    process.on(signal, () => {
      if (!server) process.exit(0);
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  try {
    // Loaded here, not by the primary, which serves nothing and would only spend its start-up on it.
    const { startServer } = await import("./server");
    server = await startServer(env, log);
  } catch (error) {
    await report({ type: "clientele:start-failed", message: (error as Error).message });
    process.exit(1);
  }
  await report({ type: "clientele:listening", url: server.url });
}

/**
 * Primary: resolves with the URL once every worker listens. A worker failing to start stops the
 * others and rejects with its message; after the start the primary handles exits and signals itself.
 */
export function runClusterPrimary(env: ApiEnv, log: Logger): Promise<string> {
  serveClusterMetrics();
  return new Promise<string>((resolve, reject) => {
    let started = false;
    let stopping: Promise<number> | undefined;
    const listening = new Set<number>();
    const startFailures = new Map<number, string>();
    const deaths: number[] = [];

    const fork = () => {
      const worker = cluster.fork();
      worker.on("message", (message: unknown) => {
        if (!isStartReport(message)) return;
        if (message.type === "clientele:start-failed") {
          startFailures.set(worker.id, message.message);
          return;
        }
        listening.add(worker.id);
        if (started) log.info({ pid: worker.process.pid }, "api worker replaced");
        else if (listening.size === env.API_WORKERS) {
          started = true;
          resolve(message.url);
        }
      });
    };

    /** Stops every worker (SIGKILL after the grace period); resolves with 0 if all exited cleanly. */
    const stop = () =>
      (stopping ??= new Promise<number>((done) => {
        let failed = false;
        // An exited worker stays listed until its IPC channel closes too.
        const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
        const killer = setTimeout(() => {
          for (const w of alive()) {
            log.warn({ pid: w.process.pid }, "api worker still running after the grace period; killing it");
            w.process.kill("SIGKILL");
          }
        }, env.SHUTDOWN_GRACE_MS + KILL_MARGIN_MS);
        const check = () => {
          if (alive().length > 0) return;
          clearTimeout(killer);
          done(failed ? 1 : 0);
        };
        cluster.on("exit", (_worker, code) => {
          if (code !== 0) failed = true;
          check();
        });
        for (const w of alive()) w.process.kill("SIGTERM");
        check();
      }));

    cluster.on("exit", (worker, code, signal) => {
      listening.delete(worker.id);
      const reason = startFailures.get(worker.id);
      startFailures.delete(worker.id);
      if (stopping) return;
      if (!started) {
        void stop().then(() => reject(new Error(reason ?? `an API worker exited during start (${describeExit(code, signal)})`)));
        return;
      }
      const now = Date.now();
      deaths.push(now);
      while (deaths[0]! <= now - CRASH_LOOP.windowMs) deaths.shift();
      const fields = { pid: worker.process.pid, exit: describeExit(code, signal), ...(reason ? { reason } : {}) };
      if (deaths.length > CRASH_LOOP.deaths) {
        log.error({ ...fields, deaths: deaths.length }, "api workers keep dying; stopping");
        console.error(`clientele api: ${deaths.length} workers died within ${CRASH_LOOP.windowMs / 1000} s (last: ${reason ?? describeExit(code, signal)}); stopping`);
        void stop().then(() => process.exit(1));
        return;
      }
      log.warn(fields, "api worker died; starting another");
      fork();
    });

    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.on(signal, () => {
        if (stopping) return;
        log.info({ signal }, "shutting down");
        void stop().then((code) => process.exit(code));
      });
    }
    for (let i = 0; i < env.API_WORKERS; i++) fork();
  });
}
