import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sharedEnv, streamPrefix } from "./harness";

const workerDir = fileURLToPath(new URL("../../worker", import.meta.url));

export type WorkerProcess = { proc: ChildProcess; stop: () => Promise<void>; kill: () => Promise<void>; output: () => string; metricsUrl: () => string };

/** The real worker (apps/worker) as a child process, so a test can SIGKILL it mid-job. */
export async function startWorker(overrides: Record<string, string> = {}): Promise<WorkerProcess> {
  // One node process (tsx as a loader, not its CLI wrapper), so SIGKILL really kills the worker.
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workerDir,
    env: {
      ...process.env,
      ...sharedEnv(),
      STREAM_PREFIX: streamPrefix(),
      LOG_LEVEL: "warn",
      JOB_LOCK_MS: "2000",
      STALLED_INTERVAL_MS: "1000",
      SWEEP_INTERVAL_MS: "1000",
      // Once a year: on the shared database the tests drive escalation sweeps with their own clocks.
      ESCALATION_CRON: "0 0 1 1 *",
      LOYALTY_CRON: "0 0 1 1 *",
      INACTIVITY_CRON: "0 0 1 1 *",
      // A free port each: test files run workers side by side.
      WORKER_METRICS_PORT: "0",
      ...overrides,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 20_000);
    proc.stdout!.on("data", () => {
      if (out.includes("worker running")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once("exit", (code) => reject(new Error(`worker exited with ${code}:\n${out}`)));
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    proc,
    output: () => out,
    metricsUrl: () => /metrics (http:\/\/\S+\/metrics)/.exec(out)?.[1] ?? "",
    stop: async () => {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await exited;
    },
    kill: async () => {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
}
