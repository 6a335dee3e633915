import cors from "cors";
import { TRPCError } from "@trpc/server";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import helmet from "helmet";
import { trpcErrorBody } from "../errors";
import { sendProblem } from "../rest/rest-adapter";

/** Response headers a browser client may read (versions, trace ids, rate-limit state). */
const EXPOSED_HEADERS = ["ETag", "X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Location"];
const ALLOWED_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-Id", "trpc-accept", "x-trpc-source"];

/**
 * Helmet's headers everywhere. The CSP allows only same-origin scripts and styles (plus inline
 * styles, which Swagger UI sets), so the docs page works and nothing else runs; fetches go to this
 * origin and `connectOrigins` (the identity provider the admin app signs in at). Pages under /ops
 * (the queue dashboard) ship their own HTML and scripts and are left to set their own policy.
 */
export function securityHeaders(connectOrigins: readonly string[] = []): RequestHandler {
  const base = helmet({ contentSecurityPolicy: false });
  const csp = helmet.contentSecurityPolicy({
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'", ...connectOrigins],
      frameAncestors: ["'none'"],
      // Local development serves plain http on 127.0.0.1; upgrading would break the docs page.
      upgradeInsecureRequests: null,
    },
  });
  return (req, res, next) => {
    base(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (req.path.startsWith("/ops/")) return next();
      csp(req, res, next);
    });
  };
}

const isPreflight = (req: Request) => req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;

/**
 * CORS for the browser clients on the allow-list: credentials allowed, preflights answered 204.
 * A preflight from any other origin also gets 204, but without Access-Control-Allow-Origin, so
 * the browser refuses the call; it never reaches tRPC (which would call it a bad request).
 */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    handler(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (isPreflight(req)) {
        res.vary("Origin").status(204).end();
        return;
      }
      next();
    });
  };
}

/** tRPC answers GET (queries) and POST (mutations); anything else is 405, with the traceId. */
export function trpcMethods(req: Request, res: Response, next: NextFunction): void {
  if (req.method === "GET" || req.method === "POST") return next();
  const { status, body } = trpcErrorBody(
    new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `${req.method} is not supported; queries use GET and mutations POST` }),
    res.locals.traceId as string,
  );
  res.setHeader("Allow", "GET, POST");
  res.status(status).json(body);
}

/**
 * A JSON endpoint sent some other body (text/plain, XML, a form) answers 415 instead of a 400
 * that lists every field as missing. Bodyless requests pass: their input is the path and query.
 */
export function jsonBodyOnly(req: Request, res: Response, next: NextFunction): void {
  // fetch sends `Content-Length: 0` on a bodiless POST (archive, resend): no body, nothing to refuse.
  const empty = req.headers["content-length"] === "0";
  if (!empty && req.is(["application/json", "application/*+json"]) === false) {
    sendProblem(
      res,
      new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: `Content-Type ${JSON.stringify(req.headers["content-type"] ?? "")} is not accepted here` }),
      req.originalUrl,
    );
    return;
  }
  next();
}
