import nodemailer, { type NodemailerError, type SendMailOptions } from "nodemailer";
import { DeliveryError, MessageRejectedError } from "./delivery-error";
import { assertAddress, assertHeader, assertMessageId, assertSingleLine } from "./header-guard";

export type EmailAddress = { address: string; name?: string | undefined };

export type EmailAttachment = { filename: string; content: Buffer; contentType?: string | undefined };

/** Sent as a text/calendar alternative part, which is what makes mail clients show accept/decline buttons. */
export type CalendarPart = { method: "REQUEST" | "CANCEL"; content: string; filename?: string | undefined };

export type OutgoingEmail = {
  /** Our idempotency key; sent as the Message-ID header `<messageId@clientele>`. */
  messageId: string;
  to: EmailAddress[];
  cc?: EmailAddress[] | undefined;
  replyTo?: EmailAddress | undefined;
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
  attachments?: EmailAttachment[] | undefined;
  icalEvent?: CalendarPart | undefined;
  headers?: Record<string, string> | undefined;
};

export type EmailSendResult = {
  /** The Message-ID header we sent (`<messageId@clientele>`); bounces and replies refer to it. */
  providerMessageId: string;
  accepted: string[];
  /** Recipients the server refused while accepting the others; empty when all were accepted. */
  rejected: string[];
  /** The server's final reply, e.g. "250 2.0.0 Ok: queued as 4Xy…"; it carries the relay's queue id. */
  response: string;
};

export type EmailSender = {
  send(message: OutgoingEmail): Promise<EmailSendResult>;
  verify(): Promise<void>;
  close(): void;
};

export type EmailSenderConfig = {
  /** smtp://user:pass@host:587 or smtps://user:pass@host:465 */
  smtpUrl: string;
  from: string | EmailAddress;
  /** Keep connections open and reuse them; worth it for a worker sending many messages. */
  pool?: boolean | undefined;
};

export const MESSAGE_ID_DOMAIN = "clientele";

export function createEmailSender(config: EmailSenderConfig): EmailSender {
  const from = checkFrom(config.from);
  const url = new URL(config.smtpUrl);
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error(`smtpUrl must start with smtp:// or smtps://, got ${url.protocol}//`);
  }
  const transporter = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: config.pool === true,
    // The defaults (2 min to connect, 10 min idle) would park a worker slot on a dead relay.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    // Content arrives as Buffers; never let a message make the worker read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    async send(message) {
      const options = toMailOptions(message, from);
      try {
        const info = await transporter.sendMail(options);
        return {
          providerMessageId: info.messageId,
          accepted: info.accepted.map(addressOf),
          rejected: info.rejected.map(addressOf),
          response: info.response,
        };
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    close() {
      transporter.close();
    },
  };
}

function addressOf(entry: string | { address: string }): string {
  return typeof entry === "string" ? entry : entry.address;
}

function checkFrom(from: string | EmailAddress): string | EmailAddress {
  if (typeof from === "string") {
    assertSingleLine("from", from);
    return from;
  }
  return checkAddress("from", from);
}

function checkAddress(field: string, entry: EmailAddress): EmailAddress {
  assertAddress(`${field} address`, entry.address);
  if (entry.name !== undefined) assertSingleLine(`${field} name`, entry.name);
  return entry.name ? { address: entry.address, name: entry.name } : { address: entry.address, name: "" };
}

/** Every header-bound value is checked here, before nodemailer encodes anything. */
function toMailOptions(message: OutgoingEmail, from: string | EmailAddress): SendMailOptions {
  assertMessageId(message.messageId);
  if (message.to.length === 0) throw new MessageRejectedError("email", "to", "has no recipients");
  const to = message.to.map((entry) => checkAddress("to", entry));
  const cc = message.cc?.map((entry) => checkAddress("cc", entry));
  const replyTo = message.replyTo ? checkAddress("replyTo", message.replyTo) : undefined;
  assertSingleLine("subject", message.subject);
  const hasContent = message.text || message.html || message.attachments?.length || message.icalEvent;
  if (!hasContent) throw new MessageRejectedError("email", "body", "is empty: no text, html, attachment or invite");

  const attachments = message.attachments?.map((attachment, i) => {
    assertSingleLine(`attachments[${i}].filename`, attachment.filename);
    if (attachment.contentType !== undefined) assertSingleLine(`attachments[${i}].contentType`, attachment.contentType);
    return {
      filename: attachment.filename,
      content: attachment.content,
      ...(attachment.contentType ? { contentType: attachment.contentType } : {}),
    };
  });

  let icalEvent: SendMailOptions["icalEvent"];
  if (message.icalEvent) {
    const { method, content, filename } = message.icalEvent;
    if (method !== "REQUEST" && method !== "CANCEL") throw new MessageRejectedError("email", "icalEvent.method", "is invalid");
    if (filename !== undefined) assertSingleLine("icalEvent.filename", filename);
    icalEvent = { method, content, ...(filename ? { filename } : {}) };
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    assertHeader(name, value);
    headers[name] = value;
  }

  return {
    from,
    to,
    ...(cc && cc.length > 0 ? { cc } : {}),
    ...(replyTo ? { replyTo } : {}),
    subject: message.subject,
    messageId: `<${message.messageId}@${MESSAGE_ID_DOMAIN}>`,
    ...(message.text ? { text: message.text } : {}),
    ...(message.html ? { html: message.html } : {}),
    ...(attachments && attachments.length > 0 ? { attachments } : {}),
    ...(icalEvent ? { icalEvent } : {}),
    headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** Failures without an SMTP reply that retrying cannot fix: our configuration or input is wrong. */
const PERMANENT_WITHOUT_REPLY = new Set([
  "EAUTH",
  "ENOAUTH",
  "ECONFIG",
  "EENVELOPE",
  "EMAXRECIPIENTS",
  "EREQUIRETLS",
  "EFILEACCESS",
  "EURLACCESS",
]);

/**
 * RFC 5321: 5yz replies are permanent, 4yz transient. 503 ("bad sequence of commands") is the
 * exception nodemailer also makes: it reports a confused session, not a refused message.
 * Errors without a reply (connection refused, reset, timeouts, DNS) are transient.
 */
export function classifySmtpError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const err = (error ?? {}) as NodemailerError;
  const message = err instanceof Error ? err.message : String(error);
  const responseCode = typeof err.responseCode === "number" ? err.responseCode : undefined;
  if (responseCode !== undefined) {
    const permanent = responseCode >= 500 && responseCode < 600 && responseCode !== 503;
    return new DeliveryError(`SMTP ${responseCode}: ${err.response ?? message}`, {
      channel: "email",
      permanent,
      providerCode: String(responseCode),
      cause: error,
    });
  }
  const code = typeof err.code === "string" ? err.code : undefined;
  return new DeliveryError(`SMTP ${code ?? "error"}: ${message}`, {
    channel: "email",
    permanent: code !== undefined && PERMANENT_WITHOUT_REPLY.has(code),
    providerCode: code,
    cause: error,
  });
}
