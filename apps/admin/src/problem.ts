import { isClienteleError } from "@clientele/sdk";

/**
 * What a failed call says, in the terms the UI shows: status, message, field messages, trace id,
 * and for a merged customer's 404 the id of the customer it was merged into.
 */
export type Problem = { status: number; message: string; fieldErrors: Record<string, string[]>; traceId: string | null; mergedInto?: string };

/** The line the UI shows for a failure with this status and the API's detail (tRPC and REST alike). */
export const problemMessage = (status: number, detail: string): string =>
  status === 403 ? `You are not allowed to do this: ${detail}` : status === 401 ? "Your session has expired; sign in again." : detail;

export function problemOf(error: unknown): Problem {
  if (isClienteleError(error)) {
    const { httpStatus, fieldErrors, traceId } = error.data;
    const message = problemMessage(httpStatus, error.message);
    const { mergedInto } = error.data as { mergedInto?: unknown };
    return { status: httpStatus, message, fieldErrors: fieldErrors ?? {}, traceId: traceId ?? null, ...(typeof mergedInto === "string" ? { mergedInto } : {}) };
  }
  return { status: 0, message: error instanceof Error ? error.message : String(error), fieldErrors: {}, traceId: null };
}
