import { ROLES, type Actor, type Role } from "@clientele/domain";
import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTPayload,
  errors as joseErrors,
} from "jose";
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

  return async (token) => {
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
    return {
      userId: claims.data.sub,
      tenantId: claims.data.tid,
      roles: claims.data.roles as Role[],
      ...(claims.data.name ? { name: claims.data.name } : {}),
      ...(claims.data.email ? { email: claims.data.email } : {}),
    };
  };
}
