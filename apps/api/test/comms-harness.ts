import { randomUUID } from "node:crypto";
import { startSmtpServer, startTwilioStandIn, type SmtpTestServer, type TwilioStandIn } from "@clientele/test-doubles";
import { inject } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

const TWILIO = { accountSid: `AC${"0".repeat(31)}1`, authToken: "stand-in-auth-token" };

export type Comms = { server: TestServer; worker: WorkerProcess; smtp: SmtpTestServer; twilio: TwilioStandIn; close: () => Promise<void> };

/**
 * API + worker wired to a real SMTP server and a Twilio stand-in. The queue prefix is this
 * file's own, so no other file's worker takes (and sends) these jobs.
 */
export async function startComms(apiEnv: Record<string, string> = {}): Promise<Comms> {
  const [smtp, twilio] = await Promise.all([startSmtpServer(), startTwilioStandIn(TWILIO)]);
  const QUEUE_PREFIX = `${inject("queuePrefix")}-${randomUUID().slice(0, 6)}`;
  const [server, worker] = await Promise.all([
    startTestServer({ QUEUE_PREFIX, TWILIO_AUTH_TOKEN: TWILIO.authToken, ...apiEnv }),
    startWorker({
      QUEUE_PREFIX,
      SMTP_URL: smtp.url,
      EMAIL_FROM: "Acme CRM <crm@acme.example>",
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TWILIO.authToken,
      TWILIO_FROM: "+15005550006",
      TWILIO_API_BASE_URL: twilio.url,
      // Only this run's queue: the database sweeper would also see other files' messages.
      SWEEP_INTERVAL_MS: "600000",
    }),
  ]);
  return {
    server,
    worker,
    smtp,
    twilio,
    close: async () => {
      await Promise.all([server.close(), worker.stop()]);
      await Promise.all([smtp.close(), twilio.close()]);
    },
  };
}
