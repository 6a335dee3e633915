import { createHmac, timingSafeEqual } from "node:crypto";

/** Download links for exports live for 24 hours. */
export const DOWNLOAD_URL_TTL_SECONDS = 24 * 3600;

/** HMAC-SHA256 gives no protection with a guessable key; refuse obviously weak secrets. */
const MIN_SECRET_BYTES = 32;

export type DownloadSecret = string | Buffer;

export type SignDownloadInput = {
  secret: DownloadSecret;
  tenantId: string;
  key: string;
  expiresAt: Date;
};

export type VerifyDownloadResult = { tenantId: string; key: string } | { error: "expired" | "invalid" };

type Payload = { t: string; k: string; e: number };

function checkSecret(secret: DownloadSecret): void {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new Error(`the download signing secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

function sign(secret: DownloadSecret, encodedPayload: string): string {
  return createHmac("sha256", secret).update(encodedPayload).digest("base64url");
}

/**
 * The token binds tenant, key and expiry under an HMAC, so it can be neither guessed nor edited to
 * point at another tenant's file. Expiry is kept to whole seconds; the returned `expiresAt` is exact.
 */
export function signDownload(input: SignDownloadInput): { token: string; expiresAt: Date } {
  checkSecret(input.secret);
  if (input.tenantId.length === 0) throw new Error("tenantId is required");
  if (input.key.length === 0) throw new Error("key is required");
  const e = Math.floor(input.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(e)) throw new Error("expiresAt is not a valid date");
  const payload: Payload = { t: input.tenantId, k: input.key, e };
  const encoded = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return { token: `${encoded}.${sign(input.secret, encoded)}`, expiresAt: new Date(e * 1000) };
}

export function verifyDownload(input: {
  secret: DownloadSecret;
  token: string;
  now?: Date | undefined;
}): VerifyDownloadResult {
  checkSecret(input.secret);
  const invalid = { error: "invalid" } as const;
  const parts = typeof input.token === "string" ? input.token.split(".") : [];
  const [encoded, signature] = parts;
  if (parts.length !== 2 || !encoded || !signature) return invalid;

  // Comparing the canonical encodings rejects alternative spellings of the same signature bytes.
  const expected = Buffer.from(sign(input.secret, encoded), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;

  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return invalid;
  }
  if (!isPayload(payload)) return invalid;
  const now = input.now ?? new Date();
  if (now.getTime() >= payload.e * 1000) return { error: "expired" };
  return { tenantId: payload.t, key: payload.k };
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.t === "string" &&
    p.t.length > 0 &&
    typeof p.k === "string" &&
    p.k.length > 0 &&
    typeof p.e === "number" &&
    Number.isSafeInteger(p.e)
  );
}
