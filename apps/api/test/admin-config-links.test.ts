import { describe, expect, it } from "vitest";
import { startTestServer } from "./harness";

// The admin app's header links the local inboxes and the queue dashboard from /admin/config.json
// (tooling/scripts/start.mjs passes the inboxes' URLs); production links no inbox, whatever is set.

const inboxes = { DEV_MAIL_INBOX_URL: "http://127.0.0.1:1080/", DEV_SMS_INBOX_URL: "http://127.0.0.1:8025/" };
const config = async (overrides: Record<string, string>) => {
  const server = await startTestServer(overrides);
  try {
    return ((await (await fetch(`${server.url}/admin/config.json`)).json()) as { links: unknown }).links;
  } finally {
    await server.close();
  }
};

describe("the admin config's links (GET /admin/config.json)", () => {
  it("names the inboxes outside production when set, and the queue dashboard when OPS_TENANTS names anyone", async () => {
    expect(await config({ NODE_ENV: "development", ...inboxes })).toEqual({ mailInbox: "http://127.0.0.1:1080/", smsInbox: "http://127.0.0.1:8025/", queues: "/ops/queues" });
  });

  it("names no inbox that is not set, and no dashboard nobody may open", async () => {
    expect(await config({ NODE_ENV: "development", OPS_TENANTS: "" })).toEqual({});
  });

  it("never names an inbox in production, even when one is set", async () => {
    const production = { NODE_ENV: "production", JWT_SECRET: "a-production-secret-of-at-least-32-characters", DOWNLOAD_URL_SECRET: "a-production-download-secret-of-32-characters" };
    expect(await config({ ...production, ...inboxes, OPS_TENANTS: "ops" })).toEqual({ queues: "/ops/queues" });
  });

  it("refuses an inbox URL that is not a URL", async () => {
    await expect(startTestServer({ DEV_MAIL_INBOX_URL: "inbox" })).rejects.toThrow(/DEV_MAIL_INBOX_URL/);
  });
});
