import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
import type { SuiteOptions } from "../args";
import { SEARCH_WORDS } from "../customer-data";
import { benchEnv } from "../env";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { median, table } from "../report";
import { seed } from "../seed";
import { fmt, log, percentiles, startPlatform, type Platform } from "./platform";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const TENANT = "bench";
const NAVIGATIONS = 15;
const TARGET_MS = 1500;

/** From `page.goto` until the list shows its first result row (the screen is usable). */
async function timeNavigation(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(url, { waitUntil: "commit" });
  await page.getByTestId("customer-row").first().waitFor({ timeout: 30_000 });
  return performance.now() - started;
}

/** The same search the screen shows, straight from the REST API (no browser, no rendering). */
async function timeApiSearch(p: Platform, token: string, query: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${p.url}/api/v1/customers/search?${query}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`search answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  await res.arrayBuffer();
  return performance.now() - started;
}

type Scenario = { name: string; screen: (i: number) => string; api: (i: number) => string };
const SCENARIOS: Scenario[] = [
  { name: "customers screen, no filter (newest first)", screen: () => "/admin/customers", api: () => "pageSize=20" },
  { name: "customers screen, word search", screen: (i) => `/admin/customers?q=${SEARCH_WORDS[i % SEARCH_WORDS.length]}`, api: (i) => `q=${SEARCH_WORDS[i % SEARCH_WORDS.length]}&pageSize=20` },
];

/**
 * `pnpm bench admin [--customers N]`: the admin app's customers screen in Debian's Chromium over a
 * tenant of N customers (default 100,000): from navigation to the first result row rendered
 * (target < 1.5 s), beside the API answering the same search alone in the same run.
 */
export async function runAdminSuite(o: SuiteOptions): Promise<number> {
  const customers = o.customers ?? 100_000;
  log(`admin bench: the customers screen in Chromium over ${fmt(customers)} customers, ${NAVIGATIONS} navigations per scenario after a warm-up, beside GET /customers/search alone; ${o.runs} run${o.runs > 1 ? "s" : ""}`);
  const seeded = await seed({ url: o.databaseUrl, tenantId: TENANT, customers, reseed: false, loader: "infile", parallel: 2, indexes: "auto", log });
  if (seeded.seeded) log(`seed: ${fmt(seeded.rows)} customers in ${seeded.seconds.toFixed(1)} s`);
  const build = spawnSync("bash", [path.join(REPO, "tooling/scripts/pnpm.sh"), "--silent", "--filter", "@clientele/admin", "build", "--logLevel", "error"], { cwd: REPO, stdio: "inherit" });
  if (build.status !== 0) throw new Error("the admin app did not build");
  log(`machine: load average ${loadAverage()} at the start`);
  const others = watchOtherLoad([]);
  const runs: { screen: ReturnType<typeof percentiles>; api: ReturnType<typeof percentiles>; cold: number }[][] = [];
  for (let run = 1; run <= o.runs; run++) {
    if (o.runs > 1) log(`run ${run} of ${o.runs}`);
    const platform = await startPlatform({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, keepDatabase: true, apiEnv: { API_WORKERS: String(o.apiWorkers), RATE_LIMIT_ENABLED: "false" } });
    const profile = mkdtempSync(path.join(tmpdir(), "clientele-bench-chromium-"));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: benchEnv.chromiumPath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const token = await platform.token(TENANT);
      const page = browser.pages()[0] ?? (await browser.newPage());
      // The session lives in the tab's sessionStorage, as after the sign-in page.
      await page.goto(`${platform.url}/admin/sign-in`);
      await page.evaluate(`sessionStorage.setItem("clientele.admin.token", ${JSON.stringify(token)})`);
      const rows = [];
      for (const s of SCENARIOS) {
        const cold = await timeNavigation(page, `${platform.url}${s.screen(0)}`);
        const screenMs: number[] = [];
        const apiMs: number[] = [];
        for (let i = 1; i <= NAVIGATIONS; i++) {
          screenMs.push(await timeNavigation(page, `${platform.url}${s.screen(i)}`));
          apiMs.push(await timeApiSearch(platform, token, s.api(i)));
        }
        rows.push({ screen: percentiles(screenMs), api: percentiles(apiMs), cold });
      }
      runs.push(rows);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
      await platform.stop();
    }
  }
  const othersShare = others();
  const m = (i: number, f: (r: (typeof runs)[number][number]) => number) => median(runs.map((r) => f(r[i]!)));
  const ms = (v: number) => v.toFixed(0);
  log("");
  if (o.runs > 1) log(`medians of ${o.runs} runs:`);
  log(
    table(
      ["scenario", "first (cold) ms", "p50 ms", "p95 ms", "p99 ms", `p95 < ${TARGET_MS} ms`],
      SCENARIOS.flatMap((s, i) => [
        [s.name, ms(m(i, (r) => r.cold)), ms(m(i, (r) => r.screen.p50)), ms(m(i, (r) => r.screen.p95)), ms(m(i, (r) => r.screen.p99)), m(i, (r) => r.screen.p95) < TARGET_MS ? "PASS" : "FAIL"],
        ["  baseline: the API's search alone", "", ms(m(i, (r) => r.api.p50)), ms(m(i, (r) => r.api.p95)), ms(m(i, (r) => r.api.p99)), ""],
      ]),
    ),
  );
  log(`machine: load average ${loadAverage()} at the end; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs during the runs`);
  return 0;
}
