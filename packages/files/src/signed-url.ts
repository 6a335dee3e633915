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

function mac(secret: DownloadSecret, encodedPayload: string): string {
  return createHmac("sha256", secret).update(encodedPayload).digest("base64url");
}

/** `<base64url JSON>.<HMAC-SHA256>`: the download links and the queue dashboard's session cookie. */
export function signPayload(secret: DownloadSecret, payload: object): string {
  checkSecret(secret);
  const encoded = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${encoded}.${mac(secret, encoded)}`;
}

/** The payload of a token signed with this secret, or null when it is malformed or its signature is not ours. */
export function verifyPayload(secret: DownloadSecret, token: unknown): unknown {
  checkSecret(secret);
  const parts = typeof token === "string" ? token.split(".") : [];
  const [encoded, signature] = parts;
  if (parts.length !== 2 || !encoded || !signature) return null;
  // Comparing the canonical encodings rejects alternative spellings of the same signature bytes.
  const expected = Buffer.from(mac(secret, encoded), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return null;
  }
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
  return { token: signPayload(input.secret, payload), expiresAt: new Date(e * 1000) };
}

export function verifyDownload(input: {
  secret: DownloadSecret;
  token: string;
  now?: Date | undefined;
}): VerifyDownloadResult {
  const invalid = { error: "invalid" } as const;
  const payload = verifyPayload(input.secret, input.token);
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
