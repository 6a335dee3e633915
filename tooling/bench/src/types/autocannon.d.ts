// autocannon ships no types; this declares the part of its API the bench uses.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  type RequestParams = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  };

  type Request = RequestParams & {
    setupRequest?: (req: RequestParams, context: Record<string, unknown>) => RequestParams | null | undefined;
  };

  type Options = {
    url: string;
    connections?: number;
    duration?: number;
    timeout?: number;
    overallRate?: number;
    ignoreCoordinatedOmission?: boolean;
    headers?: Record<string, string>;
    requests?: Request[];
    /** Called from each connection's constructor, before its first request. */
    setupClient?: (client: Client) => void;
  };

  /** The parts of autocannon's internal per-connection client that pacing wraps (pinned version). */
  type Client = { _doRequest: () => void; destroyed: boolean };

  type Result = {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: { p50: number; p99: number; max: number; average: number };
    requests: { total: number; average: number };
  };

  type Instance = EventEmitter &
    PromiseLike<Result> & {
      on(event: "response", listener: (client: Client, statusCode: number, bytes: number, responseTimeMs: number) => void): Instance;
      stop(): void;
    };

  function autocannon(options: Options): Instance;
  export default autocannon;
  export type { Client, Instance, Options, Request, RequestParams, Result };
}
