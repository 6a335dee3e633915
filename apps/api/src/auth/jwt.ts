import { ROLES, type Actor, type Role } from "@clientele/domain";
import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTPayload,
  errors as joseErrors,
} from "jose";
import { LRUCache } from "lru-cache";
import { z } from "zod";

export type JwtConfig = {
  secret?: string;
  jwksUrl?: string;
  publicKeyPem?: string;
  issuer: string;
  audience: string;
};

const Claims = z.object({
  sub: z.string().min(1).max(100),
  tid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "tid must be 1-64 characters of [A-Za-z0-9_-]"),
  roles: z.array(z.enum(ROLES)).min(1),
  name: z.string().max(200).optional(),
  email: z.email().max(255).optional(),
});

export class AuthError extends Error {
  override readonly name = "AuthError";
}

export type TokenVerifier = (token: string) => Promise<Actor>;

/** HS256 for development and tests; RS256/ES256 from a JWKS URL or a PEM key in production. */
export async function createTokenVerifier(config: JwtConfig): Promise<TokenVerifier> {
  let key: Uint8Array | Awaited<ReturnType<typeof importSPKI>> | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.jwksUrl) {
    key = createRemoteJWKSet(new URL(config.jwksUrl));
    algorithms = ["RS256", "ES256"];
  } else if (config.publicKeyPem) {
    const alg = config.publicKeyPem.includes("BEGIN PUBLIC KEY") && /EC|ES/.test(config.publicKeyPem) ? "ES256" : "RS256";
    key = await importSPKI(config.publicKeyPem, alg);
    algorithms = [alg];
  } else if (config.secret) {
    key = new TextEncoder().encode(config.secret);
    algorithms = ["HS256"];
  } else {
    throw new Error("no JWT verification key configured");
  }

  // A token's signature and claims do not change: once verified it is good until it expires, so
  // a client sending the same token on every request pays for the signature check once (it was
  // an eighth of a cached read's CPU). Failures are not remembered; nothing outlives `exp`.
  const verified = new LRUCache<string, Actor>({ max: 10_000 });
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    const { actor, expiresAt } = await verify(token);
    verified.set(token, actor, { ttl: Math.max(1, expiresAt - Date.now()) });
    return actor;
  };

  async function verify(token: string): Promise<{ actor: Actor; expiresAt: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        issuer: config.issuer,
        audience: config.audience,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AuthError("token expired");
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new AuthError(`token ${error.claim} claim rejected`);
      throw new AuthError("token invalid");
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) {
      throw new AuthError(`token claims invalid: ${claims.error.issues.map((i) => i.message).join("; ")}`);
    }
    const actor: Actor = Object.freeze({
      userId: claims.data.sub,
      tenantId: claims.data.tid,
      roles: Object.freeze(claims.data.roles as Role[]),
      ...(claims.data.name ? { name: claims.data.name } : {}),
      ...(claims.data.email ? { email: claims.data.email } : {}),
    });
    // requiredClaims makes exp present; jose has checked it is in the future.
    return { actor, expiresAt: Number(payload.exp) * 1000 };
  }
}
