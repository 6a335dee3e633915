/** The only place the bench reads the environment (the repo's lint rule: configuration in env.ts). */

export const benchEnv = {
  databaseUrl: process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/clientele_bench",
  redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  /** The browser `pnpm bench admin` drives (Debian's chromium unless CHROMIUM_PATH names another). */
  chromiumPath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
};

/** The environment a child process inherits, plus its own settings. */
export function childEnv(extra: Record<string, string>): Record<string, string | undefined> {
  return { ...process.env, ...extra };
}

/** Settings bench.ts hands to baseline-server.ts. */
export function baselineEnv() {
  const url = process.env.DATABASE_URL;
  const port = Number(process.env.PORT);
  if (!url || !port) throw new Error("baseline-server needs DATABASE_URL and PORT");
  return {
    url,
    port,
    tenantId: process.env.TENANT_ID ?? "bench",
    poolSize: Number(process.env.DATABASE_POOL_SIZE ?? 20),
    // Processes (node:cluster workers), as many as the API runs (API_WORKERS).
    workers: Math.max(1, Number(process.env.BASELINE_WORKERS ?? 1)),
  };
}

/** Where profiler-preload.ts (in the API process) writes its profiles; unset: it does nothing. */
export const profilerEnv = (): string | undefined => process.env.BENCH_PROFILE_DIR;
