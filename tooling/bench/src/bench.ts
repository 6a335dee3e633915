/**
 * `pnpm bench`: seeds the bench tenant, starts the API (and a bare node:http + mysql2 baseline)
 * as child processes, drives them over loopback with autocannon and prints rps and latency
 * percentiles per scenario with the targets of the performance issue.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signDevToken } from "@clientele/api/dev-token";
import { splitDatabaseUrl } from "@clientele/db";
import { createConnection, type RowDataPacket } from "mysql2/promise";
import { parseBenchArgs, parseSuiteArgs, UsageError, type BenchArgs, type SuiteOptions } from "./args";
import { BenchCache } from "./bench-cache";
import { freePort, startTsProcess, type Child } from "./child-process";
import { benchEnv } from "./env";
import { descendants, loadAverage, watchOtherLoad } from "./machine-load";
import { measure } from "./run-load";
import { addRatios, evaluateTargets, medianRows, resultsTable, rps, targetsTable, type ScenarioRow } from "./report";
import { buildScenarios } from "./scenarios";
import { createBenchPool, seed } from "./seed";
import { summarizeFile } from "./profile-summary";

const TENANT = "bench";
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const log = (line: string) => console.log(line);
const fmt = (n: number) => n.toLocaleString("en-US");

/** Asked of the server, not the database, which may not exist yet. */
async function serverInfo(url: string): Promise<string> {
  const pool = createBenchPool(url, 1);
  try {
    const [[row]] = await pool.query<RowDataPacket[]>("SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp");
    return `MariaDB ${String(row?.v)}, innodb_buffer_pool_size ${Math.round(Number(row?.bp) / 2 ** 20)} MB`;
  } finally {
    await pool.end();
  }
}

/** Live (not deactivated) ids: deactivated ones answer 404 through the API. */
async function loadIds(url: string): Promise<string[]> {
  const pool = createBenchPool(url, 1);
  try {
    const [rows] = await pool.query<RowDataPacket[]>({ sql: "SELECT id FROM customers WHERE tenant_id = ? AND is_deleted = 0", rowsAsArray: true }, [TENANT]);
    return rows.map((r) => String((r as unknown as [string])[0]));
  } finally {
    await pool.end();
  }
}

/**
 * Waits until the API is idle again before the next scenario: when clients give up (timeouts,
 * end of a run) the API still holds their requests, queued for a pool connection or running in
 * MySQL, and would serve them during the next scenario. Queries of this database running longer
 * than 2 s are killed (their clients are gone); done when /ready, which queues for the same
 * pool, answers within 100 ms and MySQL is idle.
 */
