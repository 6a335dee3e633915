import { randomUUID } from "node:crypto";
import { startSmtpServer, startTwilioStandIn, type SmtpTestServer, type TwilioStandIn } from "@clientele/test-doubles";
import { inject } from "vitest";
import { sharedEnv, startIsolatedTestServer, startTestServer, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

const TWILIO = { accountSid: `AC${"0".repeat(31)}1`, authToken: "stand-in-auth-token" };

export type Comms = {
  server: TestServer;
  worker: WorkerProcess;
  smtp: SmtpTestServer;
  twilio: TwilioStandIn;
  /** What another process needs to join this API and worker: database, files, queue prefix. */
  env: Record<string, string>;
  close: () => Promise<void>;
};

/**
 * API + worker wired to a real SMTP server and a Twilio stand-in. The queue prefix is this
 * file's own, so no other file's worker takes (and sends) these jobs. `isolated` names a
 * database of its own (see startIsolatedTestServer), which no other file's worker sweeps and
 * whose own worker sweeps as often as a test worker does.
 */
export async function startComms(apiEnv: Record<string, string> = {}, o: { isolated?: string } = {}): Promise<Comms> {
  const [smtp, twilio] = await Promise.all([startSmtpServer(), startTwilioStandIn(TWILIO)]);
  const QUEUE_PREFIX = `${inject("queuePrefix")}-${randomUUID().slice(0, 6)}`;
  const api = { QUEUE_PREFIX, TWILIO_AUTH_TOKEN: TWILIO.authToken, ...apiEnv };
  const own = o.isolated ? await startIsolatedTestServer(o.isolated, api) : undefined;
  const env = { ...sharedEnv(), ...own?.env, QUEUE_PREFIX };
  const [server, worker] = await Promise.all([
    own ?? startTestServer(api),
    startWorker({
      ...env,
      SMTP_URL: smtp.url,
      EMAIL_FROM: "Acme CRM <crm@acme.example>",
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TWILIO.authToken,
      TWILIO_FROM: "+15005550006",
      TWILIO_API_BASE_URL: twilio.url,
      // Only this run's queue: on the shared database the sweeper would also see other files' messages.
      ...(own ? {} : { SWEEP_INTERVAL_MS: "600000" }),
    }),
  ]);
  return {
    server,
    worker,
    smtp,
    twilio,
    env,
    close: async () => {
      // The worker first: an isolated server's close drops the database under it.
      await worker.stop();
      await server.close();
      await Promise.all([smtp.close(), twilio.close()]);
    },
  };
}
