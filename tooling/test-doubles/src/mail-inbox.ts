import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MailDev } from "maildev";

export type MailInbox = {
  /** For the worker's SMTP_URL. */
  smtpUrl: string;
  /** maildev's web inbox: HTML and text bodies, attachments, calendar invitations, raw source. */
  webUrl: string;
  close: () => Promise<void>;
};

/**
 * A development mail inbox (maildev) on free loopback ports of its own, so two checkouts or a test
 * run never collide. Mail is kept in `mailDirectory` (restored on the next start) or, without one,
 * in a temporary folder removed on close.
 */
export async function startMailInbox(options: { mailDirectory?: string } = {}): Promise<MailInbox> {
  const temporary = options.mailDirectory ? undefined : mkdtempSync(join(tmpdir(), "clientele-mail-"));
  const maildev = new MailDev({
    smtp: 0,
    web: 0,
    ip: "127.0.0.1",
    webIp: "127.0.0.1",
    mailDirectory: options.mailDirectory ?? temporary,
    silent: true,
  });
  const { smtp, api } = await maildev.start();
  const web = api?.getAddress();
  if (!web) {
    await maildev.stop();
    throw new Error("maildev started without its web interface");
  }
  return {
    smtpUrl: `smtp://127.0.0.1:${smtp.getAddress().port}`,
    webUrl: `http://127.0.0.1:${web.port}/`,
    close: async () => {
      await maildev.stop();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
