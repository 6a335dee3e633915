import { EventEmitter } from "node:events";
import { type AddressInfo } from "node:net";
import { simpleParser, type AddressObject, type HeaderLines } from "mailparser";
import { SMTPServer, type SMTPServerError, type SMTPServerSession } from "smtp-server";

export type ReceivedAttachment = { filename: string | undefined; contentType: string; content: Buffer };

export type ReceivedEmail = {
  /** What the client said in MAIL FROM / RCPT TO: who it was actually delivered to (Bcc included). */
  envelope: { from: string; to: string[] };
  /** The Message-ID header, angle brackets included, e.g. `<abc@clientele>`. */
  messageId: string | undefined;
  subject: string;
  /** Address from the From header. */
  from: string;
  /** Addresses from the To and Cc headers. */
  to: string[];
  cc: string[];
  text: string | undefined;
  html: string | undefined;
  /** Raw header values by lower-case name, unfolded; a repeated header's values are joined by "\n". */
  headers: Record<string, string>;
  /** Every non-body part, including text/calendar parts, with decoded bytes. */
  attachments: ReceivedAttachment[];
  /** The first text/calendar part (an invite sent as an alternative or attachment), if any. */
  calendar: { method: string | undefined; content: string } | undefined;
  raw: Buffer;
};

export type SmtpFailure = {
  /** 4xx is transient (the sender should retry), 5xx permanent. */
  code: number;
  message?: string | undefined;
  /** Where to refuse: after DATA (default) or at RCPT TO, for every recipient of the transaction. */
  stage?: "data" | "rcpt" | undefined;
};

export type SmtpRejection = { stage: "data" | "rcpt"; code: number; recipients: string[] };

export type SmtpTestServer = {
  /** `smtp://127.0.0.1:PORT`, ready for createEmailSender({ smtpUrl }). */
  url: string;
  port: number;
  messages: ReceivedEmail[];
  /** Every refusal this server made, in order, for asserting on retries. */
  rejections: SmtpRejection[];
  waitFor(predicate: (message: ReceivedEmail) => boolean, timeoutMs?: number): Promise<ReceivedEmail>;
  waitForCount(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  /** Forget recorded messages, rejections and every pending failure. */
  clear(): void;
  /** Refuse the next `count` messages with this reply. */
  failNext(count: number, failure: SmtpFailure): void;
  /** Refuse this recipient at RCPT TO until clear(); the others in the same message still go through. */
  failRecipient(address: string, code: number, message?: string): void;
  close(): Promise<void>;
};

export type SmtpServerOptions = { port?: number | undefined };

const DEFAULT_WAIT_MS = 10_000;

function smtpError(code: number, message: string | undefined): SMTPServerError {
  const error: SMTPServerError = new Error(message ?? (code >= 500 ? "Requested action not taken" : "Try again later"));
  error.responseCode = code;
  return error;
}

function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return list.flatMap((entry) => entry.value.flatMap((address) => (address.address ? [address.address] : [])));
}

function headerRecord(lines: HeaderLines): Record<string, string> {
  const record: Record<string, string> = {};
  for (const { key, line } of lines) {
    const value = line
      .slice(line.indexOf(":") + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    record[key] = record[key] === undefined ? value : `${record[key]}\n${value}`;
  }
  return record;
}

async function parse(raw: Buffer, session: SMTPServerSession): Promise<ReceivedEmail> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const attachments = parsed.attachments.map((attachment) => ({
    filename: attachment.filename,
    contentType: attachment.contentType,
    content: attachment.content,
  }));
  const calendarPart = parsed.attachments.find((attachment) => attachment.contentType === "text/calendar");
  const calendarType = calendarPart?.headers.get("content-type");
  const method =
    calendarType && typeof calendarType === "object" && "params" in calendarType ? calendarType.params.method : undefined;
  return {
    envelope: {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
      to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
    },
    messageId: parsed.messageId,
    subject: parsed.subject ?? "",
    from: addresses(parsed.from)[0] ?? "",
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    text: parsed.text,
    html: parsed.html === false ? undefined : parsed.html,
    headers: headerRecord(parsed.headerLines),
    attachments,
    calendar: calendarPart ? { method, content: calendarPart.content.toString("utf8") } : undefined,
    raw,
  };
}

/**
 * A real SMTP server (nodemailer's smtp-server) on 127.0.0.1 that records what it receives,
 * parsed by mailparser. Plain text, no auth: it only ever listens on loopback.
 */
export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const messages: ReceivedEmail[] = [];
  const rejections: SmtpRejection[] = [];
  const pending: SmtpFailure[] = [];
  const failingRecipients = new Map<string, { code: number; message: string | undefined }>();
  /** Transactions refused at RCPT: every further recipient of the same transaction is refused alike. */
  const failingTransactions = new Map<string, SmtpFailure>();
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // Pooled clients keep connections open; don't make close() wait the default 30 s for them.
    closeTimeout: 500,
    onRcptTo(address, session, callback) {
      const recipient = address.address;
      const byAddress = failingRecipients.get(recipient.toLowerCase());
      if (byAddress) {
        rejections.push({ stage: "rcpt", code: byAddress.code, recipients: [recipient] });
        return callback(smtpError(byAddress.code, byAddress.message));
      }
      const transaction = `${session.id}:${session.transaction}`;
      let failure = failingTransactions.get(transaction);
      if (!failure && pending[0]?.stage === "rcpt") {
        failure = pending.shift();
        if (failure) failingTransactions.set(transaction, failure);
      }
      if (failure) {
        rejections.push({ stage: "rcpt", code: failure.code, recipients: [recipient] });
        return callback(smtpError(failure.code, failure.message));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", () => {
        const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        if (pending[0] && pending[0].stage !== "rcpt") {
          const failure = pending.shift() as SmtpFailure;
          rejections.push({ stage: "data", code: failure.code, recipients });
          return callback(smtpError(failure.code, failure.message));
        }
        const raw = Buffer.concat(chunks);
        parse(raw, session).then(
          (message) => {
            messages.push(message);
            callback(null, `Ok: queued as ${session.id}`);
            events.emit("message", message);
          },
          (error: unknown) => callback(smtpError(451, `could not parse the message: ${String(error)}`)),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Keep a stray socket error from crashing the test process; the client sees it anyway.
  server.on("error", () => undefined);
  const { port } = server.server.address() as AddressInfo;

  function waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = check();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onMessage = () => {
        const result = check();
        if (result === undefined) return;
        cleanup();
        resolve(result);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`SMTP test server: timed out after ${timeoutMs} ms waiting for ${what} (${messages.length} received)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        events.off("message", onMessage);
      };
      events.on("message", onMessage);
    });
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    rejections,
    waitFor: (predicate, timeoutMs = DEFAULT_WAIT_MS) =>
      waitUntil(() => messages.find(predicate), timeoutMs, "a matching message"),
    waitForCount: (count, timeoutMs = DEFAULT_WAIT_MS) =>
      waitUntil(() => (messages.length >= count ? messages.slice() : undefined), timeoutMs, `${count} messages`),
    clear() {
      messages.length = 0;
      rejections.length = 0;
      pending.length = 0;
      failingRecipients.clear();
      failingTransactions.clear();
    },
    failNext(count, failure) {
      if (failure.code < 400 || failure.code > 599) throw new Error("failNext needs a 4xx or 5xx code");
      for (let i = 0; i < count; i++) pending.push(failure);
    },
    failRecipient(address, code, message) {
      if (code < 400 || code > 599) throw new Error("failRecipient needs a 4xx or 5xx code");
      failingRecipients.set(address.toLowerCase(), { code, message });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
