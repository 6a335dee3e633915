import { can } from "@clientele/domain";
import { TRPCError, type AnyProcedure } from "@trpc/server";
import type { NextFunction, Request, Response } from "express";
import type { AppDeps } from "../deps";
import { trpcErrorBody } from "../errors";
import { appRouter } from "../trpc/router";
import { authenticate, connectionAuthorization, type Context, type Meta } from "../trpc/trpc";
import { trpcCallOf } from "./trpc-path";

const SUBSCRIPTIONS = new Map(
  Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>).filter(([, p]) => p._def.type === "subscription"),
);

/** The subscription a GET /trpc request opens, if it opens one (a single call, not a batch). */
function subscriptionOf(req: Request): { path: string; procedure: AnyProcedure } | undefined {
  if (req.method !== "GET") return undefined;
  const path = trpcCallOf(req).label;
  const procedure = SUBSCRIPTIONS.get(path);
  return procedure && { path, procedure };
}

/**
 * The Authorization of a /trpc request: its header or, for a subscription (EventSource sends no
 * headers), the token in its `connectionParams` query parameter. The request log names routes,
 * never URLs, so the token stays out of it.
 */
export function authorizationOf(req: Request): string | undefined {
  if (req.headers.authorization || !subscriptionOf(req)) return req.headers.authorization;
  const raw = req.query.connectionParams;
  if (typeof raw !== "string") return undefined;
  try {
    const params = JSON.parse(raw) as unknown;
    return typeof params === "object" && params !== null ? connectionAuthorization({ type: "subscription", connectionParams: params as Record<string, string | undefined> }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A subscription's missing or bad token answers 401, and a role without the privilege 403, as HTTP
 * statuses before the event stream opens: inside the stream tRPC could only send them as an error
 * event on a 200, which proxies, curl and EventSource's own error handling cannot see. The
 * procedure's own privilege middleware still runs after this (same decision, same log line).
 */
export function subscriptionGate(deps: AppDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const call = subscriptionOf(req);
    if (!call) return next();
    try {
      const auth: Context["auth"] = "auth" in res.locals ? (res.locals.auth as Context["auth"]) : await authenticate(deps, authorizationOf(req));
      res.locals.auth = auth;
      const privilege = (call.procedure._def.meta as Meta | undefined)?.privilege;
      let refusal: TRPCError | null = null;
      if (!auth || "error" in auth) {
        refusal = new TRPCError({ code: "UNAUTHORIZED", message: auth ? auth.error : "Missing token: send it as connectionParams { token } (or an Authorization header)." });
      } else if (privilege && !can(auth.actor.roles, privilege)) {
        deps.log.warn({ traceId: res.locals.traceId, userId: auth.actor.userId, tenantId: auth.actor.tenantId, privilege, roles: auth.actor.roles }, "authorization denied");
        refusal = new TRPCError({ code: "FORBIDDEN", message: `Your roles do not grant ${privilege}.` });
      }
      if (!refusal) return next();
      const { status, body } = trpcErrorBody(refusal, res.locals.traceId as string);
      res.status(status).json(body);
    } catch (error) {
      next(error);
    }
  };
}
