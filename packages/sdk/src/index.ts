import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError, type TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
// Type-only: the router's types reach the client, none of the server's code does. The published
// package gets them from build/app-router.d.ts (scripts/emit-router-types.mjs), not from the server.
import type { AppRouter } from "@clientele/api/router";

export type ClientOptions = {
  /** Base URL of the API, e.g. http://127.0.0.1:3000 (the client talks to `${url}/trpc`). */
  url: string;
  /** A fixed bearer token, or */
  token?: string;
  /** a function returning a fresh one per request (e.g. from your identity provider). */
  getToken?: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
  /** For subscriptions (`client.live.*`) where the runtime has no global EventSource (Node before 22: the `eventsource` package). */
  EventSource?: EventSourceClass;
};

/** Any EventSource-like class, as tRPC's link takes it (no DOM types needed by the SDK's users). */
type EventSourceClass = NonNullable<Parameters<typeof httpSubscriptionLink>[0]["EventSource"]>;

export function createClient({ url, token, getToken, fetch: customFetch, EventSource }: ClientOptions): TRPCClient<AppRouter> {
  const trpcUrl = `${url.replace(/\/$/, "")}/trpc`;
  const bearer = async () => token ?? (await getToken?.());
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // Server-sent events: EventSource sends no headers, so the token goes as connectionParams,
        // read again on every (re)connection; a reconnect resumes from the last event id.
        true: httpSubscriptionLink({
          url: trpcUrl,
          ...(EventSource ? { EventSource } : {}),
          async connectionParams() {
            const t = await bearer();
            return t ? { token: t } : {};
          },
        }),
        false: httpBatchLink({
          url: trpcUrl,
          // The API refuses a batch of more than 50 calls (MAX_BATCH_SIZE in apps/api/src/http/trpc-path.ts).
          maxItems: 50,
          ...(customFetch ? { fetch: customFetch } : {}),
          async headers() {
            const t = await bearer();
            return t ? { authorization: `Bearer ${t}` } : {};
          },
        }),
      }),
    ],
  });
}

export type ClienteleClient = ReturnType<typeof createClient>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type { AppRouter };

/** Error data every failed call carries: the spec's code, field messages, and the trace id. */
export type ClienteleErrorData = {
  httpStatus: number;
  errorCode: string;
  type: string;
  traceId?: string;
  fieldErrors: Record<string, string[]> | null;
};

export function isClienteleError(error: unknown): error is TRPCClientError<AppRouter> & { data: ClienteleErrorData } {
  return error instanceof TRPCClientError && typeof (error.data as ClienteleErrorData | undefined)?.errorCode === "string";
}
