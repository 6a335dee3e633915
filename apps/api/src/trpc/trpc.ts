import { randomUUID } from "node:crypto";
import { assertCan, type Actor, type Privilege } from "@clientele/domain";
import { ensureTenant, upsertUser } from "@clientele/db";
import { initTRPC, TRPCError } from "@trpc/server";
import type { Request, Response } from "express";
import type { OpenApiMeta } from "trpc-to-openapi";
import { AuthError } from "../auth/jwt";
import type { AppDeps } from "../deps";
import { toTrpcError, trpcErrorData } from "../errors";
import { traceIdOf } from "../http/request-context";
import { EXPENSIVE_PROCEDURES, rateLimited, setLimitHeaders } from "../rate-limiter";

export type RequestInfo = { traceId: string; authz?: { privilege: Privilege; allowed: boolean } };

export type Context = {
  deps: AppDeps;
  req: Request | null;
  res: Response | null;
  traceId: string;
  /** Filled by createContext from the bearer token; authentication errors are raised lazily. */
  auth: { actor: Actor } | { error: string } | null;
  info: RequestInfo;
};

/**
 * What REST (rest/rest-adapter.ts) does with a procedure, and what its OpenAPI document
 * (rest/openapi.ts) declares: both read these fields, so they cannot disagree.
 */
export type Meta = OpenApiMeta & {
  /** Set by withPrivilege: authenticated, and only roles holding this privilege pass (else 403). */
  privilege?: Privilege;
  /** HTTP status a successful REST call answers with: 201 for creates, 204 (no body) for deletes; 200 when absent. */
  successStatus?: 201 | 204;
  /** When this holds for the result, REST answers 202 instead: the work goes on in the background. */
  acceptedWhen?: (data: unknown) => boolean;
  /** Error statuses beyond those every operation of its shape can answer, with when they happen. */
  errors?: Partial<Record<409 | 404, string>>;
  /** Document examples where one generated from the schema would not be a working call. */
  example?: { request?: unknown; response?: unknown };
};

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header. */
export const bearerToken = (header: string | undefined): string | undefined => (header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined);

/** The caller named by a bearer token; errors are kept for the procedure to raise if it needs a caller. */
export async function authenticate(deps: AppDeps, header: string | undefined): Promise<Context["auth"]> {
  if (!header) return null;
  const token = bearerToken(header);
  if (!token) return { error: "Authorization header must be 'Bearer <token>'" };
  try {
    return { actor: await deps.verifyToken(token) };
  } catch (error) {
    return { error: error instanceof AuthError ? error.message : "token invalid" };
  }
}

/** What a subscription's connectionParams carry: EventSource cannot send an Authorization header. */
export type LiveConnection = { type: string; connectionParams: Record<string, string | undefined> | null };

/** The bearer of a subscription's connectionParams ({ token }), as an Authorization header would name it. */
export const connectionAuthorization = (call: LiveConnection | undefined): string | undefined =>
  call?.type === "subscription" && call.connectionParams?.token ? `Bearer ${call.connectionParams.token}` : undefined;

export async function createContext(deps: AppDeps, req: Request | null, res: Response | null, call?: LiveConnection): Promise<Context> {
  const traceId = (res?.locals.traceId as string | undefined) ?? randomUUID();
  const info: RequestInfo = (res?.locals.requestInfo as RequestInfo | undefined) ?? { traceId };
  // The rate limiter (or the subscription gate) already verified the token of this request.
  const auth =
    res && "auth" in res.locals ? (res.locals.auth as Context["auth"]) : await authenticate(deps, req?.headers.authorization ?? connectionAuthorization(call));
  return { deps, req, res, traceId, auth, info };
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Subscriptions (server-sent events): a ping keeps proxies from cutting an idle stream, and a
    // client that hears nothing for longer reconnects (resuming from its last event id).
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
    errorFormatter({ shape, error, ctx }) {
      // Transport errors (content type, method) come before any context: the traceId is the request's.
      const { mapped, data } = trpcErrorData(error, ctx?.traceId ?? traceIdOf(error));
      return { ...shape, message: mapped.detail, data: { ...shape.data, stack: undefined, ...data } };
    },
  });

