import pino, { type DestinationStream, type Logger } from "pino";

/** PII never reaches the logs: these keys are censored wherever they appear (two levels deep). */
const PII_KEYS = [
  "email",
  "primaryEmail",
  "secondaryEmail",
  "phone",
  "primaryPhone",
  "secondaryPhone",
  "firstName",
  "lastName",
  "companyName",
  "street",
  "billingAddress",
  "shippingAddress",
  "address",
  "authorization",
  "token",
];

export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Top-level "name" is pino's logger name; a nested one is a person's or a company's.
    redact: {
      paths: [...PII_KEYS, ...[...PII_KEYS, "name"].flatMap((k) => [`*.${k}`, `*.*.${k}`])],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };

/** A URL fit for a log line or an error message: its password masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable url)";
  }
}

/** One line whatever the error: drivers raise AggregateErrors (no message of their own) and multi-line text. */
export function describeError(error: unknown): string {
  const e = error as Error & { code?: string; errors?: unknown[] };
  const text = e.message || (e.errors?.length ? e.errors.map(describeError).join("; ") : "") || e.code || String(error);
  return text.replace(/\s*\n\s*/g, "; ");
}

const EMAIL_IN_TEXT = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+\.[A-Za-z]{2,}/g;
// Eight digits or more, so status codes ("550 5.1.1") and addresses ("127.0.0.1") stay readable.
const PHONE_IN_TEXT = /\+?\d[\d ().-]{6,}\d/g;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Free text from elsewhere (a provider's refusal, a driver's error) with email addresses, phone
 * numbers and URL credentials masked: "550 <bob@x.com>: no such user" names the person.
 */
export function maskPii(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]+@/gi, "$1:***@")
    .replace(EMAIL_IN_TEXT, "[email]")
    .replace(PHONE_IN_TEXT, (m) => (m.replace(/\D/g, "").length >= 8 && !IPV4.test(m) ? "[phone]" : m));
}
