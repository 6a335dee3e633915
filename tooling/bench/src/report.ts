import type { LoadResult } from "./run-load";
import { CREATE_RATE, GET_RATE, SEARCH_RATE } from "./scenarios";

/** The API's throughput as a share of its bare counterpart's, and its p95 as a multiple of it. */
export type Ratio = { rps: number; p95: number; baseline: string };

export type ScenarioRow = { name: string; connections: number; result: LoadResult; ratio?: Ratio };

/**
 * One of the issue's targets (one per scenario name), judged on one run or on the medians of several. `value` is the
 * measured figure in short (each run's is printed beside the median's); `pass` undefined: a figure
 * the issue asks to report without a bound.
 */
export type Target = { scenario: string; text: string; value: string; pass: boolean | undefined; note?: string };

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "-");
export const rps = (v: number) => v.toFixed(v < 10 ? 1 : 0);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const x = (v: number) => `${Number.isFinite(v) ? v.toFixed(2) : "-"}x`;
/** A ratio next to its bound, with a third decimal when two would round it onto the bound. */
const near = (v: number, bound: number) => (v !== bound && v.toFixed(2) === bound.toFixed(2) ? `${v.toFixed(3)}x` : x(v));

export function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd());
}

/** Rows of cells under a header, the first and last column left-aligned, a rule under the header. */
export function table(header: string[], body: string[][]): string {
  const lines = pad([header, ...body]);
  const rule = "-".repeat(Math.max(...lines.map((l) => l.length)));
  return [lines[0], rule, ...lines.slice(1)].join("\n");
}

export function resultsTable(rows: ScenarioRow[]): string {
  const header = ["scenario", "conns", "rps", "p50 ms", "p95 ms", "p99 ms", "max ms", "requests", "non-2xx", "errors", "API/baseline"];
  return table(
    header,
    rows.map(({ name, connections, result: r, ratio }) => [
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
      ratio ? `rps ${x(ratio.rps)}, p95 ${ratio.p95.toFixed(1)}x` : "",
    ]),
  );
}

/**
 * Each target as `PASS|FAIL|info  scenario: text`; with several runs, each run's figure under it
 * (the verdict is the median's).
 */
export function targetsTable(targets: Target[], perRun: Target[][] = []): string {
  const verdict = (t: Target) => (t.pass === undefined ? "info" : t.pass ? "PASS" : "FAIL");
  return targets
    .map((t) => {
      const line = `  ${verdict(t).padEnd(4)}  ${t.scenario}: ${t.text}${t.note ? `  (${t.note})` : ""}`;
      if (perRun.length < 2) return line;
      const runs = perRun.map((run) => run.find((r) => r.scenario === t.scenario));
      return `${line}\n        runs: ${runs.map((r) => (r ? `${r.value}${r.pass === undefined ? "" : ` ${verdict(r)}`}` : "-")).join(" | ")}`;
    })
    .join("\n");
}

/**
 * Higher is better: `value / baseline` at least `min`. `ratio`, when given, is judged instead: over
 * several runs, the median of each run's own ratio (the ratio of two medians would pair runs).
 */
export function ratioAtLeast(scenario: string, o: { value: number; baseline: number; ratio?: number; min: number; unit: string; against: string; note?: string }): Target {
  const r = o.ratio ?? o.value / o.baseline;
  return {
    scenario,
    text: `${near(r, o.min)} the ${o.against}'s throughput (>= ${o.min.toFixed(1)}x): ${fmt(o.value)} vs ${fmt(o.baseline)} ${o.unit}`,
    value: near(r, o.min),
    pass: r >= o.min,
    ...(o.note ? { note: o.note } : {}),
  };
}

/** Lower is better: `value / baseline` (or `ratio`, as above) at most `max` (times, latencies). */
export function ratioAtMost(scenario: string, o: { value: number; baseline: number; ratio?: number; max: number; unit: string; against: string; digits?: number }): Target {
  const r = o.ratio ?? o.value / o.baseline;
  const d = o.digits ?? 2;
  return {
    scenario,
    text: `${near(r, o.max)} the ${o.against}'s time (<= ${o.max.toFixed(1)}x): ${o.value.toFixed(d)} vs ${o.baseline.toFixed(d)} ${o.unit}`,
    value: near(r, o.max),
    pass: r <= o.max,
  };
}

/** A latency bound at an offered load: p95 under `limit` ms while `achieved` reached the `rate` (3% slack). */
export function latencyAt(scenario: string, o: { p95: number; limit: number; achieved: number; rate: number; unit: string; note?: string }): Target {
  const seconds = o.limit >= 1000;
  const shown = (v: number) => (seconds ? `${(v / 1000).toFixed(2)} s` : `${ms(v)} ms`);
  return {
    scenario,
    text: `p95 ${shown(o.p95)} (< ${seconds ? `${o.limit / 1000} s` : o.limit}) at ${rps(o.achieved)} ${o.unit} (>= ${o.rate})`,
    value: `p95 ${shown(o.p95)} at ${rps(o.achieved)}`,
    // The first and last moments of a run are partly idle.
    pass: o.p95 < o.limit && o.achieved >= o.rate * 0.97,
    ...(o.note ? { note: o.note } : {}),
  };
}