async function drain(dbUrl: string, api: Child, scenario: string): Promise<void> {
  const pool = createBenchPool(dbUrl, 1);
  const started = performance.now();
  let killed = 0;
  try {
    for (;;) {
      const [rows] = await pool.query<RowDataPacket[]>(
        "SELECT ID AS id, TIME_MS AS ms FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query' AND ID <> CONNECTION_ID()",
      );
      for (const r of rows.filter((x) => Number(x.ms) > 2_000)) {
        await pool.query(`KILL QUERY ${Number(r.id)}`).catch(() => undefined);
        killed++;
      }
      const t = performance.now();
      if (!api.alive()) throw new Error(`the API exited during ${scenario}:\n  ${api.output()}`);
      const ready = await fetch(`${api.url}/ready`, { signal: AbortSignal.timeout(5_000) }).then(
        (res) => res.ok,
        () => false,
      );
      if (rows.length === 0 && ready && performance.now() - t < 100) break;
      if (performance.now() - started > 300_000) throw new Error(`the API did not become idle within 5 minutes after ${scenario}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const waited = (performance.now() - started) / 1000;
    if (waited > 1 || killed) log(`  (after ${scenario}: waited ${waited.toFixed(1)} s for the API to go idle${killed ? `, killed ${killed} abandoned queries` : ""})`);
  } finally {
    await pool.end();
  }
}

/** Fails fast, with the response body, when a scenario's request is not answered with 2xx. */
async function probe(name: string, url: string, init: RequestInit = {}): Promise<void> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${name}: ${init.method ?? "GET"} ${url} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
}

async function main(args: BenchArgs): Promise<number> {
  const { database, serverUrl } = splitDatabaseUrl(args.databaseUrl);
  // Seeding drops and recreates this database: never point it at one that holds real work.
  if (!/bench/i.test(database)) throw new UsageError(`refusing to use database "${database}": the bench drops and recreates it, so its name must contain "bench"`);

  log(`clientele bench: ${os.cpus().length} CPUs, Node ${process.version}, ${await serverInfo(serverUrl)}`);
  log(`database ${database}, tenant '${TENANT}', ${fmt(args.customers)} customers, ${args.duration} s per scenario after ${args.warmup} s warm-up, ${args.connections} connections${args.runs > 1 ? `, ${args.runs} runs` : ""}`);
  log(`processes: API_WORKERS=${args.apiWorkers} for the API, ${args.apiWorkers} baseline process${args.apiWorkers > 1 ? "es (node:cluster)" : ""}`);

  const restorePool = await growBufferPool(serverUrl, args.bufferPoolMb);
  try {
    return await runBench(args);
  } finally {
    await restorePool();
  }
}

/** Grows the InnoDB buffer pool for the run (MariaDB and MySQL resize it online); returns the undo. */
async function growBufferPool(serverUrl: string, mb: number): Promise<() => Promise<void>> {
  if (mb === 0) return async () => undefined;
  const conn = await createConnection({ uri: serverUrl });
  try {
    const [[row]] = await conn.query<RowDataPacket[]>("SELECT @@innodb_buffer_pool_size AS size");
    const before = Number(row?.size);
    if (before >= mb * 1024 * 1024) return async () => undefined;
    await conn.query(`SET GLOBAL innodb_buffer_pool_size = ${mb * 1024 * 1024}`);
    log(`mysql: innodb_buffer_pool_size ${Math.round(before / 1024 / 1024)} MB → ${mb} MB for this run (--buffer-pool-mb 0 leaves it)`);
    return async () => {
      const c = await createConnection({ uri: serverUrl });
      try {
        await c.query(`SET GLOBAL innodb_buffer_pool_size = ${before}`);
      } finally {
        await c.end();
      }
    };
  } catch (error) {
    log(`mysql: could not resize the buffer pool (${(error as Error).message}); measuring as the server is`);
    return async () => undefined;
  } finally {
    await conn.end();
  }
}

async function runBench(args: BenchArgs): Promise<number> {
  const seeded = await seed({
    url: args.databaseUrl,
    tenantId: TENANT,
    customers: args.customers,
    reseed: args.reseed,
    loader: args.loader,
    parallel: args.parallel,
    indexes: args.indexes,
    log,
  });
  if (seeded.seeded) log(`seed: ${fmt(seeded.rows)} customers in ${seeded.seconds.toFixed(1)} s overall = ${fmt(Math.round(seeded.rowsPerSecond))} rows/s (load + index build + analyze)`);

  const ids = await loadIds(args.databaseUrl);
  if (ids.length < 10) throw new Error(`only ${ids.length} live customers: seed at least a few dozen`);
  const cache = new BenchCache(args.redisUrl, args.databaseUrl, TENANT);
  await cache.connect();
  const children: Child[] = [];
  const stopAll = async () => {
    await Promise.allSettled(children.splice(0).map((c) => c.stop()));
    cache.close();
  };
  process.once("SIGINT", () => {
    log("\ninterrupted: stopping the API and the baseline");
    void stopAll().finally(() => process.exit(130));
  });

  try {
    log(`cache: removed ${fmt(await cache.clearCustomers())} cached customers of tenant '${TENANT}' left by earlier runs`);
    const secret = randomBytes(32).toString("hex");
    const apiPort = await freePort();
    const api = await startTsProcess({
      name: "API",
      entry: path.join(REPO, "apps/api/src/main.ts"),
      cwd: path.join(REPO, "apps/api"),
      port: apiPort,
      readyPath: "/ready",
      ...(args.profile ? { nodeArgs: ["--import", import.meta.resolve("./profiler-preload.ts")] } : {}),
      env: {
        ...(args.profile ? { BENCH_PROFILE_DIR: path.resolve(args.profile) } : {}),
        NODE_ENV: "development",
        DATABASE_URL: args.databaseUrl,
        REDIS_URL: args.redisUrl,
        PORT: String(apiPort),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        JWT_SECRET: secret,
        JWT_ISSUER: "clientele",
        JWT_AUDIENCE: "clientele-api",
        CACHE_ENABLED: "true",
        // Keeps its job queues apart from a developer's worker on the same Redis.
        QUEUE_PREFIX: "bull-bench",
        // On by default so its cost is in the numbers; budgets far above what a run can spend.
        RATE_LIMIT_ENABLED: String(args.rateLimit),
        RATE_LIMIT_PER_USER_PER_HOUR: "1000000000",
        RATE_LIMIT_PER_TENANT_PER_HOUR: "1000000000",
        RATE_LIMIT_PER_IP_PER_HOUR: "1000000000",
        RATE_LIMIT_EXPENSIVE_PER_USER_PER_HOUR: "1000000000",
        SHUTDOWN_GRACE_MS: "2000",
        API_WORKERS: String(args.apiWorkers),
      },
    });
    children.push(api);
    const token = await signDevToken({
      secret,
      issuer: "clientele",
      audience: "clientele-api",
      tenantId: TENANT,
      userId: "bench-runner",
      roles: ["Admin"],
      expiresIn: "12h",
    });
    const auth = { authorization: `Bearer ${token}` };
    // A node:cluster API is a primary with a worker process each; until the API reads
    // API_WORKERS it is one process, which the header says, so a ratio is not misread.
    const apiWorkers = descendants(api.pid).length;
    const apiProcesses = apiWorkers ? `${apiWorkers} worker process${apiWorkers > 1 ? "es" : ""} under a primary` : "1 process";
    log(`API: ${api.url} (API_WORKERS=${args.apiWorkers}: ${apiProcesses}; cache on, default pool size per process, rate limiter ${args.rateLimit ? "on" : "off"})`);

    const baselinePort = await freePort();
    const baseline = await startTsProcess({
      name: "baseline",
      entry: fileURLToPath(new URL("./baseline-server.ts", import.meta.url)),
      cwd: path.join(REPO, "tooling/bench"),
      port: baselinePort,
      readyPath: "",
      // Printed once every cluster worker listens.
      readyLine: "baseline listening",
      env: { DATABASE_URL: args.databaseUrl, PORT: String(baselinePort), TENANT_ID: TENANT, BASELINE_WORKERS: String(args.apiWorkers) },
    });
    children.push(baseline);
    log(`baseline: ${baseline.url} (node:http + mysql2, ${args.apiWorkers > 1 ? `${args.apiWorkers} cluster workers, ` : "1 process, "}the API's pool options and size per process)`);

    const scenarios = buildScenarios({
      ids,
      apiUrl: api.url,
      baselineUrl: baseline.url,
      auth,
      only: args.only,
      connections: args.connections,
      hooks: {
        primeHotSet: async (hot) => {
          for (let i = 0; i < hot.length; i += 50) {
            await Promise.all(hot.slice(i, i + 50).map((id) => probe("prime", `${api.url}/api/v1/customers/${id}`, { headers: auth })));
          }
          log(`cache: ${fmt(await cache.cachedCount(hot))}/${fmt(hot.length)} hot customers cached before the cached scenarios`);
        },
        retireSearches: () => cache.retireSearches(),
        clearCustomers: async () => {
          log(`cache: removed ${fmt(await cache.clearCustomers())} cached customers of tenant '${TENANT}' for this run's uncached reads`);
        },
      },
    });

    // One request of each kind must succeed before load is put on it.
    const probed = new Set<string>();
    for (const s of scenarios) {
      const key = `${s.group} ${s.spec.url}`;
      if (probed.has(key)) continue;
      probed.add(key);
      const r = s.spec.next();
      await probe(s.name, s.spec.url + r.path, {
        method: r.method,
        headers: r.body === undefined ? s.spec.headers : { ...s.spec.headers, "content-type": "application/json" },
        ...(r.body === undefined ? {} : { body: r.body }),
      });
    }

    const notes: string[] = [];
    const profiles: string[] = [];
    if (args.profile) mkdirSync(args.profile, { recursive: true });
    // SIGUSR2 toggles the profiler in the API (profiler-preload.ts), which names each file by count.
    const profiled = (scenario: string) => {
      const dir = path.resolve(args.profile!);
      const n = profiles.length + 1;
      return {
        start: async () => void process.kill(api.pid, "SIGUSR2"),
        stop: async () => {
          process.kill(api.pid, "SIGUSR2");
          const written = path.join(dir, `${n}.cpuprofile`);
          const deadline = Date.now() + 60_000;
          while (!api.output().includes(`profile written: ${written}`)) {
            if (Date.now() > deadline) throw new Error(`the API wrote no profile for ${scenario}`);
            await new Promise((r) => setTimeout(r, 100));
          }
          const file = path.join(dir, `${n}-${scenario.replace(/[^A-Za-z0-9]+/g, "-")}.cpuprofile`);
          renameSync(written, file);
          profiles.push(file);
        },
      };
    };
    let warmupFailures = 0;
    const runs: ScenarioRow[][] = [];
    // Peak share of the CPUs other processes used during one scenario, over all runs.
    let othersPeak = 0;
    log(`machine: load average ${loadAverage()} before the runs`);
    const othersOverall = watchOtherLoad(children.map((c) => c.pid));
    const started = performance.now();
    for (let run = 1; run <= args.runs; run++) {
      const label = args.runs > 1 ? `run ${run}/${args.runs}, ` : "";
      if (args.runs > 1) log(`run ${run} of ${args.runs}`);
      const rows: ScenarioRow[] = [];
      for (const s of scenarios) {
        await s.before?.();
        process.stdout.write(`running ${s.name} ... `);
        const connections = s.spec.connections ?? args.connections;
        const otherLoad = watchOtherLoad(children.map((c) => c.pid));
        const { warmup, result } = await measure(
          { ...s.spec, connections, duration: args.duration, warmup: args.warmup, pacing: args.pacing },
          args.profile ? profiled(`${label}${s.name}`) : undefined,
        );
        // Other work on this small machine (a test run, a build) skews every figure: say so.
        const others = otherLoad();
        if (others !== undefined) othersPeak = Math.max(othersPeak, others);
        if (others !== undefined && others > 0.1) notes.push(`${label}${s.name}: other processes used ${(others * 100).toFixed(0)}% of the CPUs during it; its figures are unreliable`);
        warmupFailures += warmup.errors + warmup.non2xx;
        log(`${rps(result.rps)} rps, p95 ${result.p95.toFixed(1)} ms${result.non2xx || result.errors ? `, status ${JSON.stringify(result.statusCodes)}, ${result.errors} errors` : ""}`);
        const note = s.note?.();
        if (note) notes.push(`${label}${s.name}: ${note}`);
        if (result.late > 0) notes.push(`${label}${s.name}: ${fmt(result.late)} requests left late (their connection was still busy); the wait is counted in their latency`);
        rows.push({ name: s.name, connections, result });
        await drain(args.databaseUrl, api, s.name);
      }
      addRatios(rows);
      runs.push(rows);
    }
    const othersShare = othersOverall();
    const minutes = (performance.now() - started) / 60_000;
    const rows = medianRows(runs);
    const targets = evaluateTargets(rows, seeded.rows);

    log("");
    if (args.runs > 1) log(`medians of ${args.runs} runs (rps, p50, p95, p99, max and API/baseline each the median of the runs' values; requests, non-2xx and errors summed):`);
    log(resultsTable(rows));
    log("");
    log("rps = responses per second; latencies from autocannon's per-response timings (exact percentiles, not p97.5)");
    log(`@N rows: an offered load of N requests/s (${args.pacing} pacing); other rows: their connections send as fast as answers come`);
    log("API/baseline: the API's throughput as a share of its bare node:http + mysql2 counterpart's (same SQL, same inserts), and its p95 as a multiple");
    log(`machine: load average ${loadAverage()} after ${minutes.toFixed(1)} min of runs; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs meanwhile (${(othersPeak * 100).toFixed(0)}% at most during one scenario)`);
    for (const n of notes) log(`note: ${n}`);
    log("");
    log(`targets of issue 9${args.runs > 1 ? `, judged on the medians of ${args.runs} runs, each run's figure below` : ""}; informational, the exit code only reflects errors and non-2xx responses:`);
    log(targetsTable(targets, runs.map((r) => evaluateTargets(r, seeded.rows))));
    for (const file of profiles) log(`\nprofile of the API, ${path.basename(file)}:\n${summarizeFile(file)}`);
    if (seeded.seeded) log(`\nseeding: ${fmt(seeded.rows)} rows at ${fmt(Math.round(seeded.rowsPerSecond))} rows/s overall`);

    const failed = rows.filter((r) => r.result.errors > 0 || r.result.non2xx > 0);
    if (failed.length || warmupFailures) {
      log(`\nFAILED: errors or non-2xx responses in ${failed.map((r) => r.name).join(", ") || "warm-up runs"}`);
      for (const r of failed) log(`  ${r.name}: status ${JSON.stringify(r.result.statusCodes)}, ${r.result.errors} errors`);
      return 1;
    }
    return 0;
  } finally {
    await stopAll();
  }
}

const SUITES: Record<string, () => Promise<(o: SuiteOptions) => Promise<number>>> = {
  import: async () => (await import("./suites/import-suite")).runImportSuite,
  comms: async () => (await import("./suites/comms-suite")).runCommsSuite,
  complaints: async () => (await import("./suites/complaints-suite")).runComplaintsSuite,
  dedup: async () => (await import("./suites/dedup-suite")).runDedupSuite,
  merge: async () => (await import("./suites/merge-suite")).runMergeSuite,
  bulk: async () => (await import("./suites/bulk-suite")).runBulkSuite,
  admin: async () => (await import("./suites/admin-suite")).runAdminSuite,
  value: async () => (await import("./suites/value-suite")).runValueSuite,
  segments: async () => (await import("./suites/segments-suite")).runSegmentsSuite,
};

try {
  const suite = process.argv.slice(2).find((a) => a !== "--");
  if (suite && SUITES[suite]) {
    const suiteArgs = parseSuiteArgs(suite, process.argv.slice(2));
    if (suiteArgs === "help") {
      console.log(new UsageError("").usage);
      process.exit(0);
    }
    if (suite === "import" && suiteArgs.runs > 1) throw new UsageError("import: --runs is for the comms and complaints suites");
    // Suites use their own database (recreated each run), beside the customers bench's.
    const databaseUrl = benchEnv.databaseUrl.replace(/\/([A-Za-z0-9_]+)$/, `/$1_${suite}`);
    const restorePool = await growBufferPool(splitDatabaseUrl(databaseUrl).serverUrl, 2048);
    try {
      process.exitCode = await (await SUITES[suite]())({ ...suiteArgs, databaseUrl, redisUrl: benchEnv.redisUrl });
    } finally {
      await restorePool();
    }
    process.exit();
  }
  const args = parseBenchArgs(process.argv.slice(2), benchEnv);
  if (args === "help") {
    console.log(new UsageError("").usage);
    process.exit(0);
  }
  process.exit(await main(args));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}\n${error.usage}`);
    process.exit(2);
  }
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
}
