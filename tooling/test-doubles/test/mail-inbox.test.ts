import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmailSender, meetingInvite } from "@clientele/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailInbox, type MailInbox } from "../src/index";

let inbox: MailInbox;
beforeAll(async () => {
  inbox = await startMailInbox();
});
afterAll(() => inbox.close());

type Listed = { id: string; subject: string; to: { address: string }[]; attachments: { filename: string; generatedFileName: string; contentType: string }[] };
const list = (box: MailInbox): Promise<Listed[]> => fetch(new URL("api/email", box.webUrl)).then((r) => r.json() as Promise<Listed[]>);

async function waitForSubject(box: MailInbox, subject: string): Promise<Listed> {
  for (let i = 0; i < 200; i++) {
    const found = (await list(box)).find((m) => m.subject === subject);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no mail "${subject}" in ${box.webUrl}`);
}

describe("the development mail inbox (maildev)", () => {
  it("shows what the worker's sender sends: HTML, text, an attachment and a calendar invitation", async () => {
    const sender = createEmailSender({ smtpUrl: inbox.smtpUrl, from: { address: "crm@clientele.test", name: "Clientele" } });
    const invite = meetingInvite({
      uid: "meeting-9@clientele",
      sequence: 0,
      method: "REQUEST",
      title: "Quarterly review",
      start: new Date("2030-03-04T09:00:00Z"),
      end: new Date("2030-03-04T10:00:00Z"),
      organizer: { email: "crm@clientele.test" },
      attendees: [{ email: "anna@example.com" }],
    });
    try {
      await sender.send({
        messageId: "inbox-1",
        to: [{ address: "anna@example.com" }],
        subject: "Your quote",
        text: "Hello Anna, the quote is attached.",
        html: "<p>Hello <b>Anna</b>, the quote is attached.</p>",
        attachments: [{ filename: "quote.pdf", content: Buffer.from("%PDF-1.4 quote"), contentType: "application/pdf" }],
        icalEvent: { method: "REQUEST", content: invite, filename: "invite.ics" },
      });
    } finally {
      sender.close();
    }
    const mail = await waitForSubject(inbox, "Your quote");
    expect(mail.to.map((t) => t.address)).toEqual(["anna@example.com"]);
    const quote = mail.attachments.find((a) => a.filename === "quote.pdf");
    expect(quote?.contentType).toBe("application/pdf");
    expect(mail.attachments.some((a) => a.contentType === "text/calendar")).toBe(true);
    const html = await fetch(new URL(`api/email/${mail.id}/html`, inbox.webUrl)).then((r) => r.text());
    expect(html).toContain("<b>Anna</b>");
    const source = await fetch(new URL(`api/email/${mail.id}/source`, inbox.webUrl)).then((r) => r.text());
    expect(source).toContain("Hello Anna, the quote is attached.");
    expect(source).toContain("text/calendar");
    expect(source).toContain("method=REQUEST");
    const attachment = await fetch(new URL(`api/email/${mail.id}/attachment/${quote?.generatedFileName}`, inbox.webUrl));
    expect(attachment.status).toBe(200);
    expect(await attachment.text()).toBe("%PDF-1.4 quote");
    // The web page itself, for a person.
    const page = await fetch(inbox.webUrl, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  it("takes free ports of its own, so two inboxes run side by side, and keeps mail in its folder across restarts", async () => {
    const folder = mkdtempSync(join(tmpdir(), "clientele-mail-test-"));
    try {
      const first = await startMailInbox({ mailDirectory: folder });
      expect(first.smtpUrl).not.toBe(inbox.smtpUrl);
      expect(first.webUrl).not.toBe(inbox.webUrl);
      const sender = createEmailSender({ smtpUrl: first.smtpUrl, from: { address: "crm@clientele.test" } });
      await sender.send({ messageId: "kept-1", to: [{ address: "ben@example.com" }], subject: "Kept", text: "kept" });
      sender.close();
      await waitForSubject(first, "Kept");
      expect((await list(inbox)).some((m) => m.subject === "Kept")).toBe(false);
      await first.close();
      const again = await startMailInbox({ mailDirectory: folder });
      try {
        expect((await waitForSubject(again, "Kept")).to[0]?.address).toBe("ben@example.com");
      } finally {
        await again.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