/** Which bare scenario each API scenario is compared with ("… @N" with "baseline … @N"). */
const COUNTERPARTS: Record<string, string> = {
  "get-by-id uncached": "baseline point select",
  "get-by-id cached": "baseline point select",
  search: "baseline search",
  create: "baseline create",
};

/** Each API row against its bare counterpart run the same way (as fast as possible, or at the same rate). */
export function addRatios(rows: ScenarioRow[]): void {
  const find = (name: string) => rows.find((r) => r.name === name)?.result;
  for (const row of rows) {
    const m = /^(.*?)( @\d+)?$/.exec(row.name)!;
    const counterpart = COUNTERPARTS[m[1]!];
    const base = counterpart && find(`${counterpart}${m[2] ?? ""}`);
    if (base) row.ratio = { rps: row.result.rps / base.rps, p95: row.result.p95 / base.p95, baseline: `${counterpart}${m[2] ?? ""}` };
  }
}

/**
 * Several runs of the same scenarios as one row each: the median of each figure (and of each
 * run's API/baseline ratio, so a ratio compares two scenarios of the same run); counts summed.
 */
export function medianRows(runs: ScenarioRow[][]): ScenarioRow[] {
  if (runs.length === 1) return runs[0]!;
  return runs[0]!.map((first) => {
    const same = runs.flatMap((run) => run.filter((r) => r.name === first.name));
    const results = same.map((r) => r.result);
    const med = (f: (r: LoadResult) => number) => median(results.map(f));
    const sum = (f: (r: LoadResult) => number) => results.reduce((s, r) => s + f(r), 0);
    const statusCodes: Record<string, number> = {};
    for (const r of results) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
    const ratios = same.flatMap((r) => (r.ratio ? [r.ratio] : []));
    return {
      name: first.name,
      connections: first.connections,
      result: {
        rps: med((r) => r.rps),
        p50: med((r) => r.p50),
        p95: med((r) => r.p95),
        p99: med((r) => r.p99),
        max: med((r) => r.max),
        requests: sum((r) => r.requests),
        non2xx: sum((r) => r.non2xx),
        errors: sum((r) => r.errors),
        timeouts: sum((r) => r.timeouts),
        late: sum((r) => r.late),
        statusCodes,
      },
      ...(ratios.length === same.length && ratios.length
        ? { ratio: { rps: median(ratios.map((r) => r.rps)), p95: median(ratios.map((r) => r.p95)), baseline: ratios[0]!.baseline } }
        : {}),
    };
  });
}

/**
 * The issue's targets for `pnpm bench` (issue 9). Throughput targets are ratios to the bare
 * server's counterpart in the same run, on the as-fast-as-possible rows; latency targets are
 * judged on the run with their offered load, since as-fast-as-possible runs sit at saturation,
 * where latency is set by the number of connections (Little's law) rather than by the service.
 */
export function evaluateTargets(rows: ScenarioRow[], customers: number): Target[] {
  const targets: Target[] = [];
  const row = (name: string) => rows.find((r) => r.name === name);
  const at = (name: string, rate: number, p95: number, note?: string) => {
    const r = row(name)?.result;
    if (!r) return;
    if (!r.requests) targets.push({ scenario: name, text: "no request answered within the 10 s timeout", value: "no answers", pass: false });
    else targets.push(latencyAt(name, { p95: r.p95, limit: p95, achieved: r.rps, rate, unit: "rps", ...(note ? { note } : {}) }));
  };
  const share = (name: string, min: number | undefined, against: string, note?: string) => {
    const r = row(name);
    if (!r?.ratio) return;
    const base = row(r.ratio.baseline)!.result.rps;
    const t = ratioAtLeast(name, { value: r.result.rps, baseline: base, ratio: r.ratio.rps, min: min ?? 0, unit: "rps", against, ...(note ? { note } : {}) });
    targets.push(min === undefined ? { ...t, text: t.text.replace(/ \(>= [^)]*\)/, ""), pass: undefined } : t);
  };
  const searchNote = customers < 1_000_000 ? `indicative: the target is for 1,000,000 customers, this run has ${customers.toLocaleString("en-US")}` : undefined;
  share("get-by-id uncached", 0.5, "bare point select");
  at(`get-by-id uncached @${GET_RATE}`, GET_RATE, 20);
  share("get-by-id cached", 1.0, "bare point select");
  at(`get-by-id cached @${GET_RATE}`, GET_RATE, 10);
  at(`search @${SEARCH_RATE}`, SEARCH_RATE, 100, searchNote);
  share("search", undefined, "bare search", "the same SQL; reported, no target");
  // Issue 10: the advanced search's fuzzy names and partial phones, over 1,000,000 customers.
  at(`fuzzy search @${SEARCH_RATE}`, SEARCH_RATE, 150, searchNote);
  at(`phone search @${SEARCH_RATE}`, SEARCH_RATE, 150, searchNote);
  at(`create @${CREATE_RATE}`, CREATE_RATE, 50);
  share("create", 0.5, "bare create", "the same inserts in one transaction");
  return targets;
}
