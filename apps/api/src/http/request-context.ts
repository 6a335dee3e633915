import type { Response } from "express";

const traceIds = new WeakMap<object, string>();

/**
 * tRPC formats transport errors (unsupported content type, bad method) before it builds a
 * context, so their traceId comes from the request: the adapter's onError sees the request and
 * the error just before the formatter does. (A WeakMap rather than AsyncLocalStorage, whose
 * promise hooks cost about 15% of the cached get-by-id throughput on Node 20.)
 */
export function rememberTraceId(error: object, req: { res?: Response }): void {
  const traceId = req.res?.locals.traceId as string | undefined;
  if (traceId) traceIds.set(error, traceId);
}

export const traceIdOf = (error: object): string | undefined => traceIds.get(error);
