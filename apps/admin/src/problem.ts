import { isClienteleError } from "@clientele/sdk";

/** What a failed call says, in the terms the UI shows: status, message, field messages, trace id. */
export type Problem = { status: number; message: string; fieldErrors: Record<string, string[]>; traceId: string | null };

export function problemOf(error: unknown): Problem {
  if (isClienteleError(error)) {
    const { httpStatus, fieldErrors, traceId } = error.data;
    const message =
      httpStatus === 403
        ? `You are not allowed to do this: ${error.message}`
        : httpStatus === 401
          ? "Your session has expired; sign in again."
          : error.message;
    return { status: httpStatus, message, fieldErrors: fieldErrors ?? {}, traceId: traceId ?? null };
  }
  return { status: 0, message: error instanceof Error ? error.message : String(error), fieldErrors: {}, traceId: null };
}
