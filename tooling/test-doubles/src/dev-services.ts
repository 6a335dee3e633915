import { startMailInbox, type MailInbox } from "./mail-inbox";
import { startTwilioStandIn, type TwilioStandIn } from "./twilio-stand-in";

export type DevServicesOptions = {
  /** Run the mail inbox (when SMTP_URL is not set). */
  mail?: { mailDirectory?: string | undefined } | undefined;
  /** Run the Twilio stand-in (when there are no Twilio credentials); `apiUrl` is where the API listens. */
  sms?: { accountSid: string; authToken: string; apiUrl: string } | undefined;
};

/** What the start script hands the worker and API, and prints in its banner. */
export type DevServicesInfo = {
  smtpUrl?: string | undefined;
  mailInboxUrl?: string | undefined;
  twilioApiBaseUrl?: string | undefined;
  smsInboxUrl?: string | undefined;
};

export type DevServices = DevServicesInfo & { close: () => Promise<void> };

/** Delays that make the page show a message travel (queued, sent, delivered) like a real one. */
const DELIVERY = { sentAfterMs: 500, deliveredAfterMs: 1500 };

/** The local stand-ins `npm start` runs for providers that are not configured, on free ports. */
export async function startDevServices(options: DevServicesOptions): Promise<DevServices> {
  let mail: MailInbox | undefined;
  let sms: TwilioStandIn | undefined;
  const close = async () => {
    await Promise.all([mail?.close(), sms?.close()]);
  };
  try {
    if (options.mail) mail = await startMailInbox({ ...(options.mail.mailDirectory ? { mailDirectory: options.mail.mailDirectory } : {}) });
    if (options.sms) {
      sms = await startTwilioStandIn({
        accountSid: options.sms.accountSid,
        authToken: options.sms.authToken,
        inboundUrl: `${options.sms.apiUrl.replace(/\/$/, "")}/api/v1/webhooks/twilio/inbound`,
        deliver: DELIVERY,
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    smtpUrl: mail?.smtpUrl,
    mailInboxUrl: mail?.webUrl,
    twilioApiBaseUrl: sms?.url,
    smsInboxUrl: sms?.pageUrl,
    close,
  };
}
