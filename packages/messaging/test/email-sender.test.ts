import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DeliveryError,
  MessageRejectedError,
  classifySmtpError,
  createEmailSender,
  type EmailSender,
  type OutgoingEmail,
} from "../src/index";
import { closedPortUrl, rejection } from "./support/helpers";
import { startRecordingSmtp, type RecordingSmtp } from "./support/recording-smtp";

const base: OutgoingEmail = {
  messageId: "msg-1",
  to: [{ address: "anna@example.com", name: "Anna Example" }],
  subject: "Hello",
  text: "Hi Anna",
};

let smtp: RecordingSmtp;
let sender: EmailSender;

beforeAll(async () => {
  smtp = await startRecordingSmtp();
  sender = createEmailSender({ smtpUrl: smtp.url, from: { address: "noreply@clientele.test", name: "Clientele" } });
});
afterAll(async () => {
  sender.close();
  await smtp.close();
});
afterEach(() => {
  smtp.mails.length = 0;
});

describe("createEmailSender", () => {
  it("sends with our Message-ID, attachments and a calendar part", async () => {
    const result = await sender.send({
      ...base,
      cc: [{ address: "boss@example.com" }],
      replyTo: { address: "support@clientele.test", name: "Support" },
      html: "<p>Hi Anna</p>",
      attachments: [{ filename: "report.pdf", content: Buffer.from("%PDF-1.4 test"), contentType: "application/pdf" }],
      icalEvent: { method: "REQUEST", content: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", filename: "invite.ics" },
      headers: { "X-Campaign-Id": "c-42" },
    });
    expect(result.providerMessageId).toBe("<msg-1@clientele>");
    expect(result.accepted).toEqual(["anna@example.com", "boss@example.com"]);
    expect(result.rejected).toEqual([]);
    expect(result.response).toContain("queued as TEST123");

    const mail = smtp.mails[0];
    expect(mail?.from).toBe("noreply@clientele.test");
    expect(mail?.to).toEqual(["anna@example.com", "boss@example.com"]);
    expect(mail?.raw).toMatch(/^Message-ID: <msg-1@clientele>\r$/m);
    expect(mail?.raw).toMatch(/^X-Campaign-Id: c-42\r$/im);
    expect(mail?.raw).toMatch(/^Reply-To: Support <support@clientele\.test>\r$/m);
    expect(mail?.raw).toContain("text/calendar");
    expect(mail?.raw).toContain("method=REQUEST");
    expect(mail?.raw).toContain('filename=report.pdf');
  });

  it("works with pooled connections", async () => {
    const pooled = createEmailSender({ smtpUrl: smtp.url, from: "noreply@clientele.test", pool: true });
    try {
      await pooled.verify();
      const results = await Promise.all(
        [1, 2, 3].map((n) => pooled.send({ ...base, messageId: `pool-${n}` })),
      );
      expect(results.map((r) => r.providerMessageId).sort()).toEqual([
        "<pool-1@clientele>",
        "<pool-2@clientele>",
        "<pool-3@clientele>",
      ]);
      expect(smtp.mails).toHaveLength(3);
    } finally {
      pooled.close();
    }
  });

  it("reports recipients the server refused while accepting others", async () => {
    smtp.rejectRecipient("gone@example.com", 550);
    const result = await sender.send({ ...base, to: [...base.to, { address: "gone@example.com" }] });
    expect(result.accepted).toEqual(["anna@example.com"]);
    expect(result.rejected).toEqual(["gone@example.com"]);
  });

  it("rejects a bad smtp URL and a from with a line break", () => {
    expect(() => createEmailSender({ smtpUrl: "http://x", from: "a@b.c" })).toThrow(/smtp:\/\//);
    expect(() => createEmailSender({ smtpUrl: smtp.url, from: "a@b.c\r\nBcc: x@y.z" })).toThrow(MessageRejectedError);
  });
});

describe("header injection", () => {
  const cases: [string, OutgoingEmail][] = [
    ["subject", { ...base, subject: "Hi\r\nBcc: victim@example.com" }],
    ["subject LF only", { ...base, subject: "Hi\nBcc: victim@example.com" }],
    ["display name", { ...base, to: [{ address: "a@example.com", name: "A\r\nBcc: v@example.com" }] }],
    ["address with CRLF", { ...base, to: [{ address: "a@example.com\r\nBcc: v@example.com" }] }],
    ["address list smuggled in one address", { ...base, to: [{ address: "a@example.com, v@example.com" }] }],
    ["cc address", { ...base, cc: [{ address: "<v@example.com>" }] }],
    ["replyTo name", { ...base, replyTo: { address: "r@example.com", name: "R\nX: y" } }],
    ["attachment filename", { ...base, attachments: [{ filename: "a.pdf\r\nX-Evil: 1", content: Buffer.from("x") }] }],
    [
      "attachment content type",
      { ...base, attachments: [{ filename: "a.pdf", content: Buffer.from("x"), contentType: "text/plain\r\nX: 1" }] },
    ],
    ["calendar filename", { ...base, icalEvent: { method: "REQUEST", content: "x", filename: "i.ics\nX: 1" } }],
    ["header value", { ...base, headers: { "X-Tag": "a\r\nBcc: v@example.com" } }],
    ["header name", { ...base, headers: { "X-Tag: a\r\nBcc": "v@example.com" } }],
    ["header name with colon", { ...base, headers: { "Bcc:": "v@example.com" } }],
    ["reserved header", { ...base, headers: { Bcc: "v@example.com" } }],
    ["Message-ID override", { ...base, headers: { "message-id": "<other@x>" } }],
    ["messageId", { ...base, messageId: "id>\r\nBcc: v@example.com" }],
    ["messageId with @", { ...base, messageId: "a@b" }],
    ["no recipients", { ...base, to: [] }],
    ["no content at all", { ...base, text: undefined }],
  ];

  it.each(cases)("refuses %s before connecting", async (_name, message) => {
    const before = smtp.connections();
    const error = await rejection(sender.send(message));
    expect(error).toBeInstanceOf(MessageRejectedError);
    expect(error.permanent).toBe(true);
    expect(error.channel).toBe("email");
    expect(smtp.connections()).toBe(before);
    expect(smtp.mails).toHaveLength(0);
  });

  it("sends an attachment-only message", async () => {
    const attachments = [{ filename: "a.txt", content: Buffer.from("x") }];
    await sender.send({ ...base, text: undefined, attachments });
    expect(smtp.mails).toHaveLength(1);
  });

  it("allows line breaks in the body", async () => {
    await sender.send({ ...base, text: "line 1\r\nline 2\nBcc: not-a-header@example.com" });
    expect(smtp.mails[0]?.to).toEqual(["anna@example.com"]);
  });
});

describe("SMTP error classification", () => {
  it("treats 550 for every recipient as permanent", async () => {
    smtp.rejectRecipient("nobody@example.com", 550);
    const error = await rejection(sender.send({ ...base, to: [{ address: "nobody@example.com" }] }));
    expect(error.permanent).toBe(true);
    expect(error.providerCode).toBe("550");
  });

  it("treats 553 at DATA as permanent and 451 as transient", async () => {
    smtp.rejectData(553);
    const permanent = await rejection(sender.send(base));
    expect(permanent).toMatchObject({ permanent: true, providerCode: "553" });

    smtp.rejectData(451);
    const transient = await rejection(sender.send(base));
    expect(transient).toMatchObject({ permanent: false, providerCode: "451" });
  });

  it("treats a refused connection as transient", async () => {
    const offline = createEmailSender({ smtpUrl: await closedPortUrl("smtp"), from: "noreply@clientele.test" });
    const error = await rejection(offline.send(base));
    expect(error.permanent).toBe(false);
    expect(error.providerCode).toMatch(/^E/);
    const verifyError = await rejection(offline.verify());
    expect(verifyError.permanent).toBe(false);
    offline.close();
  });

  it.each([
    [{ responseCode: 550, response: "550 5.1.1 No such user" }, true, "550"],
    [{ responseCode: 553, response: "553 mailbox name not allowed" }, true, "553"],
    [{ responseCode: 535, code: "EAUTH" }, true, "535"],
    [{ responseCode: 503, response: "503 bad sequence" }, false, "503"],
    [{ responseCode: 451, response: "451 try later" }, false, "451"],
    [{ responseCode: 421, response: "421 closing" }, false, "421"],
    [{ code: "ECONNECTION" }, false, "ECONNECTION"],
    [{ code: "ETIMEDOUT" }, false, "ETIMEDOUT"],
    [{ code: "ESOCKET" }, false, "ESOCKET"],
    [{ code: "EAUTH" }, true, "EAUTH"],
    [{ code: "EENVELOPE" }, true, "EENVELOPE"],
    [{}, false, undefined],
  ])("classifies %o as permanent=%s", (props, permanent, providerCode) => {
    const error = classifySmtpError(Object.assign(new Error("boom"), props));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.permanent).toBe(permanent);
    expect(error.providerCode).toBe(providerCode);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("passes our own errors through", () => {
    const own = new MessageRejectedError("email", "subject", "bad");
    expect(classifySmtpError(own)).toBe(own);
  });
});
