import { createHmac } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { can, DomainError } from "@clientele/domain";
import { signPayload, verifyPayload } from "@clientele/files";
import { Router, type NextFunction, type Request, type Response } from "express";
import type { AppDeps } from "../deps";
import { sendProblem } from "../rest/rest-adapter";
import { bearerToken } from "../trpc/trpc";

export const OPS_QUEUES_PATH = "/ops/queues";
const COOKIE = "clientele_ops";
const SESSION_SECONDS = 15 * 60;

/**
 * bull-board's page loads its own scripts and styles from /ops/queues/static, sets inline styles
 * and pulls IBM Plex from Google Fonts; no inline script runs (its config is a JSON data block).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' https://fonts.gstatic.com data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

/**
 * What an operator may change from the dashboard (bull-board's PUT routes): retry, promote, pause
 * and resume, and remove finished (completed or failed) jobs. Adding jobs or editing their data
 * would let one tenant's Admin hand the workers another tenant's ids; removing jobs still to run
 * (emptying, obliterating, cleaning the waiting, delayed, paused or prioritized ones) loses work the
 * database thinks is queued, and the maintenance queue's delayed jobs are the scheduled retention
 * and escalation runs. Paths are matched as sent, so an escaped or differently cased word is refused.
 */
const ALLOWED_ACTIONS = [
  /^\/api\/queues\/(?:[^/]+\/)?(?:pause|resume)$/,
  /^\/api\/queues\/[^/]+\/(?:[^/]+\/)?promote$/,
  /^\/api\/queues\/[^/]+\/(?:retry|clean)\/(?:completed|failed)$/,
  /^\/api\/queues\/[^/]+\/[^/]+\/retry$/,
];
/** Removing one job, allowed once it has finished: bull-board would remove a waiting or delayed one too. */
const CLEAN_JOB = /^\/api\/queues\/([^/]+)\/([^/]+)\/clean$/;

type Session = { sub: string; tid: string; exp: number };

/**
 * A browser cannot send our bearer header when it opens a page, so `GET /ops/queues?token=<jwt>`
 * trades an Admin's token for a short session cookie (HttpOnly, SameSite=Strict, Path=/ops) and
 * redirects to drop the token from the address bar and history. The cookie is HMAC-signed with a
 * key derived from DOWNLOAD_URL_SECRET (required in production), so every API instance accepts it.
 */
function sessions(secret: string) {
  const key = createHmac("sha256", secret).update("clientele ops session v1").digest();
  const isSession = (v: unknown): v is Session => {
    const s = v as Partial<Session> | null;
    return typeof s?.sub === "string" && typeof s.tid === "string" && typeof s.exp === "number";
  };
  return {
    issue: (s: Session): string => signPayload(key, s),
    read(value: string | undefined, now: number): Session | null {
      const s = verifyPayload(key, value);
      return isSession(s) && s.exp > now ? s : null;
    },
  };
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decoded(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A malformed escape (`%`, `%zz`) is no value: a 401 or 403, not a server error. */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

const unauthorized = (detail: string) => new DomainError("AUTH-001", "unauthorized", detail);
const forbidden = () => new DomainError("AUTH-002", "forbidden", "Your roles do not grant ops:queues (Admins only).");
const notOperator = () => new DomainError("AUTH-002", "forbidden", "The queue dashboard shows every tenant's jobs: only Admins of the tenants in OPS_TENANTS may open it.");

/** The queue dashboard (bull-board) for Admins: every queue, failed jobs with their reasons, retry. */
export function opsQueuesRouter(deps: AppDeps): Router {
  const board = new ExpressAdapter().setBasePath(OPS_QUEUES_PATH);
  createBullBoard({ queues: deps.jobs.all.map((q) => new BullMQAdapter(q)), serverAdapter: board, options: { uiConfig: { boardTitle: "Clientele queues" } } });
  const session = sessions(deps.env.DOWNLOAD_URL_SECRET!);

  const operators = deps.env.OPS_TENANTS;
  const verify = async (token: string) => {
    let actor;
    try {
      actor = await deps.verifyToken(token);
    } catch {
      throw unauthorized("The token is invalid or expired.");
    }
    if (!can(actor.roles, "ops:queues")) throw forbidden();
    if (!operators.includes("*") && !operators.includes(actor.tenantId)) throw notOperator();
    return actor;
  };

  const allowedAction = async (path: string): Promise<boolean> => {
    if (ALLOWED_ACTIONS.some((action) => action.test(path))) return true;
    const [, queueName, jobId] = CLEAN_JOB.exec(path) ?? [];
    const queue = deps.jobs.all.find((q) => q.name === decoded(queueName ?? ""));
    const id = decoded(jobId ?? "");
    if (!queue || !id) return false;
    return ["completed", "failed"].includes(await queue.getJobState(id));
  };

  const guard = async (req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Content-Security-Policy", CSP);
    res.setHeader("Cache-Control", "no-store");
    try {
      const queryToken = typeof req.query.token === "string" ? req.query.token : undefined;
      if (req.method === "GET" && queryToken) {
        const actor = await verify(queryToken);
        const now = deps.now().getTime();
        const value = session.issue({ sub: actor.userId, tid: actor.tenantId, exp: now + SESSION_SECONDS * 1000 });
        res.cookie(COOKIE, value, { httpOnly: true, sameSite: "strict", path: "/ops", maxAge: SESSION_SECONDS * 1000, secure: req.secure });
        const url = new URL(req.originalUrl, "http://x");
        url.searchParams.delete("token");
        res.redirect(303, `${url.pathname}${url.search}`);
        return;
      }
      const bearer = bearerToken(req.headers.authorization);
      let who: { userId: string; tenantId: string };
      if (bearer) {
        who = await verify(bearer);
      } else {
        // Sessions are issued to Admins only, so a valid one is the privilege.
        const s = session.read(cookieValue(req, COOKIE), deps.now().getTime());
        if (!s) throw unauthorized("Open /ops/queues?token=<an Admin's token>, or send Authorization: Bearer <token>.");
        who = { userId: s.sub, tenantId: s.tid };
      }
      if (req.method !== "GET" && !(req.method === "PUT" && (await allowedAction(req.path)))) {
        throw new DomainError("AUTH-002", "forbidden", "The dashboard may retry, promote, pause and resume jobs, and remove completed or failed ones; nothing else.");
      }
      if (req.method !== "GET") deps.log.info({ traceId: res.locals.traceId, userId: who.userId, tenantId: who.tenantId, method: req.method, path: req.path }, "queue dashboard action");
      next();
    } catch (error) {
      sendProblem(res, error, req.originalUrl.split("?")[0]!);
    }
  };

  return Router().use(guard, board.getRouter() as Router);
}
