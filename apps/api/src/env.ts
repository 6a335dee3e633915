import { availableParallelism } from "node:os";
import { defaultFilesDir } from "@clientele/files/default-dir";
import { defaultCachePrefix } from "@clientele/cache";
import type { ClaimNames } from "@clientele/domain";
import { z } from "zod";

/** Uploads and exports live under the repository's var/ unless configured (shared by API and worker). */
const DEFAULT_FILES_DIR = defaultFilesDir();

/** Public (it is in this repository): tokens signed with it prove nothing, so only development uses it. */
export const DEVELOPMENT_JWT_SECRET = "clientele-development-secret-change-me-0123456789";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const Env = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default("127.0.0.1"),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z.string().default("mysql://root@127.0.0.1:3306/clientele"),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    JWT_SECRET: z.string().min(32).optional(),
    JWT_JWKS_URL: z.url().optional(),
    JWT_PUBLIC_KEY: z.string().optional(),
    JWT_ISSUER: z.string().default("clientele"),
    JWT_AUDIENCE: z.string().default("clientele-api"),
    /** Claims naming the actor in a token, when the identity provider's differ from ours: an exact claim name or a dotted path (realm_access.roles). */
    JWT_USER_ID_CLAIM: z.string().min(1).default("sub"),
    JWT_TENANT_CLAIM: z.string().min(1).default("tid"),
    JWT_ROLES_CLAIM: z.string().min(1).default("roles"),
    JWT_NAME_CLAIM: z.string().min(1).default("name"),
    JWT_EMAIL_CLAIM: z.string().min(1).default("email"),
    /** The admin app signs in at this OpenID Connect issuer (authorization code + PKCE) when set, with this public client. */
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    /** The audience the admin app asks the identity provider for; its access tokens must carry JWT_AUDIENCE. Unset: JWT_AUDIENCE. */
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_SCOPE: z.string().min(1).default("openid profile email"),
    /** The authorization parameter that names the audience: resource (RFC 8707), audience (Auth0), or none (the IdP decides by client or scope). */
    OIDC_AUDIENCE_PARAM: z.enum(["resource", "audience", "none"]).default("resource"),
    CACHE_ENABLED: bool.default(true),
    /** Namespace of this deployment's Redis keys (cache and rate limits); defaults to clientele:<database name>:. */
    CACHE_PREFIX: z.string().min(1).optional(),
    /** Comma-separated browser origins allowed to call /trpc and /api/v1 with credentials. */
    CORS_ORIGINS: z.string().default("http://localhost:5173,http://127.0.0.1:5173"),
    /** REQ-CUS-045 request budgets per hour: per user, per tenant, per client IP (unauthenticated). */
    RATE_LIMIT_ENABLED: bool.default(true),
    RATE_LIMIT_PER_USER_PER_HOUR: z.coerce.number().int().min(1).default(1000),
    RATE_LIMIT_PER_TENANT_PER_HOUR: z.coerce.number().int().min(1).default(20_000),
    RATE_LIMIT_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(1000),
    /** Expensive operations (search, export, import, bulk) draw on a smaller budget per user. */
    RATE_LIMIT_EXPENSIVE_PER_USER_PER_HOUR: z.coerce.number().int().min(1).default(100),
    FILES_DIR: z.string().default(DEFAULT_FILES_DIR),
    /** Signs download URLs (HMAC); must be set in production. */
    DOWNLOAD_URL_SECRET: z.string().min(32).optional(),
    /** Prefix of BullMQ's keys, e.g. to keep test runs apart on a shared Redis. */
    QUEUE_PREFIX: z.string().default("bull"),
    /** Prefix of the event streams' names, as the worker's relay writes them (live updates read them). */
    STREAM_PREFIX: z.string().default(""),
    SMS_LIMIT_PER_TENANT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
    SMS_LIMIT_PER_NUMBER_PER_HOUR: z.coerce.number().int().min(1).default(10),
    /** Twilio credentials: the API checks webhook signatures with the auth token. */
    TWILIO_AUTH_TOKEN: z.string().default("test-auth-token"),
    /** Shared secret of the email provider's event webhook (HMAC-SHA256 of the body). */
    EMAIL_WEBHOOK_SECRET: z.string().min(16).default("clientele-development-email-webhook-secret"),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
    /** Processes serving the port (node:cluster workers under a primary); unset: one per CPU in production, 1 otherwise. */
    API_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
    /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (set it wherever the port is reachable). */
    METRICS_TOKEN: z.string().min(16).optional(),
    /** Tenants whose Admins operate the deployment (queue dashboard): a comma list, or `*`; unset: none (npm start sets `*` outside production). */
    OPS_TENANTS: z.string().default(""),
    /** `npm start` seeds the demo tenant unless false; in production `pnpm seed:demo` runs only when true. */
    SEED_DEMO: bool.optional(),
    /** The local mail and SMS inboxes `npm start` runs (tooling/test-doubles), linked from the admin app; never honoured in production. */
    DEV_MAIL_INBOX_URL: z.url().optional(),
    DEV_SMS_INBOX_URL: z.url().optional(),
  })
  .transform((env) => ({
    ...env,
    // Development and tests get a fixed HS256 secret so `pnpm token` works out of the box.
    JWT_SECRET:
      env.JWT_SECRET ?? (env.NODE_ENV === "production" ? undefined : DEVELOPMENT_JWT_SECRET),
    DOWNLOAD_URL_SECRET:
      env.DOWNLOAD_URL_SECRET ?? (env.NODE_ENV === "production" ? undefined : "clientele-development-download-secret-0123456789"),
    SEED_DEMO: env.SEED_DEMO ?? env.NODE_ENV !== "production",
    API_WORKERS: env.API_WORKERS ?? (env.NODE_ENV === "production" ? Math.min(64, availableParallelism()) : 1),
    CACHE_PREFIX: env.CACHE_PREFIX ?? defaultCachePrefix(env.DATABASE_URL),
    OIDC_AUDIENCE: env.OIDC_AUDIENCE ?? env.JWT_AUDIENCE,
    CORS_ORIGINS: env.CORS_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean),
    // The dashboard shows every tenant's jobs, so only the named operator tenants see it: a deployment
    // that forgot NODE_ENV=production must not open it to every tenant's Admin.
    OPS_TENANTS: env.OPS_TENANTS.split(",").map((t) => t.trim()).filter(Boolean),
    // Production sends through real providers: a stray inbox URL must not be linked there.
    DEV_MAIL_INBOX_URL: env.NODE_ENV === "production" ? undefined : env.DEV_MAIL_INBOX_URL,
    DEV_SMS_INBOX_URL: env.NODE_ENV === "production" ? undefined : env.DEV_SMS_INBOX_URL,
  }))
  .superRefine((env, ctx) => {
    if (!env.JWT_SECRET && !env.JWT_JWKS_URL && !env.JWT_PUBLIC_KEY) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "set JWT_JWKS_URL, JWT_PUBLIC_KEY or JWT_SECRET" });
    }
    if (env.OIDC_ISSUER && !env.OIDC_CLIENT_ID) {
      ctx.addIssue({ code: "custom", path: ["OIDC_CLIENT_ID"], message: "is required with OIDC_ISSUER (the admin app's client id at the identity provider)" });
    }
    if (!env.DOWNLOAD_URL_SECRET) {
      ctx.addIssue({ code: "custom", path: ["DOWNLOAD_URL_SECRET"], message: "is required in production (32+ characters)" });
    }
  });

export type ApiEnv = z.infer<typeof Env>;

/** Where tokens name the actor (JWT_*_CLAIM): the verifier reads them, the admin app is told them. */
export function claimNames(env: ApiEnv): ClaimNames {
  return { userId: env.JWT_USER_ID_CLAIM, tenantId: env.JWT_TENANT_CLAIM, roles: env.JWT_ROLES_CLAIM, name: env.JWT_NAME_CLAIM, email: env.JWT_EMAIL_CLAIM };
}

/** Parsed once at start; a bad value stops the process with one line per problem. */
export function loadEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
