import { ROLES, DEFAULT_CLAIM_NAMES, claimValue, rolesFromClaim, type Actor, type ClaimNames, type Role } from "@clientele/domain";
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
  /** Where the identity provider puts user id, tenant and roles (JWT_*_CLAIM); ours by default. */
  claims?: ClaimNames;
};

/** The actor's fields, read from the configured claims; messages name the claim the token got wrong. */
const actorSchema = (names: ClaimNames) =>
  z.object({
    userId: z.string(`${names.userId} must be a string`).min(1).max(100),
    tenantId: z.string(`${names.tenantId} must be a string`).regex(/^[A-Za-z0-9_-]{1,64}$/, `${names.tenantId} must be 1-64 characters of [A-Za-z0-9_-]`),
    roles: z.array(z.enum(ROLES)).min(1, `${names.roles} names none of the roles ${ROLES.join(", ")}`),
    name: z.string().max(200).optional(),
    email: z.email().max(255).optional(),
  });

export class AuthError extends Error {
  override readonly name = "AuthError";
}

export type TokenVerifier = (token: string) => Promise<Actor>;

/** HS256 for development and tests; RS256/ES256 from a JWKS URL or a PEM key in production. */
export async function createTokenVerifier(config: JwtConfig): Promise<TokenVerifier> {
  const names = config.claims ?? DEFAULT_CLAIM_NAMES;
  const Claims = actorSchema(names);
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
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AuthError("token expired");
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new AuthError(`token ${error.claim} claim rejected`);
      throw new AuthError("token invalid");
    }
    const read = (name: string) => claimValue(payload, name) ?? undefined;
    const claims = Claims.safeParse({
      userId: read(names.userId),
      tenantId: read(names.tenantId),
      roles: rolesFromClaim(read(names.roles)),
      name: read(names.name),
      email: read(names.email),
    });
    if (!claims.success) {
      throw new AuthError(`token claims invalid: ${claims.error.issues.map((i) => i.message).join("; ")}`);
    }
    const actor: Actor = Object.freeze({
      userId: claims.data.userId,
      tenantId: claims.data.tenantId,
      roles: Object.freeze(claims.data.roles as Role[]),
      ...(claims.data.name ? { name: claims.data.name } : {}),
      ...(claims.data.email ? { email: claims.data.email } : {}),
    });
    // requiredClaims makes exp present; jose has checked it is in the future.
    return { actor, expiresAt: Number(payload.exp) * 1000 };
  }
}
