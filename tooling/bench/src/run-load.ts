import autocannon, { type Client, type Options } from "autocannon";

export type NextRequest = () => { method: "GET" | "POST"; path: string; body?: string };

/**
 * smooth: each connection sends on its own evenly spaced schedule, connections staggered, so
 * the offered load arrives at a steady rate; a request that could not leave on time (its
 * connection was still waiting) is charged the delay, so overload shows up in the latencies
 * (coordinated-omission correction, as wrk2 does).
 * overall-rate: autocannon's own `overallRate`, which releases each connection's quota at the
 * start of every second: bursts of `connections` concurrent requests, then silence.
 */
export type Pacing = "smooth" | "overall-rate";

export type LoadSpec = {
  url: string;
  connections: number;
  duration: number;
  warmup: number;
  headers: Record<string, string>;
  /** Offered load in requests per second across all connections; unset = as fast as possible. */
  rate?: number;
  pacing: Pacing;
  next: NextRequest;
};

export type LoadResult = {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Of the errors, requests without an answer within 10 s. */
  timeouts: number;
  /** Requests that left after their scheduled time (smooth pacing only). */
  late: number;
  statusCodes: Record<string, number>;
};

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Wraps each connection's send so it follows a fixed schedule; returns each send's lateness. */
function smoothPacing(connections: number, rate: number) {
  const periodMs = (connections / rate) * 1000;
  const lateness = new WeakMap<Client, number>();
  let index = 0;
  let late = 0;
  const setupClient = (client: Client) => {
    const send = client._doRequest.bind(client);
    let slot = performance.now() + (index++ % connections) * (periodMs / connections);
    client._doRequest = () => {
      const due = slot;
      slot += periodMs;
      const wait = due - performance.now();
      if (wait > 0) {
        lateness.set(client, 0);
        setTimeout(() => {
          if (!client.destroyed) send();
        }, wait);
      } else {
        lateness.set(client, -wait);
        if (-wait > 1) late++;
        send();
      }
    };
  };
  return { setupClient, latenessOf: (c: Client) => lateness.get(c) ?? 0, late: () => late };
}

async function run(spec: LoadSpec, seconds: number): Promise<LoadResult> {
  const paced = spec.rate && spec.pacing === "smooth" ? smoothPacing(spec.connections, spec.rate) : undefined;
  const options: Options = {
    url: spec.url,
    connections: spec.connections,
    duration: seconds,
    timeout: 10,
    headers: spec.headers,
    requests: [
      {
        setupRequest: (req) => {
          const r = spec.next();
          return {
            ...req,
            method: r.method,
            path: r.path,
            ...(r.body === undefined ? {} : { body: r.body, headers: { ...req.headers, "content-type": "application/json" } }),
          };
        },
      },
    ],
  };
  if (paced) options.setupClient = paced.setupClient;
  else if (spec.rate) {
    options.overallRate = spec.rate;
    // Its correction records (latency in ms - 1) extra samples per request under a rate (it takes
    // 1/rate as a 1 ms interval), which skews every percentile; we keep the real latencies.
    options.ignoreCoordinatedOmission = true;
  }
  const instance = autocannon(options);
  // autocannon's summary has p50/p90/p97.5/p99 but no p95, so every response's own time is kept.
  const latencies: number[] = [];
  instance.on("response", (client, _status, _bytes, ms) => {
    latencies.push(paced ? ms + paced.latenessOf(client) : ms);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: latencies.length / result.duration,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    requests: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    late: paced?.late() ?? 0,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

/** A warm-up run (JIT, pools, connections), then the measured run with fresh counters. */
export async function measure(spec: LoadSpec, around?: { start: () => Promise<void>; stop: () => Promise<void> }): Promise<{ warmup: LoadResult; result: LoadResult }> {
  const warmup = await run(spec, spec.warmup);
  await around?.start();
  const result = await run(spec, spec.duration);
  await around?.stop();
  return { warmup, result };
}
