import os from "node:os";
import { parseArgs } from "node:util";
import type { Pacing } from "./run-load";
import type { IndexMode, Loader } from "./seed";

export const SCENARIO_GROUPS = ["get", "search", "fuzzy", "phone", "create"] as const;
export type ScenarioGroup = (typeof SCENARIO_GROUPS)[number];

export type BenchArgs = {
  customers: number;
  duration: number;
  warmup: number;
  connections: number;
  reseed: boolean;
  only: ScenarioGroup[];
  loader: Loader;
  parallel: number;
  indexes: IndexMode;
  pacing: Pacing;
  bufferPoolMb: number;
  rateLimit: boolean;
  /** Directory for a CPU profile of the API per measured scenario; undefined: no profiling. */
  profile: string | undefined;
  /** API_WORKERS for the API; the baseline runs as many processes. */
  apiWorkers: number;
  /** Times the scenario list runs against the same processes; medians are reported. */
  runs: number;
  databaseUrl: string;
  redisUrl: string;
};

const USAGE = `usage: pnpm bench [--customers N] [--duration S] [--connections C] [--reseed] [--only get,search,fuzzy,phone,create] [--runs N] [--api-workers N]
       pnpm bench comms|complaints|merge|bulk [--runs N] [--api-workers N]
       pnpm bench import
       pnpm bench dedup [--customers N] [--runs N]
       pnpm bench admin [--customers N] [--runs N]
       pnpm bench value [--rate N] [--duration S] [--customers N] [--ledger N] [--runs N]
       pnpm bench segments [--duration S] [--customers N]   (tracking ingest S seconds; analytics over N customers, default 100000)
  --customers N     customers to seed for tenant 'bench' (default 100000)
  --duration S      seconds per measured scenario (default 10); each has a warm-up first
  --warmup S        warm-up seconds per scenario (default: duration / 3, at least 1)
  --connections C   concurrent connections (default 48)
  --reseed          recreate the bench database and reload even if enough customers exist
  --only LIST       comma-separated subset of get,search,fuzzy,phone,create
  --loader L        infile (LOAD DATA LOCAL, default) or insert (multi-row INSERTs)
  --parallel P      parallel load streams (default 2)
  --indexes M       auto (default), rebuild or keep: drop secondary indexes during the load and rebuild after
  --pacing P        smooth (default) or overall-rate (autocannon's per-second quotas) for the @rate scenarios
  --buffer-pool-mb N  grow MySQL's InnoDB buffer pool to N MB for the run if it is smaller, restored after
                    (default 2048; 0 leaves the server alone). A 1M-customer tenant is ~1.5 GB: with
                    MariaDB's 128 MB default every search reads from disk, which no deployment would do.
  --no-rate-limit   run the API with RATE_LIMIT_ENABLED=false (default: the limiter is on, with budgets
                    too large to throttle the run, so its overhead is part of what is measured)
  --profile DIR     CPU-profile the API during each measured run (not the warm-up): DIR/<n>-<scenario>.cpuprofile
                    (open in Chrome DevTools or speedscope) and its top frames printed after the results;
                    profiles one process, so --api-workers defaults to 1 with it
  --api-workers N   API_WORKERS for the API (default: the number of CPUs); the baseline runs N processes too
  --runs N          run the scenario list N times against the same processes (default 1) and judge the
                    targets on the medians; each run's target figures are printed too
env: DATABASE_URL (default mysql://root@127.0.0.1:3306/clientele_bench), REDIS_URL (default redis://127.0.0.1:6379)`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${raw}"`);
  return n;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly usage = USAGE;
}

