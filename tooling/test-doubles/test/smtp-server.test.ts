import { createEmailSender, meetingInvite, type EmailSender, type OutgoingEmail } from "@clientele/messaging";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSmtpServer, type SmtpTestServer } from "../src/index";
import { deliveryError } from "./support/delivery-error";

let smtp: SmtpTestServer;
let sender: EmailSender;

const base: OutgoingEmail = {
  messageId: "welcome-1",
  to: [{ address: "anna@example.com", name: "Anna Berg" }],
  subject: "Welcome",
  text: "Hello Anna",
};

beforeAll(async () => {
  smtp = await startSmtpServer();
  sender = createEmailSender({ smtpUrl: smtp.url, from: { address: "noreply@clientele.test", name: "Clientele" } });
});
afterAll(async () => {
  sender.close();
  await smtp.close();
});
beforeEach(() => smtp.clear());

describe("startSmtpServer", () => {
  it("records a message with an attachment and a calendar invite, parsed", async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80]);
    const invite = meetingInvite({
      uid: "meeting-7@clientele",
      sequence: 0,
      method: "REQUEST",
      title: "Kick-off",
      start: new Date("2030-01-02T09:00:00Z"),
      end: new Date("2030-01-02T10:00:00Z"),
      organizer: { email: "olga@clientele.test" },
      attendees: [{ email: "anna@example.com" }],
    });
    await sender.send({
      ...base,
      subject: "Your documents – Grüße",
      html: "<p>Hello <b>Anna</b></p>",
      cc: [{ address: "boss@example.com" }],
      attachments: [{ filename: "contract.pdf", content: pdf, contentType: "application/pdf" }],
      icalEvent: { method: "REQUEST", content: invite, filename: "invite.ics" },
      headers: { "X-Campaign-Id": "c-9" },
    });

    const message = await smtp.waitFor((m) => m.messageId === "<welcome-1@clientele>");
    expect(message.envelope).toEqual({ from: "noreply@clientele.test", to: ["anna@example.com", "boss@example.com"] });
    expect(message.subject).toBe("Your documents – Grüße");
    expect(message.from).toBe("noreply@clientele.test");
    expect(message.to).toEqual(["anna@example.com"]);
    expect(message.cc).toEqual(["boss@example.com"]);
    expect(message.text?.trim()).toBe("Hello Anna");
    expect(message.html).toBe("<p>Hello <b>Anna</b></p>");
    expect(message.headers["x-campaign-id"]).toBe("c-9");
    expect(message.headers["message-id"]).toBe("<welcome-1@clientele>");

    const attachment = message.attachments.find((a) => a.filename === "contract.pdf");
    expect(attachment?.contentType).toBe("application/pdf");
    expect(attachment?.content.equals(pdf)).toBe(true);

    expect(message.calendar?.method).toBe("REQUEST");
    expect(message.calendar?.content).toContain("UID:meeting-7@clientele");
    expect(message.calendar?.content).toContain("DTSTART:20300102T090000Z");
    expect(message.raw.toString("utf8")).toContain("Content-Type: text/calendar");
  });

  it("waits for messages still to come and times out clearly", async () => {
    const waiting = smtp.waitForCount(2, 5_000);
    await sender.send({ ...base, messageId: "a" });
    await sender.send({ ...base, messageId: "b" });
    expect((await waiting).map((m) => m.messageId)).toEqual(["<a@clientele>", "<b@clientele>"]);
    await expect(smtp.waitFor((m) => m.subject === "never", 100)).rejects.toThrow(/timed out/);
  });

  it("failNext 451 makes the send fail transiently, then accepts the retry", async () => {
    smtp.failNext(1, { code: 451, message: "Greylisted, try again" });
    const error = await deliveryError(sender.send(base));
    expect(error.permanent).toBe(false);
    expect(error.providerCode).toBe("451");
    expect(error.message).toContain("Greylisted");
    expect(smtp.messages).toHaveLength(0);

    await sender.send(base);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.rejections).toEqual([{ stage: "data", code: 451, recipients: ["anna@example.com"] }]);
  });

  it("failNext 550 makes the send fail permanently", async () => {
    smtp.failNext(1, { code: 550, message: "Mailbox unavailable" });
    const error = await deliveryError(sender.send(base));
    expect(error.permanent).toBe(true);
    expect(error.providerCode).toBe("550");
  });

  it("failNext can refuse at RCPT TO", async () => {
    smtp.failNext(1, { code: 450, message: "Mailbox busy", stage: "rcpt" });
    const error = await deliveryError(sender.send({ ...base, to: [...base.to, { address: "ben@example.com" }] }));
    expect(error.permanent).toBe(false);
    expect(smtp.rejections.map((r) => r.recipients[0])).toEqual(["anna@example.com", "ben@example.com"]);
    await sender.send(base);
    expect(smtp.messages).toHaveLength(1);
  });

  it("failRecipient refuses one address only", async () => {
    smtp.failRecipient("Gone@Example.com", 550, "No such user");
    const result = await sender.send({ ...base, to: [...base.to, { address: "gone@example.com" }] });
    expect(result.accepted).toEqual(["anna@example.com"]);
    expect(result.rejected).toEqual(["gone@example.com"]);
    expect(smtp.messages[0]?.envelope.to).toEqual(["anna@example.com"]);

    const error = await deliveryError(sender.send({ ...base, to: [{ address: "gone@example.com" }] }));
    expect(error).toMatchObject({ permanent: true, providerCode: "550" });
  });

  it("clear() forgets messages and pending failures", async () => {
    smtp.failNext(3, { code: 451 });
    smtp.failRecipient("anna@example.com", 550);
    smtp.clear();
    await sender.send(base);
    expect(smtp.messages).toHaveLength(1);
  });

  it("works with a pooled sender", async () => {
    const pooled = createEmailSender({ smtpUrl: smtp.url, from: "noreply@clientele.test", pool: true });
    await Promise.all(Array.from({ length: 5 }, (_, i) => pooled.send({ ...base, messageId: `p${i}` })));
    await smtp.waitForCount(5);
    pooled.close();
  });

  it("rejects codes outside 4xx/5xx", () => {
    expect(() => smtp.failNext(1, { code: 250 })).toThrow();
    expect(() => smtp.failRecipient("a@b.c", 200)).toThrow();
  });
});
