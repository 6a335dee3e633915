import { TRPCError } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import { sql } from "kysely";
import express, { type NextFunction, type Request, type Response } from "express";
import type { AppDeps } from "./deps";
import { mapError } from "./errors";
import { rateLimit } from "./http/rate-limit";
import { rememberTraceId } from "./http/request-context";
import { corsPolicy, securityHeaders, trpcMethods } from "./http/security";
import { inApiCluster } from "./http/cluster-metrics";
import { createMetrics, metricsEndpoint, observe } from "./http/observability";
import { MAX_BATCH_SIZE } from "./http/trpc-path";
import { subscriptionGate } from "./http/subscription-gate";
import { OPS_QUEUES_PATH, opsQueuesRouter } from "./http/ops-queues";
import { ADMIN_CONFIG_PATH, ADMIN_PATH, adminAppRouter, adminConfigEndpoint } from "./http/admin-app";
import { docsRouter } from "./rest/openapi-docs";
import { openApiDocument } from "./rest/openapi";
import { fileRoutes } from "./rest/file-routes";
import { customerTransferRoutes } from "./features/customers/customer-transfer.routes";
import { publicRoutes } from "./rest/public-routes";
import { webhookRoutes } from "./rest/webhook-routes";
import { devSignInRoutes } from "./rest/dev-sign-in-routes";
import { restRouter, sendProblem } from "./rest/rest-adapter";
import { appRouter } from "./trpc/router";
import { createContext } from "./trpc/trpc";

export function createApp(deps: AppDeps) {
  const metrics = createMetrics(deps.cache);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", "loopback");
  app.use(observe(deps.log, metrics));
  // The admin app talks to the identity provider from the browser (discovery, token endpoint).
  app.use(securityHeaders(deps.env.OIDC_ISSUER ? [new URL(deps.env.OIDC_ISSUER).origin] : []));
  const cors = corsPolicy(deps.env.CORS_ORIGINS);
  const limit = rateLimit(deps);

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/ready", async (_req, res) => {
    const [mysql, redis] = await Promise.all([
      sql`SELECT 1`.execute(deps.db).then(
        () => "ok",
        () => "unavailable",
      ),
      deps.redis
        ? deps.redis.ping().then(
            () => "ok",
            () => "unavailable",
          )
        : Promise.resolve("disabled"),
    ]);
    // Redis is a cache: the API still serves without it, so only MySQL decides readiness.
    res.status(mysql === "ok" ? 200 : 503).json({ status: mysql === "ok" ? "ready" : "not ready", checks: { mysql, redis } });
  });
  app.get("/metrics", metricsEndpoint(metrics, deps.env.METRICS_TOKEN, inApiCluster(deps.env)));

  // Mounted at its prefix: other requests pass it with one path test instead of entering its router.
  app.use(OPS_QUEUES_PATH, opsQueuesRouter(deps));

  app.use(
    "/trpc",
    cors,
    limit,
    trpcMethods,
    subscriptionGate(deps),
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req, res, info }) => createContext(deps, req, res, info),
      onError: ({ error, req }) => rememberTraceId(error, req),
      // Room for a base64 import file (10 MB becomes 13.4 MB); zod bounds every other field.
      maxBodySize: 14 * 1024 * 1024,
      // A larger batch is refused (400) before any call runs; the rate limit charges it 1 point.
      maxBatchSize: MAX_BATCH_SIZE,
    }),
  );

  // The public testimonials feed sets its own, credential-free CORS policy.
  app.use("/api/v1", (req, res, next) => (req.path.startsWith("/public/") ? next() : cors(req, res, next)), limit);
  const specPath = "/api/v1/openapi.json";
  app.get(specPath, (req, res) => {
    const base = deps.env.PUBLIC_URL ?? `${req.protocol}://${req.get("host")}`;
    res.json(openApiDocument(`${base}/api/v1`));
  });
  app.use("/api/v1/docs", docsRouter("/api/v1/docs", specPath));
  app.use("/api/v1", restRouter(deps, [...fileRoutes(deps), ...customerTransferRoutes(deps), ...webhookRoutes(deps), ...publicRoutes(deps), ...devSignInRoutes(deps)]));

  app.get(ADMIN_CONFIG_PATH, adminConfigEndpoint(deps.env));
  const admin = adminAppRouter();
  if (admin) app.use(ADMIN_PATH, admin);

  app.use((req: Request, res: Response) => {
    sendProblem(res, new TRPCError({ code: "NOT_FOUND", message: `No route for ${req.method} ${req.path}` }), req.path);
  });
  // Body-parser failures (charset, Content-Encoding, malformed JSON, size) arrive here; errors.ts
  // gives each its 4xx, and only what it cannot place is logged as a 500.
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    if (mapError(error).status >= 500) deps.log.error({ err: error, traceId: res.locals.traceId }, "unhandled express error");
    // The path, not the URL: a query may carry a token (a subscription's connectionParams).
    sendProblem(res, error, req.path);
  });
  return app;
}
