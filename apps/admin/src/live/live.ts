import { useEffect } from "react";
import { problemOf } from "../problem";

/** What a subscription's stream yields: `{ id, data }` for the tracked items the API sends. */
export type LiveItem<T> = T extends AsyncIterable<infer U> ? U : never;

/** Pause before opening a failed live subscription again. */
const RETRY_MS = 5000;

/**
 * Keeps a live subscription coming back. tRPC's link already reconnects (resuming from the last
 * event id) when the server says to; what it cannot tell apart is a connection refused outright
 * (EventSource hides the status: a token that expired meanwhile, a restarted server), which ends
 * the subscription. That one is opened again after a pause, with the current token. An answer the
 * stream itself gave (403, 404: nothing a retry changes) stays.
 */
export function useResubscribe(sub: { status: string; error: unknown; reset: () => void }): void {
  const { status, error, reset } = sub;
  useEffect(() => {
    if (status !== "error") return;
    const code = problemOf(error).status;
    if (code >= 400 && code < 500) return;
    const timer = setTimeout(reset, RETRY_MS);
    return () => clearTimeout(timer);
  }, [status, error, reset]);
}
