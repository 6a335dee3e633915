import { appRouter } from "../trpc/router";

/**
 * The most calls one tRPC batch may hold. app.ts gives it to tRPC as `maxBatchSize`, so a larger
 * batch is refused with 400 before any procedure runs; the SDK's `maxItems` matches it.
 */
export const MAX_BATCH_SIZE = 50;

const PROCEDURES: ReadonlySet<string> = new Set(Object.keys(appRouter._def.procedures));

export type TrpcCall = {
  /**
   * The metric label: the procedure of a single call, "batch" for several, "unknown" when none
   * names a procedure. At most one value per procedure plus two, whatever clients send.
   */
  label: string;
  /** Calls to real procedures that tRPC will run: 0 for an oversized batch, which it refuses. */
  procedures: number;
};

/**
 * What a /trpc request calls, read the way tRPC's express adapter reads it: the last path segment,
 * URL-decoded, split on commas only for `?batch=1`. `url` is the request URL below `/trpc`
 * (`/customers.get,customers.search?batch=1&input=...`). Metrics and the rate limit both use it,
 * so they agree with each other and with what tRPC runs.
 */
function parseTrpcCall(url: string): TrpcCall {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const isBatch = queryAt !== -1 && new URLSearchParams(url.slice(queryAt + 1)).get("batch") === "1";
  let names: string[];
  try {
    const decoded = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
    names = isBatch ? decoded.split(",") : [decoded];
  } catch {
    // tRPC answers a malformed escape with 400.
    return { label: "unknown", procedures: 0 };
  }
  const known = names.filter((name) => PROCEDURES.has(name)).length;
  return {
    label: known === 0 ? "unknown" : names.length > 1 ? "batch" : names[0]!,
    procedures: names.length > MAX_BATCH_SIZE ? 0 : known,
  };
}

const calls = new WeakMap<object, TrpcCall>();

/**
 * parseTrpcCall of a /trpc request, parsed once per request: the rate limit reads it before tRPC
 * runs and the metrics again when the response finishes.
 */
export function trpcCallOf(req: { originalUrl: string }): TrpcCall {
  let call = calls.get(req);
  if (!call) calls.set(req, (call = parseTrpcCall(req.originalUrl.slice("/trpc".length))));
  return call;
}
