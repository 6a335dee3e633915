import type { LoadResult } from "./run-load";
import { CREATE_RATE, GET_RATE, SEARCH_RATE } from "./scenarios";

export type ScenarioRow = { name: string; connections: number; result: LoadResult; ratio?: string };

export type Target = { scenario: string; text: string; pass: boolean; note?: string };

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "-");
export const rps = (v: number) => v.toFixed(v < 10 ? 1 : 0);

function pad(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd());
}

export function resultsTable(rows: ScenarioRow[]): string {
  const header = ["scenario", "conns", "rps", "p50 ms", "p95 ms", "p99 ms", "max ms", "requests", "non-2xx", "errors", "API/baseline"];
  const body = rows.map(({ name, connections, result: r, ratio }) => [
    name,
    String(connections),
    rps(r.rps),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    ms(r.max),
    String(r.requests),
    String(r.non2xx),
    r.timeouts ? `${r.errors} (${r.timeouts} timeouts)` : String(r.errors),
    ratio ?? "",
  ]);
  const lines = pad([header, ...body]);
  const rule = "-".repeat(Math.max(...lines.map((l) => l.length)));
  return [lines[0], rule, ...lines.slice(1)].join("\n");
}

export function targetsTable(targets: Target[]): string {
  return targets.map((t) => `  ${t.pass ? "PASS" : "FAIL"}  ${t.scenario}: ${t.text}${t.note ? `  (${t.note})` : ""}`).join("\n");
}

/** "rps 0.31x, p95 3.2x": throughput as a share of the baseline's, latency as a multiple of it. */
function ratio(api: LoadResult, baseline: LoadResult): string {
  return `rps ${(api.rps / baseline.rps).toFixed(2)}x, p95 ${(api.p95 / baseline.p95).toFixed(1)}x`;
}

/** Get-by-id rows against the baseline row run the same way (as fast as possible, or at the same rate). */
export function addRatios(rows: ScenarioRow[]): void {
  const find = (name: string) => rows.find((r) => r.name === name)?.result;
  for (const row of rows) {
    const m = /^get-by-id (?:un)?cached( @\d+)?$/.exec(row.name);
    const base = m && find(`baseline point select${m[1] ?? ""}`);
    if (base) row.ratio = ratio(row.result, base);
  }
}

/**
 * The issue's targets. Each is a latency at a given load, so each is judged on the run with
 * that offered load: as-fast-as-possible runs sit at saturation, where latency is set by the
 * number of connections (Little's law) rather than by the service.
 */
export function evaluateTargets(rows: ScenarioRow[], customers: number): Target[] {
  const targets: Target[] = [];
  const at = (name: string, rate: number, p95: number, note?: string) => {
    const r = rows.find((x) => x.name === name)?.result;
    if (!r) return;
    targets.push({
      scenario: name,
      text: r.requests ? `p95 ${ms(r.p95)} ms (< ${p95}) at ${rps(r.rps)} rps (>= ${rate})` : "no request answered within the 10 s timeout",
      // 3% slack on the rate: the first and last moments of a run are partly idle.
      pass: r.p95 < p95 && r.rps >= rate * 0.97,
      ...(note ? { note } : {}),
    });
  };
  at(`get-by-id uncached @${GET_RATE}`, GET_RATE, 20);
  at(`get-by-id cached @${GET_RATE}`, GET_RATE, 20);
  at(`search @${SEARCH_RATE}`, SEARCH_RATE, 100, customers < 1_000_000 ? `indicative: the target is for 1,000,000 customers, this run has ${customers.toLocaleString("en-US")}` : undefined);
  at(`create @${CREATE_RATE}`, CREATE_RATE, 50);
  return targets;
}
