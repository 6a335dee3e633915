import { AsyncLocalStorage } from "node:async_hooks";
import type { NextFunction, Request, Response } from "express";

const store = new AsyncLocalStorage<{ traceId: string }>();

/**
 * Keeps the request's traceId reachable from code that gets no context: tRPC formats transport
 * errors (unsupported content type, bad method) before it builds one, and they must carry it too.
 */
export function requestContext(_req: Request, res: Response, next: NextFunction): void {
  store.run({ traceId: res.locals.traceId as string }, next);
}

export const currentTraceId = (): string | undefined => store.getStore()?.traceId;
