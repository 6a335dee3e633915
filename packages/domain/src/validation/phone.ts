import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from "libphonenumber-js/max";

export type PhoneResult = { ok: true; value: string } | { ok: false; message: string };

const INVALID = "must be a valid phone number in international format, e.g. +44 20 7946 0958";
const NO_COUNTRY_CODE = "must include a country code (+…)";

const ALLOWED_CHARS = /^[0-9+\-(). ]+$/;
// ITU-T E.164: at most 15 digits including the country code.
const MIN_E164_DIGITS = 7;
const MAX_E164_DIGITS = 15;

/** Distinct inputs remembered by parsePhone; past it the memory starts again (a bound, not an LRU). */
const PARSED_MAX = 5_000;
const parsed = new Map<string, PhoneNumber | undefined>();

/**
 * libphonenumber's parse (with the "max" metadata, which the search's national forms need),
 * remembered per input and default country: a bulk import parses each number for validation
 * and again for its search keys, and a file often repeats numbers (a company's switchboard).
 * Callers only read the result.
 */
export function parsePhone(phone: string, country?: CountryCode): PhoneNumber | undefined {
  const key = country ? `${country}|${phone}` : phone;
  if (parsed.has(key)) return parsed.get(key);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  const value = parsePhoneNumberFromString(phone, country);
  parsed.set(key, value);
  return value;
}

/**
 * REQ-CUS-033: returns the number in E.164. `defaultCountry` (ISO 3166-1 alpha-2, e.g. from the
 * billing address) lets a national number through; without it a "+" country code is required.
 */
export function validatePhone(input: string, defaultCountry?: string): PhoneResult {
  const phone = input.trim();
  if (!ALLOWED_CHARS.test(phone) || !/[0-9]/.test(phone)) return { ok: false, message: INVALID };

  const country = toSupportedCountry(defaultCountry);
  if (!phone.startsWith("+") && country === undefined) return { ok: false, message: NO_COUNTRY_CODE };

  const number = parsePhone(phone, country);
  if (number === undefined) return { ok: false, message: INVALID };

  const digits = number.number.length - 1;
  // isPossible() not isValid(): the spec's own example +1-555-123-4567 is a fictional 555 number
  // that isValid() rejects; isPossible() still checks the per-country length rules.
  if (!number.isPossible() || digits < MIN_E164_DIGITS || digits > MAX_E164_DIGITS) {
    return { ok: false, message: INVALID };
  }
  return { ok: true, value: number.number };
}

function toSupportedCountry(code: string | undefined): CountryCode | undefined {
  if (code === undefined) return undefined;
  const upper = code.trim().toUpperCase();
  // Unknown codes are ignored rather than thrown on: the caller's address is validated elsewhere.
  return isSupportedCountry(upper) ? upper : undefined;
}
