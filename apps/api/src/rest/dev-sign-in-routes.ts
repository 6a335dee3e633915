import { ROLES } from "@clientele/domain";
import express, { type Request, type Response } from "express";
import { z } from "zod";
import { signDevToken } from "../auth/dev-token";
import type { AppDeps } from "../deps";
import { DEVELOPMENT_JWT_SECRET } from "../env";
import { STAFF } from "../demo/demo-data";
import { DEMO_TENANT } from "../demo/seed-marker";
import { sendProblem } from "./rest-adapter";
import { mount, problem, type MountedRoute, type RouteDoc } from "./route-docs";

/** The admin app's development sign-in: who to be, with which roles (the token CLI's claims). */
export const ZDevSignInInput = z.object({
  tenantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, - or _"),
  userId: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/, "must be 1-128 letters, digits, ., @, - or _"),
  roles: z.array(z.enum(ROLES)).min(1, "pick at least one role").max(ROLES.length),
  name: z.string().max(200).optional(),
  email: z.email("must be an email address").optional(),
});

const ZDevSignInOutput = z.object({ token: z.string(), expiresAt: z.string() });
const ZDevSignInOptions = z.object({
  roles: z.array(z.enum(ROLES)),
  tenants: z.array(z.string()),
  users: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), roles: z.array(z.enum(ROLES)) })),
});

const TOKEN_LIFETIME_SECONDS = 8 * 3600;

// Not in the OpenAPI document: it exists only outside production and is no part of the public API.
const optionsDoc: RouteDoc = {
  method: "get",
  path: "/dev/sign-in",
  operationId: "dev-sign-in-options",
  summary: "Development only: the roles, the demo tenant and its staff the sign-in page offers",
  security: [],
  responses: { 200: { description: "Sign-in choices", content: { "application/json": { schema: ZDevSignInOptions } } } },
};
const signInDoc: RouteDoc = {
  method: "post",
  path: "/dev/sign-in",
  operationId: "dev-sign-in",
  summary: "Development only: a bearer token (HS256, JWT_SECRET) for any tenant, user and roles",
  security: [],
  responses: { 200: { description: "The token", content: { "application/json": { schema: ZDevSignInOutput } } }, 400: problem(400) },
};

/** What this file serves when it serves anything, for the document test that leaves these out. */
export const devOnlyRoutes = [optionsDoc, signInDoc].map((d) => `${d.method.toUpperCase()} ${d.path}`);

/**
 * Lets anyone be anyone, so it exists only where that is already true: outside production and
 * with the repository's public development secret, which anyone can sign tokens with anyway. A
 * deployment that forgot NODE_ENV=production but configured its own JWT_SECRET gets no route.
 */
export function devSignInRoutes(deps: AppDeps): MountedRoute[] {
  const secret = deps.env.JWT_SECRET;
  if (deps.env.NODE_ENV === "production" || secret !== DEVELOPMENT_JWT_SECRET) return [];
  const r: MountedRoute[] = [];
  mount(r, optionsDoc, (_req: Request, res: Response) => {
    res.json(ZDevSignInOptions.parse({ roles: ROLES, tenants: [DEMO_TENANT], users: Object.values(STAFF) }));
  });
  mount(r, signInDoc, express.json({ limit: "16kb" }), async (req: Request, res: Response) => {
    try {
      const input = ZDevSignInInput.parse(req.body ?? {});
      const token = await signDevToken({
        secret,
        issuer: deps.env.JWT_ISSUER,
        audience: deps.env.JWT_AUDIENCE,
        tenantId: input.tenantId,
        userId: input.userId,
        roles: input.roles,
        expiresIn: `${TOKEN_LIFETIME_SECONDS}s`,
        ...(input.name ? { name: input.name } : {}),
        ...(input.email ? { email: input.email } : {}),
      });
      res.json(ZDevSignInOutput.parse({ token, expiresAt: new Date(deps.now().getTime() + TOKEN_LIFETIME_SECONDS * 1000).toISOString() }));
    } catch (error) {
      sendProblem(res, error, req.originalUrl);
    }
  });
  return r;
}
