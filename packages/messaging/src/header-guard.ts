import { MessageRejectedError } from "./delivery-error";

const LINE_BREAK = /[\r\n\0]/;

/** CR or LF in any header-bound value could end the header and start a new one (header injection). */
export function assertSingleLine(field: string, value: string): void {
  if (LINE_BREAK.test(value)) throw new MessageRejectedError("email", field, "contains a line break or NUL");
}

/**
 * Deliberately narrow: besides CR/LF, a comma, semicolon or angle bracket would let one "address"
 * expand into several recipients once an address parser sees it.
 */
export const ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

export function assertAddress(field: string, address: string): void {
  assertSingleLine(field, address);
  if (!ADDRESS.test(address)) throw new MessageRejectedError("email", field, `is not a plain e-mail address`);
}

/** RFC 5322 field-name: printable ASCII except the colon. */
const HEADER_NAME = /^[!-9;-~]+$/;

/** Headers we set ourselves; letting callers override them would break addressing or idempotency. */
const RESERVED_HEADERS = new Set([
  "from",
  "sender",
  "to",
  "cc",
  "bcc",
  "reply-to",
  "subject",
  "message-id",
  "date",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "return-path",
]);

export function assertHeader(name: string, value: string): void {
  if (!HEADER_NAME.test(name)) throw new MessageRejectedError("email", "header name", `${JSON.stringify(name)} is invalid`);
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new MessageRejectedError("email", `header ${name}`, "is set by the sender and cannot be overridden");
  }
  assertSingleLine(`header ${name}`, value);
}

/** dot-atom-text of RFC 5322, so `<id@clientele>` is a valid msg-id. */
const MESSAGE_ID = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;

export function assertMessageId(messageId: string): void {
  if (!MESSAGE_ID.test(messageId) || messageId.length > 200) {
    throw new MessageRejectedError("email", "messageId", "must be 1-200 characters of [A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]");
  }
}
