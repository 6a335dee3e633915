import { describe, expect, it } from "vitest";
import { DOWNLOAD_URL_TTL_SECONDS, signDownload, verifyDownload } from "../src/signed-url";

const secret = "s".repeat(32);
const now = new Date("2025-01-01T12:00:00Z");
const expiresAt = new Date(now.getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000);
const key = "contact-exports/tenant-a/0b6f7a1e-6f0e-4a43-9a35-1c1a3f1a9d11.csv";

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("signed download URLs", () => {
  it("uses a 24 hour lifetime", () => {
    expect(DOWNLOAD_URL_TTL_SECONDS).toBe(86_400);
  });

  it("verifies a fresh token and returns tenant and key", () => {
    const signed = signDownload({ secret, tenantId: "tenant-a", key, expiresAt });
    expect(signed.expiresAt).toEqual(expiresAt);
    expect(signed.token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyDownload({ secret, token: signed.token, now })).toEqual({ tenantId: "tenant-a", key });
  });

  it("accepts a token until just before expiry and reports it expired after", () => {
    const { token } = signDownload({ secret, tenantId: "tenant-a", key, expiresAt });
    expect(verifyDownload({ secret, token, now: new Date(expiresAt.getTime() - 1000) })).toEqual({
      tenantId: "tenant-a",
      key,
    });
    expect(verifyDownload({ secret, token, now: expiresAt })).toEqual({ error: "expired" });
    expect(verifyDownload({ secret, token, now: new Date(expiresAt.getTime() + 25 * 3600 * 1000) })).toEqual({
      error: "expired",
    });
  });

  it("rejects a payload changed to another tenant or another key", () => {
    const { token } = signDownload({ secret, tenantId: "tenant-a", key, expiresAt });
    const [, signature] = token.split(".");
    const e = Math.floor(expiresAt.getTime() / 1000);
    const otherTenant = `${b64json({ t: "tenant-b", k: key, e })}.${signature}`;
    const otherKey = `${b64json({ t: "tenant-a", k: "contact-exports/tenant-b/x.csv", e })}.${signature}`;
    const longerLife = `${b64json({ t: "tenant-a", k: key, e: e + 3600 })}.${signature}`;
    for (const forged of [otherTenant, otherKey, longerLife]) {
      expect(verifyDownload({ secret, token: forged, now })).toEqual({ error: "invalid" });
    }
  });

  it("rejects a tampered signature", () => {
    const { token } = signDownload({ secret, tenantId: "tenant-a", key, expiresAt });
    const [payload, signature = ""] = token.split(".");
    const flipped = signature.slice(0, -1) + (signature.endsWith("A") ? "B" : "A");
    expect(verifyDownload({ secret, token: `${payload}.${flipped}`, now })).toEqual({ error: "invalid" });
    expect(verifyDownload({ secret, token: `${payload}.${signature.slice(1)}`, now })).toEqual({ error: "invalid" });
    expect(verifyDownload({ secret, token: `${payload}.`, now })).toEqual({ error: "invalid" });
  });

  it("rejects a token signed with another secret", () => {
    const { token } = signDownload({ secret: "x".repeat(32), tenantId: "tenant-a", key, expiresAt });
    expect(verifyDownload({ secret, token, now })).toEqual({ error: "invalid" });
  });

  it("reports a forged expired token as invalid, not expired", () => {
    const e = Math.floor(now.getTime() / 1000) - 10;
    expect(verifyDownload({ secret, token: `${b64json({ t: "tenant-a", k: key, e })}.abc`, now })).toEqual({
      error: "invalid",
    });
  });

  it.each(["", "garbage", "a.b.c", "...", "eyJ0IjoxfQ.x"])("rejects the malformed token %j", (token) => {
    expect(verifyDownload({ secret, token, now })).toEqual({ error: "invalid" });
  });

  it("refuses a short secret", () => {
    expect(() => signDownload({ secret: "short", tenantId: "tenant-a", key, expiresAt })).toThrow(/at least 32/);
  });
});
