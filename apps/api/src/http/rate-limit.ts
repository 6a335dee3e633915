import { TRPCError } from "@trpc/server";
import type { NextFunction, Request, Response } from "express";
import type { AppDeps } from "../deps";
import { trpcErrorBody } from "../errors";
import { rateLimited, setLimitHeaders } from "../rate-limiter";
import { sendProblem } from "../rest/rest-adapter";
import { authenticate } from "../trpc/trpc";
import { authorizationOf } from "./subscription-gate";
import { trpcCallOf } from "./trpc-path";

/** Signature-checked provider callbacks and the static docs are not metered per caller. */
const UNMETERED = [/^\/webhooks\//, /^\/docs(\/|$)/, /^\/openapi\.json$/];

/**
 * Once per HTTP request on /api/v1 and /trpc, before any handler: a tRPC batch is one request
 * but costs one point per procedure it runs, so batching neither multiplies nor escapes the budget.
 * Names that are no procedure (404) and an oversized batch (400, nothing runs) cost 1 like any
 * request, so a long URL of repeated or made-up names cannot spend thousands of points at once.
 * The verified token is kept in res.locals for the procedure's context, so it is checked once.
 */
export function rateLimit(deps: AppDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const isTrpc = req.baseUrl === "/trpc";
    // The exemptions are REST paths: /trpc/docs is a (missing) procedure like any other.
    if (!deps.env.RATE_LIMIT_ENABLED || (!isTrpc && UNMETERED.some((p) => p.test(req.path)))) return next();
    try {
      const points = isTrpc ? Math.max(1, trpcCallOf(req).procedures) : 1;
      const auth = await authenticate(deps, authorizationOf(req));
      res.locals.auth = auth;
      const state =
        auth && "actor" in auth ? await deps.rateLimiter.forActor(auth.actor, points) : await deps.rateLimiter.forIp(req.ip ?? "unknown", points);
      setLimitHeaders(res, state);
      if (state.retryAfterSeconds === null) return next();
      const error = rateLimited(state);
      if (isTrpc) {
        const { status, body } = trpcErrorBody(new TRPCError({ code: "TOO_MANY_REQUESTS", message: error.message, cause: error }), res.locals.traceId as string);
        res.status(status).json(body);
      } else {
        sendProblem(res, error, req.originalUrl);
      }
    } catch (error) {
      next(error);
    }
  };
}
