import { validationError } from "@clientele/domain";
import type { AnyProcedure } from "@trpc/server";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import FindMyWay, { type HTTPMethod } from "find-my-way";
import type { AppDeps } from "../deps";
import { toProblem } from "../errors";
import { appRouter } from "../trpc/router";
import { createCallerFactory, createContext, type Meta } from "../trpc/trpc";
import { jsonBodyOnly } from "../http/security";
import { expressPath, successStatusOf, type MountedRoute } from "./route-docs";
import { queryCoercer } from "./query-coercion";

const createCaller = createCallerFactory(appRouter);

type Route = { procedurePath: string; procedure: AnyProcedure; method: string; path: string; meta: Meta; inputs: unknown[] };

export function routes(): Route[] {
  const out: Route[] = [];
  for (const [procedurePath, procedure] of Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)) {
    const meta = procedure._def.meta as Meta | undefined;
    if (!meta?.openapi) continue;
    out.push({
      procedurePath,
      procedure,
      method: meta.openapi.method.toLowerCase(),
      path: expressPath(meta.openapi.path),
      meta,
      inputs: (procedure._def as { inputs?: unknown[] }).inputs ?? [],
    });
  }
  // Literal segments win over parameters (/customers/search before /customers/{id}): order by
  // how early the first parameter appears, latest first.
  const firstParam = (p: string) => {
    const i = p.split("/").findIndex((seg) => seg.startsWith(":"));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return out.sort((a, b) => firstParam(b.path) - firstParam(a.path));
}

/** `If-Match: "3"` (or W/"3"): the version the client read, as the body's `version` carries it; the document declares this pattern. */
export const IF_MATCH_VERSION = /^(?:W\/)?"?(\d+)"?$/;

function ifMatchVersion(req: Request): number | undefined {
  const header = req.headers["if-match"];
  const match = header ? IF_MATCH_VERSION.exec(header.trim()) : null;
  return match ? Number(match[1]) : undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function sendProblem(res: Response, error: unknown, instance: string): void {
  const traceId = res.locals.traceId as string;
  const problem = toProblem(error, traceId, instance);
  res.status(problem.status).type("application/problem+json").send(JSON.stringify(problem));
}

/**
 * The REST contract (/api/v1): the procedures, each at the path its openapi meta gives (input is
 * the query for GET and DELETE, else the JSON body, plus path parameters), and the hand-written
 * routes (multipart, CSV, webhooks, public feed) with their own body parsers, in one dispatcher.
 */
/** The dispatcher, which also says what it serves ("GET /customers/:id"), so a test can hold the document to it. */
export type RestHandler = RequestHandler & { servedRoutes: readonly string[] };

/** Runs one procedure for an express request: context from the request, errors as problem+json. */
export async function callProcedure(deps: AppDeps, req: Request, res: Response, path: string, input: unknown): Promise<unknown> {
  const caller = createCaller(await createContext(deps, req, res)) as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>;
  const [ns, name] = path.split(".") as [string, string];
  return caller[ns]![name]!(input);
}

/**
 * One lookup in a radix tree (find-my-way) instead of express trying each route's pattern and
 * entering a router per group: literal segments still win over parameters, matching stays
 * case-insensitive and ignores a trailing slash as express's did, HEAD is answered by the GET route.
 */
export function restRouter(deps: AppDeps, handWritten: MountedRoute[]): RestHandler {
  type Handler = (req: Request, res: Response, next: NextFunction) => void;
  const tree = FindMyWay({
    caseSensitive: false,
    ignoreTrailingSlash: true,
    maxParamLength: 10_000,
    // A parameter that is not valid percent-encoding is the client's mistake (400), as express's router had it.
    onBadUrl: (path, req, res) =>
      sendProblem(res as Response, Object.assign(new URIError(`Failed to decode param '${path}'`), { status: 400 }), (req as Request).originalUrl),
  });
  // The route's pattern rides along as find-my-way's store: the request log and metrics label by it, never by the raw URL.
  const add = (method: string, path: string, handler: Handler) => tree.on(method.toUpperCase() as HTTPMethod, path, handler as never, path);
  for (const { doc, handlers } of handWritten) add(doc.method, expressPath(doc.path), inTurn(handlers));
  const parseJson = inTurn([jsonBodyOnly, express.json({ limit: "1mb" })]);
  for (const route of routes()) {
    const fromQuery = queryCoercer(route.inputs);
    const run = async (req: Request, res: Response) => {
      try {
        // DELETE takes its input from the query and, when one is sent, a JSON body too (e.g. a reason).
        const source: unknown =
          route.method === "get"
            ? fromQuery(req.query as Record<string, unknown>)
            : route.method === "delete"
              ? { ...fromQuery(req.query as Record<string, unknown>), ...(isPlainObject(req.body) ? req.body : {}) }
              : (req.body ?? {});
        if (typeof source !== "object" || source === null || Array.isArray(source)) {
          sendProblem(res, validationError({ body: ["must be a JSON object"] }), req.originalUrl);
          return;
        }
        const input: Record<string, unknown> = { ...(source as Record<string, unknown>), ...req.params };
        const version = ifMatchVersion(req);
        if (version !== undefined && input.version === undefined) input.version = version;
        const data = await callProcedure(deps, req, res, route.procedurePath, input);
        const etagVersion = (data as { version?: unknown } | null)?.version;
        if (typeof etagVersion === "number") res.setHeader("ETag", `"${etagVersion}"`);
        const status = successStatusOf(route.meta, data);
        if (status === 204) res.status(204).end();
        else res.status(status).json(data);
      } catch (error) {
        sendProblem(res, error, req.originalUrl);
      }
    };
    add(route.method, route.path, (req, res, next) => parseJson(req, res, (error?: unknown) => (error ? next(error) : void run(req, res))));
  }
  const dispatch = (req: Request, res: Response, next: NextFunction) => {
    const method = (req.method === "HEAD" ? "GET" : req.method) as HTTPMethod;
    const found = tree.find(method, req.path);
    if (!found) return next();
    req.params = found.params as Record<string, string>;
    res.locals.route = `${req.baseUrl}${found.store as string}`;
    (found.handler as unknown as Handler)(req, res, next);
  };
  const servedRoutes = (tree as unknown as { routes: { method: string; path: string }[] }).routes.map((r) => `${r.method} ${r.path}`);
  return Object.assign(dispatch, { servedRoutes });
}

/** Express handlers run one after another as a route's stack would run them; an error goes on to the app's error handler. */
function inTurn(handlers: RequestHandler[]) {
  return (req: Request, res: Response, done: NextFunction) => {
    let i = 0;
    const step = (error?: unknown) => {
      if (error) return done(error);
      const handler = handlers[i++];
      if (!handler) return done();
      try {
        const result = handler(req, res, step as NextFunction) as unknown;
        if (result instanceof Promise) result.catch(step);
      } catch (thrown) {
        step(thrown);
      }
    };
    step();
  };
}
