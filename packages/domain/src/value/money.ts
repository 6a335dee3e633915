import { validationError } from "../errors";

/**
 * Exact money (issue 12): amounts are DECIMAL(18,2) strings at the edges and bigint cents inside;
 * exchange rates are DECIMAL(18,8) strings. No JavaScript number ever holds an amount.
 */

const AMOUNT = /^(\d{1,16})(?:\.(\d{1,2}))?$/;
const RATE = /^(\d{1,10})(?:\.(\d{1,8}))?$/;
const RATE_SCALE = 100_000_000n;

/** Why `s` is not a money amount (non-negative, at most 2 decimals, fits DECIMAL(18,2)), or null. */
export function moneyProblem(s: string): string | null {
  const t = s.trim();
  if (t.startsWith("-")) return "must not be negative";
  if (/^\d+\.\d{3,}$/.test(t)) return "must have at most 2 decimal places";
  if (/^\d{17,}(\.\d*)?$/.test(t)) return "must be less than 10000000000000000";
  if (!AMOUNT.test(t)) return "must be a decimal amount like 1234.50";
  return null;
}

/** Cents of a money string; a bad amount is a validation error on `field`. */
export function parseMoney(s: string, field = "amount"): bigint {
  const problem = moneyProblem(s);
  if (problem) throw validationError({ [field]: [problem] });
  const [, whole, fraction = ""] = AMOUNT.exec(s.trim())!;
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, "0"));
}

/** Cents of a signed money string as stored (a lifetime value may fall below zero after refunds). */
export function parseSignedMoney(s: string, field = "amount"): bigint {
  const t = s.trim();
  return t.startsWith("-") ? -parseMoney(t.slice(1), field) : parseMoney(t, field);
}

/** "1234.50" for 123450n; negative cents keep their sign ("-0.05"). */
export function formatMoney(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** A money string in canonical form ("5" → "5.00"). */
export const normalizeMoney = (s: string, field = "amount") => formatMoney(parseMoney(s, field));

/** Why `s` is not an exchange rate (positive, at most 8 decimals, fits DECIMAL(18,8)), or null. */
export function rateProblem(s: string): string | null {
  const t = s.trim();
  if (t.startsWith("-")) return "must be positive";
  if (/^\d+\.\d{9,}$/.test(t)) return "must have at most 8 decimal places";
  if (!RATE.test(t)) return "must be a decimal rate like 1.08250000";
  if (parseRateUnits(t) === 0n) return "must be positive";
  return null;
}

function parseRateUnits(t: string): bigint {
  const [, whole, fraction = ""] = RATE.exec(t)!;
  return BigInt(whole!) * RATE_SCALE + BigInt(fraction.padEnd(8, "0"));
}

/** A rate as a DECIMAL(18,8) string ("1.1" → "1.10000000"); a bad rate is a validation error on `field`. */
export function normalizeRate(s: string, field = "exchangeRate"): string {
  const problem = rateProblem(s);
  if (problem) throw validationError({ [field]: [problem] });
  const units = parseRateUnits(s.trim());
  return `${units / RATE_SCALE}.${(units % RATE_SCALE).toString().padStart(8, "0")}`;
}

/** Integer division rounding half away from zero (half-up for the non-negative amounts we hold). */
function divideHalfUp(n: bigint, d: bigint): bigint {
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an * 2n + ad) / (ad * 2n);
  return negative ? -q : q;
}

/** amount × rate, rounded half-up to cents: the base-currency amount of a transaction. */
export function convert(amount: string, rate: string): string {
  const cents = parseMoney(amount);
  const units = parseRateUnits(normalizeRate(rate));
  return formatMoney(divideHalfUp(cents * units, RATE_SCALE));
}

/** ISO 4217 codes the runtime knows (ICU's list); no hand-kept table to go stale. */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

/** Why `code` is not a currency code, or null. */
export function currencyProblem(code: string): string | null {
  if (!/^[A-Z]{3}$/.test(code)) return "must be a three-letter ISO 4217 code in capitals, like EUR";
  return CURRENCIES.has(code) ? null : `${code} is not an ISO 4217 currency code`;
}
