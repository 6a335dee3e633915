import { randomBytes, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { signTwilioRequest, smsSegments } from "@clientele/messaging";

export type StandInMessageStatus =
  | "accepted"
  | "queued"
  | "sending"
  | "sent"
  | "delivered"
  | "undelivered"
  | "failed"
  | "received";

export type StandInMessage = {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  status: StandInMessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  dateCreated: Date;
  dateUpdated: Date;
  /** The `I-Twilio-Idempotency-Token` request header, if the client sent one. */
  idempotencyToken: string | undefined;
  /** Every form field as posted. */
  params: Record<string, string>;
  /** Status callbacks posted for this message, and how the receiver answered. */
  callbacks: WebhookDelivery[];
};

/** One webhook the stand-in posted to our API and the HTTP status it got back (0: unreachable). */
export type WebhookDelivery = { status: string; httpStatus: number; at: Date };

/** A text "from a phone" posted through the page's form to the inbound webhook. */
export type SimulatedInbound = { sid: string; from: string; to: string; body: string; at: Date; httpStatus: number; response: string };

export type TwilioStandInConfig = {
  accountSid: string;
  authToken: string;
  /** The number's incoming-message webhook (our API's /webhooks/twilio/inbound), for the page's form. */
  inboundUrl?: string | undefined;
  /** Move each message to sent, then delivered, with a signed status callback each time, as Twilio does. */
  deliver?: { sentAfterMs: number; deliveredAfterMs: number } | undefined;
};

export type StandInFailure = {
  /** HTTP status: 5xx or 429 for a transient failure, 400 with a Twilio code for a permanent one. */
  status: number;
  code?: number | undefined;
  message?: string | undefined;
};

export type CallbackResponse = { status: number; body: string };

export type StatusCallbackParams = {
  MessageSid: string;
  MessageStatus: string;
  ErrorCode?: string | number | undefined;
};

export type InboundParams = { From: string; To: string; Body: string };

export type TwilioStandIn = {
  /** Base URL to pass to createSmsSender({ apiBaseUrl }). */
  url: string;
  accountSid: string;
  messages: StandInMessage[];
  /** Texts simulated through the page, newest last. */
  inbound: SimulatedInbound[];
  /** The page listing messages (GET /), with a form that simulates an incoming text. */
  pageUrl: string;
  waitFor(predicate: (message: StandInMessage) => boolean, timeoutMs?: number): Promise<StandInMessage>;
  /** Answer the next `count` create-message requests with this error instead. */
  failNext(count: number, failure: StandInFailure): void;
  /** Change what GET …/Messages/{Sid}.json reports, as Twilio does while a message travels. */
  setStatus(sid: string, status: StandInMessageStatus, errorCode?: number): void;
  /** POST a signed delivery-status callback to our API, as Twilio does on each status change. */
  sendStatusCallback(
    url: string,
    params: StatusCallbackParams,
    extra?: Record<string, string>,
  ): Promise<CallbackResponse>;
  /** POST a signed incoming-message webhook to our API, as Twilio does when someone texts our number. */
  sendInbound(url: string, params: InboundParams, extra?: Record<string, string>): Promise<CallbackResponse>;
  clear(): void;
  close(): Promise<void>;
};

const API_VERSION = "2010-04-01";
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;
const DEFAULT_WAIT_MS = 10_000;

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

/** Twilio's dates are RFC 2822 with a numeric zone. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

function messageJson(message: StandInMessage) {
  const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}.json`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: null,
    date_updated: rfc2822(message.dateUpdated),
    direction: "outbound-api",
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: "0",
    num_segments: String(message.numSegments),
    price: null,
    price_unit: "USD",
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: uri.replace(/\.json$/, "/Media.json") },
    to: message.to,
    uri,
  };
}

function errorJson(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Just enough of Twilio's REST API (create and fetch a Message) for the official SDK, on 127.0.0.1,
 * plus the webhooks Twilio sends the other way, signed with the same auth token.
 */
export async function startTwilioStandIn(config: TwilioStandInConfig): Promise<TwilioStandIn> {
  const messages: StandInMessage[] = [];
  const inbound: SimulatedInbound[] = [];
  const failures: StandInFailure[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const expectedAuth = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const body = await readBody(req);
    const notFound = () => send(res, 404, errorJson(404, 20404, `The requested resource ${path} was not found`));
    // The page is for a browser on this machine; Basic auth guards only Twilio's API paths.
    if (!path.startsWith(`/${API_VERSION}/`)) return handlePage(req, res, path, body);

    if (!sameSecret(req.headers.authorization ?? "", expectedAuth)) {
      res.setHeader("www-authenticate", 'Basic realm="Twilio API"');
      return send(res, 401, errorJson(401, 20003, "Authenticate"));
    }

    const create = MESSAGES_PATH.exec(path);
    if (create) {
      if (create[1] !== config.accountSid) return notFound();
      if (req.method !== "POST") return send(res, 405, errorJson(405, 20004, "Method not allowed"));
      const failure = failures.shift();
      if (failure) {
        return send(
          res,
          failure.status,
          errorJson(failure.status, failure.code ?? failure.status * 100, failure.message ?? "Injected failure"),
        );
      }
      const params = Object.fromEntries(new URLSearchParams(body));
      const to = params.To;
      const from = params.From ?? null;
      const messagingServiceSid = params.MessagingServiceSid ?? null;
      const text = params.Body;
      if (!to) return send(res, 400, errorJson(400, 21604, "A 'To' phone number is required."));
      if (!from && !messagingServiceSid) {
        return send(res, 400, errorJson(400, 21603, "A 'From' phone number is required."));
      }
      if (text === undefined || text === "") {
        return send(res, 400, errorJson(400, 21602, "Message body is required."));
      }
      const now = new Date();
      const idempotencyHeader = req.headers["i-twilio-idempotency-token"];
      const message: StandInMessage = {
        sid: sid("SM"),
        accountSid: config.accountSid,
        to,
        from,
        messagingServiceSid,
        body: text,
        statusCallback: params.StatusCallback ?? null,
        // Like Twilio: a Messaging Service without a From picks the sender later, so "accepted".
        status: from ? "queued" : "accepted",
        errorCode: null,
        errorMessage: null,
        numSegments: smsSegments(text).segments,
        dateCreated: now,
        dateUpdated: now,
        idempotencyToken: Array.isArray(idempotencyHeader) ? idempotencyHeader[0] : idempotencyHeader,
        params,
        callbacks: [],
      };
      messages.push(message);
      send(res, 201, messageJson(message));
      events.emit("message", message);
      if (config.deliver) travel(message, config.deliver);
      return;
    }

    const fetchMatch = MESSAGE_PATH.exec(path);
    if (fetchMatch && req.method === "GET" && fetchMatch[1] === config.accountSid) {
      const message = messages.find((candidate) => candidate.sid === fetchMatch[2]);
      return message ? send(res, 200, messageJson(message)) : notFound();
    }
    notFound();
  }

  /** Sets the status and, when the message asked for callbacks, tells our API as Twilio would. */
  async function report(message: StandInMessage, status: StandInMessageStatus, errorCode?: number): Promise<void> {
    message.status = status;
    message.errorCode = errorCode ?? null;
    message.dateUpdated = new Date();
    if (!message.statusCallback) return;
    const params = { MessageSid: message.sid, MessageStatus: status, ...(errorCode ? { ErrorCode: errorCode } : {}) };
    const response = await callback(message.statusCallback, params).catch(() => ({ status: 0, body: "" }));
    message.callbacks.push({ status, httpStatus: response.status, at: new Date() });
  }

  const timers = new Set<NodeJS.Timeout>();
  function later(ms: number, fn: () => Promise<void>): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void fn();
    }, ms);
    timers.add(timer);
  }

  /** Sent, then delivered; a message dropped by clear() travels no further. */
  function travel(message: StandInMessage, delays: NonNullable<TwilioStandInConfig["deliver"]>): void {
    const still = () => messages.includes(message);
    later(delays.sentAfterMs, async () => {
      if (!still()) return;
      await report(message, "sent");
      if (still()) later(delays.deliveredAfterMs, async () => void (still() && (await report(message, "delivered"))));
    });
  }

  async function handlePage(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<void> {
    const form = Object.fromEntries(new URLSearchParams(body));
    const back = () => {
      res.writeHead(303, { location: "/" });
      res.end();
    };
    if (req.method === "GET" && path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(renderPage({ messages, inbound, inboundUrl: config.inboundUrl }));
      return;
    }
    if (req.method === "POST" && path === "/inbound") {
      if (!config.inboundUrl) return send(res, 409, { message: "no inbound webhook configured" });
      const from = form.From?.trim() ?? "";
      const to = form.To?.trim() || (messages.at(-1)?.from ?? "");
      const text = form.Body ?? "";
      if (!from || !text) return send(res, 400, { message: "From and Body are required" });
      const sent = await inboundWebhook(config.inboundUrl, { From: from, To: to, Body: text }).catch((error: Error) => ({
        status: 0,
        body: error.message,
        sid: "",
      }));
      inbound.push({ sid: sent.sid, from, to, body: text, at: new Date(), httpStatus: sent.status, response: sent.body });
      return back();
    }
    const status = /^\/messages\/([^/]+)\/status$/.exec(path);
    if (req.method === "POST" && status) {
      const message = messages.find((candidate) => candidate.sid === status[1]);
      const next = PAGE_STATUSES[form.status ?? ""];
      if (!message || !next) return send(res, 404, { message: "no such message or status" });
      await report(message, next.status, next.errorCode);
      return back();
    }
    send(res, 404, { message: `no page at ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, errorJson(500, 20500, `stand-in error: ${String(error)}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  /** Form-encoded POST with the signature Twilio would compute over this exact URL and these fields. */
  async function postSigned(url: string, params: Record<string, string>): Promise<CallbackResponse> {
    const signature = signTwilioRequest({ authToken: config.authToken, url, params });
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
        "i-twilio-idempotency-token": randomBytes(16).toString("hex"),
        "user-agent": "TwilioProxy/1.1",
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  function callback(url: string, params: StatusCallbackParams, extra: Record<string, string> = {}): Promise<CallbackResponse> {
    const known = messages.find((message) => message.sid === params.MessageSid);
    return postSigned(url, {
      AccountSid: config.accountSid,
      ApiVersion: API_VERSION,
      MessageSid: params.MessageSid,
      SmsSid: params.MessageSid,
      MessageStatus: params.MessageStatus,
      SmsStatus: params.MessageStatus,
      ...(known ? { To: known.to } : {}),
      ...(known?.from ? { From: known.from } : {}),
      ...(known?.messagingServiceSid ? { MessagingServiceSid: known.messagingServiceSid } : {}),
      ...(params.ErrorCode !== undefined ? { ErrorCode: String(params.ErrorCode) } : {}),
      ...extra,
    });
  }

  async function inboundWebhook(url: string, params: InboundParams, extra: Record<string, string> = {}) {
    const messageSid = sid("SM");
    const response = await postSigned(url, {
      AccountSid: config.accountSid,
      ApiVersion: API_VERSION,
      MessageSid: messageSid,
      SmsSid: messageSid,
      SmsMessageSid: messageSid,
      SmsStatus: "received",
      From: params.From,
      To: params.To,
      Body: params.Body,
      NumMedia: "0",
      NumSegments: String(Math.max(1, smsSegments(params.Body).segments)),
      ...extra,
    });
    return { ...response, sid: messageSid };
  }

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pageUrl: `${url}/`,
    accountSid: config.accountSid,
    messages,
    inbound,
    waitFor(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onMessage = (message: StandInMessage) => {
          if (!predicate(message)) return;
          cleanup();
          resolve(message);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Twilio stand-in: timed out after ${timeoutMs} ms (${messages.length} messages received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          events.off("message", onMessage);
        };
        events.on("message", onMessage);
      });
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    setStatus(messageSid, status, errorCode) {
      const message = messages.find((candidate) => candidate.sid === messageSid);
      if (!message) throw new Error(`no message ${messageSid}`);
      message.status = status;
      message.errorCode = errorCode ?? null;
      message.dateUpdated = new Date();
    },
    sendStatusCallback: callback,
    sendInbound: async (url, params, extra) => {
      const { status, body } = await inboundWebhook(url, params, extra);
      return { status, body };
    },
    clear() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      messages.length = 0;
      inbound.length = 0;
      failures.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the page's buttons can report for a message, with Twilio's error codes for the failures. */
const PAGE_STATUSES: Record<string, { status: StandInMessageStatus; errorCode?: number }> = {
  sent: { status: "sent" },
  delivered: { status: "delivered" },
  undelivered: { status: "undelivered", errorCode: 30005 },
  failed: { status: "failed", errorCode: 30003 },
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const time = (date: Date) => date.toISOString().replace("T", " ").slice(0, 19);

function renderPage(state: { messages: StandInMessage[]; inbound: SimulatedInbound[]; inboundUrl: string | undefined }): string {
  const buttons = Object.keys(PAGE_STATUSES)
    .map((status) => `<button name="status" value="${status}">${status}</button>`)
    .join(" ");
  const callbacks = (message: StandInMessage) =>
    message.callbacks.map((c) => `${escapeHtml(c.status)} → ${c.httpStatus || "unreachable"}`).join("<br>");
  const sent = [...state.messages]
    .reverse()
    .map(
      (m) => `<tr><td>${time(m.dateCreated)}</td><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.from ?? m.messagingServiceSid ?? "")}</td>
<td class="body">${escapeHtml(m.body)}</td><td class="status">${escapeHtml(m.status)}${m.errorCode ? ` (${m.errorCode})` : ""}</td>
<td>${callbacks(m)}</td><td><form method="post" action="/messages/${encodeURIComponent(m.sid)}/status">${buttons}</form></td></tr>`,
    )
    .join("\n");
  const received = [...state.inbound]
    .reverse()
    .map(
      (m) => `<tr><td>${time(m.at)}</td><td>${escapeHtml(m.from)}</td><td>${escapeHtml(m.to)}</td><td class="body">${escapeHtml(m.body)}</td>
<td>${m.httpStatus || "unreachable"}</td></tr>`,
    )
    .join("\n");
  const lastFrom = state.messages.at(-1)?.to ?? "";
  const form = state.inboundUrl
    ? `<form method="post" action="/inbound" class="inbound">
<label>From <input name="From" value="${escapeHtml(lastFrom)}" placeholder="+14155550100" required></label>
<label>To <input name="To" value="${escapeHtml(state.messages.at(-1)?.from ?? "")}" placeholder="our number"></label>
<label>Text <input name="Body" value="STOP" required></label>
<button>Send to Clientele</button></form>
<p class="hint">Posted, signed like Twilio, to ${escapeHtml(state.inboundUrl)}. STOP opts the number out; START opts it back in.</p>`
    : "<p>No inbound webhook is configured.</p>";
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>SMS inbox (Twilio stand-in)</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%;margin-bottom:2em}
td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}td.body{white-space:pre-wrap;max-width:30em}
form.inbound label{margin-right:1em}.hint{color:#666}</style></head>
<body><h1>SMS inbox</h1>
<p>Every text Clientele sends through this Twilio stand-in. Status changes are reported back to the API as signed
status callbacks, as Twilio would. <a href="/">Refresh</a></p>
<h2>Sent by Clientele</h2>
<table><thead><tr><th>time (UTC)</th><th>to</th><th>from</th><th>body</th><th>status</th><th>callbacks → API answer</th><th>report status</th></tr></thead>
<tbody id="sent">${sent || '<tr><td colspan="7">No messages yet.</td></tr>'}</tbody></table>
<h2>Simulate an incoming text</h2>
${form}
<table><thead><tr><th>time (UTC)</th><th>from</th><th>to</th><th>body</th><th>API answer</th></tr></thead>
<tbody id="received">${received}</tbody></table>
<script>setInterval(() => { if (!document.activeElement || document.activeElement === document.body) location.reload(); }, 3000);</script>
</body></html>`;
}