export function parseBenchArgs(argv: string[], env: { databaseUrl: string; redisUrl: string }): BenchArgs | "help" {
  // `pnpm bench -- --flag` hands the separator through; it means nothing here.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        customers: { type: "string" },
        duration: { type: "string" },
        warmup: { type: "string" },
        connections: { type: "string" },
        reseed: { type: "boolean", default: false },
        only: { type: "string" },
        loader: { type: "string" },
        parallel: { type: "string" },
        indexes: { type: "string" },
        pacing: { type: "string" },
        "buffer-pool-mb": { type: "string" },
        "no-rate-limit": { type: "boolean", default: false },
        profile: { type: "string" },
        "api-workers": { type: "string" },
        runs: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const duration = positiveInt("duration", values.duration, 10);
  const only = values.only ? values.only.split(",").map((s) => s.trim()).filter(Boolean) : [...SCENARIO_GROUPS];
  const unknown = only.filter((s) => !(SCENARIO_GROUPS as readonly string[]).includes(s));
  if (unknown.length) throw new UsageError(`--only: unknown scenario(s) ${unknown.join(", ")}; choose from ${SCENARIO_GROUPS.join(", ")}`);
  const loader = values.loader ?? "infile";
  if (loader !== "infile" && loader !== "insert") throw new UsageError(`--loader must be infile or insert`);
  const indexes = values.indexes ?? "auto";
  if (indexes !== "auto" && indexes !== "rebuild" && indexes !== "keep") throw new UsageError(`--indexes must be auto, rebuild or keep`);
  const pacing = values.pacing ?? "smooth";
  if (pacing !== "smooth" && pacing !== "overall-rate") throw new UsageError(`--pacing must be smooth or overall-rate`);
  const apiWorkers = positiveInt("api-workers", values["api-workers"], values.profile ? 1 : os.cpus().length);
  if (values.profile && apiWorkers > 1) throw new UsageError("--profile profiles one API process: use it with --api-workers 1 (its default)");
  return {
    customers: positiveInt("customers", values.customers, 100_000),
    duration,
    warmup: positiveInt("warmup", values.warmup, Math.max(1, Math.round(duration / 3))),
    connections: positiveInt("connections", values.connections, 48),
    reseed: values.reseed,
    only: only as ScenarioGroup[],
    loader,
    parallel: positiveInt("parallel", values.parallel, 2),
    indexes,
    pacing,
    bufferPoolMb: values["buffer-pool-mb"] === "0" ? 0 : positiveInt("buffer-pool-mb", values["buffer-pool-mb"], 2048),
    rateLimit: !values["no-rate-limit"],
    profile: values.profile,
    apiWorkers,
    runs: positiveInt("runs", values.runs, 1),
    databaseUrl: env.databaseUrl,
    redisUrl: env.redisUrl,
  };
}

export type SuiteArgs = {
  runs: number;
  apiWorkers: number;
  /** dedup: customers to seed (default 100,000); value: customers the payments go to (default 2,000) */ customers?: number;
  /** value: payments published per second (default 6,000) */ rate?: number;
  /** value: seconds of publishing (default 10) */ duration?: number;
  /** value: customers of the LTV check and loyalty run, 10 transactions each (default 100,000) */ ledger?: number;
};
/** What a suite is given: its flags and where its database and Redis are. */
export type SuiteOptions = SuiteArgs & { databaseUrl: string; redisUrl: string };

/** The flags of `pnpm bench comms|complaints`: what follows the suite's name. */
export function parseSuiteArgs(suite: string, argv: string[]): SuiteArgs | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.filter((a) => a !== "--" && a !== suite),
      strict: true,
      options: {
        runs: { type: "string" },
        "api-workers": { type: "string" },
        customers: { type: "string" },
        rate: { type: "string" },
        duration: { type: "string" },
        ledger: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${suite}: ${(error as Error).message}`);
  }
  if (values.help) return "help";
  if ((values.rate !== undefined || values.ledger !== undefined) && suite !== "value") throw new UsageError(`${suite}: --rate and --ledger are for the value suite`);
  if (values.duration !== undefined && suite !== "value" && suite !== "segments") throw new UsageError(`${suite}: --duration is for the value and segments suites`);
  return {
    runs: positiveInt("runs", values.runs, 1),
    apiWorkers: positiveInt("api-workers", values["api-workers"], os.cpus().length),
    ...(values.customers === undefined ? {} : { customers: positiveInt("customers", values.customers, 1) }),
    ...(values.rate === undefined ? {} : { rate: positiveInt("rate", values.rate, 1) }),
    ...(values.duration === undefined ? {} : { duration: positiveInt("duration", values.duration, 1) }),
    ...(values.ledger === undefined ? {} : { ledger: positiveInt("ledger", values.ledger, 1) }),
  };
}
