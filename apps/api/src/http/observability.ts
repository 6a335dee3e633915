import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { Logger } from "@clientele/telemetry";
import type { RequestInfo } from "../trpc/trpc";

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  return { registry, httpDuration };
}
export type Metrics = ReturnType<typeof createMetrics>;

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
      const fullRoute = req.route ? `${req.baseUrl}${route}` : route;
      metrics.httpDuration.observe({ method: req.method, route: fullRoute, status: String(res.statusCode) }, seconds);
      log.info(
        { traceId, method: req.method, route: fullRoute, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, authz: info.authz },
        "request",
      );
    });
    next();
  };
}
