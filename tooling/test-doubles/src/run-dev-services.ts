import { parseArgs } from "node:util";
import { startDevServices } from "./dev-services";

/**
 * `tsx src/run-dev-services.ts [--mail [--mail-dir DIR]] [--sms --api-url URL --account-sid AC… --auth-token T]`:
 * starts the stand-ins, prints one `dev-services ready {json}` line with their URLs, and runs until
 * SIGTERM/SIGINT (npm start's tooling/scripts/start.mjs runs it).
 */
const USAGE = "usage: run-dev-services [--mail [--mail-dir DIR]] [--sms --api-url URL --account-sid SID --auth-token TOKEN]";

let values;
try {
  ({ values } = parseArgs({
    options: {
      mail: { type: "boolean", default: false },
      "mail-dir": { type: "string" },
      sms: { type: "boolean", default: false },
      "api-url": { type: "string" },
      "account-sid": { type: "string" },
      "auth-token": { type: "string" },
    },
  }));
} catch (error) {
  console.error(`dev-services: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const apiUrl = values["api-url"];
const accountSid = values["account-sid"];
const authToken = values["auth-token"];
if (values.sms && (!apiUrl || !accountSid || !authToken)) {
  console.error(`dev-services: --sms needs --api-url, --account-sid and --auth-token\n${USAGE}`);
  process.exit(2);
}

try {
  const services = await startDevServices({
    mail: values.mail ? { mailDirectory: values["mail-dir"] } : undefined,
    sms: values.sms && apiUrl && accountSid && authToken ? { apiUrl, accountSid, authToken } : undefined,
  });
  const { close, ...info } = services;
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  console.log(`dev-services ready ${JSON.stringify(info)}`);
} catch (error) {
  console.error(`dev-services: ${(error as Error).message}`);
  process.exit(1);
}
