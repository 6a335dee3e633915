import { problemMessage, type Problem } from "./problem";
import { currentSession, expireSession } from "./session";

/**
 * The REST calls where files move (uploads and downloads); everything else goes over tRPC. Same
 * origin as the app (the API serves it; Vite proxies /api in dev), with the session's bearer token.
 */

/** A REST failure in the UI's terms: the RFC 7807 body's detail and field messages. */
export class RestProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export const restProblemOf = (error: unknown): Problem =>
  error instanceof RestProblem ? error.problem : { status: 0, message: error instanceof Error ? error.message : String(error), fieldErrors: {}, traceId: null };

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const token = currentSession()?.token;
  const res = await fetch(path.startsWith("/api/") ? path : `/api/v1${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) },
  });
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as { detail?: string; title?: string; errors?: Record<string, string[]>; traceId?: string };
  // As with tRPC (trpc.ts): an expired or revoked token sends the user back to sign in.
  if (res.status === 401) expireSession();
  const detail = body.detail ?? body.title ?? `${res.status} ${res.statusText}`;
  throw new RestProblem({ status: res.status, message: problemMessage(res.status, detail), fieldErrors: body.errors ?? {}, traceId: body.traceId ?? null });
}

/** POSTs a multipart form (a file and its fields) and answers the JSON body. */
export async function restUpload<T>(path: string, form: FormData): Promise<T> {
  return (await (await call(path, { method: "POST", body: form })).json()) as T;
}

/** Downloads a file the API answers only with the bearer token (a plain link cannot send it), saved under its own name. */
export async function restDownload(path: string, fallbackName: string): Promise<void> {
  const res = await call(path);
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the object URL is not needed once it has been read.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
