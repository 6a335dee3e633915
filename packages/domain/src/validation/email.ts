import { disposableEmailBlocklistSet } from "disposable-email-domains-js";

export type EmailResult = { ok: true; value: string } | { ok: false; message: string };

const MAX_LENGTH = 255;
const MAX_LOCAL_LENGTH = 64;

const INVALID = "must be a valid email address";
const TOO_LONG = `must be at most ${MAX_LENGTH} characters`;
const DISPOSABLE = "disposable email domains are not accepted";

// RFC 5322 atext, joined by single dots (dot-atom).
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// RFC 5322 quoted-string: printable ASCII except `"` and `\`, space/tab, or a quoted-pair.
const QUOTED_STRING = /^"(?:[\x20\x21\x23-\x5B\x5D-\x7E\t]|\\[\x20-\x7E\t])*"$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TLD = /^[A-Za-z]{2,}$/;

// The package's own isDisposableEmailDomain rebuilds the Set on every call; build it once.
const DISPOSABLE_DOMAINS: ReadonlySet<string> = disposableEmailBlocklistSet();

/** REQ-CUS-032: format, length and disposable-domain check; lower-cases the domain only. */
export function validateEmail(input: string): EmailResult {
  // Reject before trimming so a trailing CR/LF (header injection) is not silently dropped.
  if (/[\r\n]/.test(input)) return { ok: false, message: INVALID };

  const email = input.trim();
  if (email.length > MAX_LENGTH) return { ok: false, message: TOO_LONG };

  // The local part may itself contain a quoted "@", so split at the last one.
  const at = email.lastIndexOf("@");
  if (at <= 0) return { ok: false, message: INVALID };
  const local = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();

  if (!isValidLocalPart(local) || !isValidDomain(domain)) return { ok: false, message: INVALID };
  if (isDisposable(domain)) return { ok: false, message: DISPOSABLE };

  return { ok: true, value: `${local}@${domain}` };
}

function isValidLocalPart(local: string): boolean {
  if (local.length === 0 || local.length > MAX_LOCAL_LENGTH) return false;
  return DOT_ATOM.test(local) || QUOTED_STRING.test(local);
}

function isValidDomain(domain: string): boolean {
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1] ?? "";
  return labels.every((label) => DOMAIN_LABEL.test(label)) && TLD.test(tld);
}

/** Checks the domain and each parent, so sub.mailinator.com is caught too. */
function isDisposable(domain: string): boolean {
  const labels = domain.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    if (DISPOSABLE_DOMAINS.has(labels.slice(i).join("."))) return true;
  }
  return false;
}
