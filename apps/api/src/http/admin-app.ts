import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClaimNames } from "@clientele/domain";
import express, { type RequestHandler, type Router } from "express";
import { claimNames, type ApiEnv } from "../env";
import { OPS_QUEUES_PATH } from "./ops-queues";

/** Where `pnpm --filter @clientele/admin build` writes the admin app (apps/admin/dist). */
export const DEFAULT_ADMIN_DIR = fileURLToPath(new URL("../../../admin/dist", import.meta.url));

export const ADMIN_PATH = "/admin";

/** The admin app's runtime configuration, read before it renders: one build serves every deployment. */
export const ADMIN_CONFIG_PATH = `${ADMIN_PATH}/config.json`;

export type AdminConfig = {
  /** Sign in at this OpenID Connect issuer; null: the development sign-in page. */
  oidc: { issuer: string; clientId: string; audience: string; audienceParam: "resource" | "audience" | null; scope: string } | null;
  /** Where the token names the actor (the API's JWT_*_CLAIM), so the app shows who is signed in. */
  claims: ClaimNames;
  /**
   * Tools linked from the app's header, each only when it runs: the local mail and SMS inboxes
   * (DEV_*_INBOX_URL, never in production) and the queue dashboard's path (when OPS_TENANTS names
   * anyone; the app shows it to Admins).
   */
  links: { mailInbox?: string; smsInbox?: string; queues?: string };
};

export function adminConfig(env: ApiEnv): AdminConfig {
  const oidc =
    env.OIDC_ISSUER && env.OIDC_CLIENT_ID
      ? { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, audience: env.OIDC_AUDIENCE, audienceParam: env.OIDC_AUDIENCE_PARAM === "none" ? null : env.OIDC_AUDIENCE_PARAM, scope: env.OIDC_SCOPE }
      : null;
  const links = {
    ...(env.DEV_MAIL_INBOX_URL ? { mailInbox: env.DEV_MAIL_INBOX_URL } : {}),
    ...(env.DEV_SMS_INBOX_URL ? { smsInbox: env.DEV_SMS_INBOX_URL } : {}),
    ...(env.OPS_TENANTS.length > 0 ? { queues: OPS_QUEUES_PATH } : {}),
  };
  return { oidc, claims: claimNames(env), links };
}

/** Served whether or not the app is built here (`pnpm dev:admin` proxies it to the API). */
export function adminConfigEndpoint(env: ApiEnv): RequestHandler {
  const body = JSON.stringify(adminConfig(env));
  return (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.type("application/json").send(body);
  };
}

/**
 * The built admin app, served from this process so `npm start` needs no second server: hashed
 * assets cached for a year, every other GET answered with index.html (client-side routes).
 * Null when the app has not been built, so the API starts without it.
 */
export function adminAppRouter(dir: string = DEFAULT_ADMIN_DIR): Router | null {
  const index = join(dir, "index.html");
  if (!existsSync(index)) return null;
  const router = express.Router();
  router.use("/assets", express.static(join(dir, "assets"), { immutable: true, maxAge: "365d", fallthrough: false }));
  router.use(express.static(dir, { index: false }));
  router.get(/.*/, (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
  return router;
}
