import type { Role } from "@clientele/domain";
import { SignJWT } from "jose";

export type DevTokenOptions = {
  secret: string;
  issuer: string;
  audience: string;
  tenantId: string;
  userId: string;
  roles: Role[];
  name?: string;
  email?: string;
  expiresIn?: string;
};

/** HS256 tokens for development, tests and benchmarks (production verifies RS256/ES256). */
export function signDevToken(o: DevTokenOptions): Promise<string> {
  return new SignJWT({ tid: o.tenantId, roles: o.roles, ...(o.name ? { name: o.name } : {}), ...(o.email ? { email: o.email } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(o.userId)
    .setIssuer(o.issuer)
    .setAudience(o.audience)
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? "60m")
    .sign(new TextEncoder().encode(o.secret));
}