export const router = t.router;
/** Several routers served as one namespace (a feature split over files, e.g. customers). */
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors become tRPC errors with the right code; what maps to no 4xx is logged as unhandled. */
function mapErrors(ctx: Context, error: TRPCError): TRPCError {
  const mapped = toTrpcError(error);
  if (mapped.code === "INTERNAL_SERVER_ERROR") ctx.deps.log.error({ err: error.cause ?? error, traceId: ctx.traceId }, "unhandled error");
  return mapped;
}

const asTrpcError = (error: unknown) =>
  error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: error instanceof Error ? error.message : String(error), cause: error });

// Tenants and user descriptions seen by this process: the first sighting is written down. Actors
// are frozen and shared by every request with the same token (auth/jwt.ts), so most are known by identity.
const provisionedTenants = new Set<string>();
const knownUsers = new Set<string>();
const knownActors = new WeakSet<Actor>();

/** The caller, written down on its first sighting by this process (tenant row, user description). */
async function authenticatedActor(ctx: Context): Promise<Actor> {
  if (!ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "Missing bearer token." });
  if ("error" in ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.auth.error });
  const actor = ctx.auth.actor;
  if (knownActors.has(actor)) return actor;
  if (!provisionedTenants.has(actor.tenantId)) {
    await ensureTenant(ctx.deps.db, actor.tenantId, ctx.deps.now());
    provisionedTenants.add(actor.tenantId);
  }
  const userKey = JSON.stringify([actor.tenantId, actor.userId, actor.name, actor.email, actor.roles]);
  if (!knownUsers.has(userKey)) {
    await upsertUser(ctx.deps.db, {
      tenantId: actor.tenantId,
      id: actor.userId,
      name: actor.name ?? null,
      email: actor.email ?? null,
      roles: [...actor.roles],
      at: ctx.deps.now(),
    });
    knownUsers.add(userKey);
  }
  knownActors.add(actor);
  return actor;
}

/** Expensive operations draw on their own, smaller budget, once per call (each item of a tRPC batch). */
async function chargeExpensive(ctx: Context, actor: Actor, path: string): Promise<void> {
  if (!ctx.deps.env.RATE_LIMIT_ENABLED || !EXPENSIVE_PROCEDURES.has(path)) return;
  const state = await ctx.deps.rateLimiter.expensive(actor);
  if (state.retryAfterSeconds !== null) {
    if (ctx.res) setLimitHeaders(ctx.res, state);
    throw rateLimited(state, `searches, exports, imports and bulk sends`);
  }
  // The headers name the budget closest to running out, which may be this one.
  const res = ctx.res;
  if (res && !res.headersSent && state.remaining < Number(res.getHeader("RateLimit-Remaining") ?? Infinity)) setLimitHeaders(res, state);
}

/**
 * Authenticates, charges an expensive call's budget, then checks the privilege matrix before the
 * procedure runs; the decision goes into the request log; errors from here on (input, domain,
 * output) leave mapped to their status. One middleware, not four: each layer of tRPC's chain
 * copies its options and the context, and this runs on every call.
 */
export function withPrivilege(privilege: Privilege) {
  return t.procedure.meta({ privilege }).use(async ({ ctx, path, next }) => {
    let actor: Actor;
    try {
      actor = await authenticatedActor(ctx);
      await chargeExpensive(ctx, actor, path);
      try {
        assertCan(actor, privilege);
      } catch (error) {
        ctx.info.authz = { privilege, allowed: false };
        ctx.deps.log.warn(
          { traceId: ctx.traceId, userId: actor.userId, tenantId: actor.tenantId, privilege, roles: actor.roles },
          "authorization denied",
        );
        throw error;
      }
    } catch (error) {
      throw mapErrors(ctx, asTrpcError(error));
    }
    ctx.info.authz = { privilege, allowed: true };
    const result = await next({ ctx: { actor } });
    return result.ok ? result : { ...result, error: mapErrors(ctx, result.error) };
  });
}
