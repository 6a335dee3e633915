import { randomUUID, timingSafeEqual } from "node:crypto";
import type { Cache } from "@clientele/cache";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { Logger } from "@clientele/telemetry";
import type { RequestInfo } from "../trpc/trpc";
import { clusterMetricsReader } from "./cluster-metrics";
import { trackedEventsCounter } from "../features/tracking/tracking-metrics";
import { trpcCallOf } from "./trpc-path";

/** Cache keys by family (`tenant:<id>:customer:<id>:contacts:...` is "contacts"), never by id. */
const CACHE_FAMILIES = ["contacts", "communications", "activity", "search", "customer"].map((family) => ({ family, segment: `:${family}:` }));
const cacheFamily = (key: string) => CACHE_FAMILIES.find(({ segment }) => key.includes(segment))?.family ?? "other";

export function createMetrics(cache?: Cache) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by route, tRPC procedure (or batch) and status",
    labelNames: ["method", "route", "procedure", "status"],
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const cacheReads = new Counter({
    name: "clientele_cache_reads_total",
    help: "Cache reads by key family and result (hit, miss, error: Redis did not answer)",
    labelNames: ["cache", "result"],
    registers: [registry],
  });
  cache?.observe((key, result) => cacheReads.inc({ cache: cacheFamily(key), result }));
  registry.registerMetric(trackedEventsCounter);
  return { registry, httpDuration, cacheReads };
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * GET /metrics. With METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>` reads it
 * (the counters describe traffic and tenants' activity); without, it is open, for local use.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined, clustered = false): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  // In a cluster every worker's registry counts, so the primary aggregates them; alone, this one is all.
  const read = clustered ? clusterMetricsReader(metrics.registry) : () => metrics.registry.metrics();
  return async (req, res) => {
    const given = Buffer.from(req.headers.authorization ?? "");
    if (expected && (given.length !== expected.length || !timingSafeEqual(given, expected))) {
      res.status(401).setHeader("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("metrics need Authorization: Bearer <METRICS_TOKEN>\n");
      return;
    }
    let text: string;
    try {
      text = await read();
    } catch (error) {
      res.status(503).type("text/plain").send(`metrics unavailable: ${(error as Error).message}\n`);
      return;
    }
    res.type(metrics.registry.contentType).send(text);
  };
}

const TRACE_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Request id, one log line per request (with the authorization decision), and the latency metric. */
export function observe(log: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    const incoming = req.headers["x-request-id"];
    const traceId = typeof incoming === "string" && TRACE_ID.test(incoming) ? incoming : randomUUID();
    const info: RequestInfo = { traceId };
    res.locals.traceId = traceId;
    res.locals.requestInfo = info;
    res.setHeader("X-Request-Id", traceId);
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // The route pattern, never the raw URL: ids and query strings stay out of labels and logs.
      const route = (req.route?.path as string | undefined) ?? (req.baseUrl ? `${req.baseUrl}/*` : "unmatched");
      const fullRoute = (res.locals.route as string | undefined) ?? (req.route ? `${req.baseUrl}${route}` : route);
      // One label per procedure, "batch" or "unknown": a client cannot mint label values (series).
      const procedure = req.originalUrl.startsWith("/trpc/") ? trpcCallOf(req).label : "";
      metrics.httpDuration.observe({ method: req.method, route: fullRoute, procedure, status: String(res.statusCode) }, seconds);
      log.info(
        { traceId, method: req.method, route: fullRoute, ...(procedure ? { procedure } : {}), status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, authz: info.authz },
        "request",
      );
    });
    next();
  };
}
