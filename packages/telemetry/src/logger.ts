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
