import { newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn, type Page } from "./browser";

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
// The inboxes npm start would run: the header links them (nothing needs to listen for a link).
const MAIL_INBOX = "http://127.0.0.1:1080/";
const SMS_INBOX = "http://127.0.0.1:8025/";

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ DEV_MAIL_INBOX_URL: MAIL_INBOX, DEV_SMS_INBOX_URL: SMS_INBOX }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const openSettings = async (page: Page) => {
  await page.getByRole("link", { name: "Settings → Complaints" }).click();
  await page.getByRole("heading", { name: "Complaints", exact: true }).waitFor();
  await page.getByLabel("High (hours)").waitFor();
};

describe("Settings → Complaints and the header's tool links in a real browser", () => {
  it("changes a threshold and a routing rule, shows the API's field error, and is read only without settings:manage", async () => {
    const tenant = newTenant();
    const admin = await server.as("Admin", tenant);
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await openSettings(page);

    await page.getByLabel("High (hours)").fill("12");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Rule 1 category").fill("Billing");
    await page.getByLabel("Rule 1 user id").fill("u-billing");
    await page.getByLabel("Support team (told of new complaints)").fill("support@example.com");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByTestId("settings-notice").filter({ hasText: "Complaint settings saved." }).waitFor();
    const saved = (await admin.get("/settings/complaints")).body;
    expect(saved).toMatchObject({ routing: { rules: [{ category: "Billing", userId: "u-billing" }], teams: {} }, supportEmails: ["support@example.com"] });
    expect(saved.escalationHours.High).toBe(12);

    // Reloaded, the form shows what was saved.
    await page.reload();
    await page.getByLabel("Rule 1 category").waitFor();
    expect(await page.getByLabel("High (hours)").inputValue()).toBe("12");
    expect(await page.getByLabel("Rule 1 category").inputValue()).toBe("Billing");
    expect(await page.getByLabel("Rule 1 user id").inputValue()).toBe("u-billing");

    // The schema's own check, before any round trip: a threshold must be positive.
    await page.getByLabel("Critical (hours)").fill("0");
    await page.getByRole("button", { name: "Save settings" }).click();
    expect(await page.getByLabel("Critical (hours)").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("Critical (hours)").fill("2");

    // Only the API knows a rule names a team that does not exist: its field error shows under the teams.
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Rule 2 category").fill("Outage");
    await page.getByRole("radiogroup", { name: "Rule 2 assigns to" }).getByText("Team").click();
    await page.getByLabel("Rule 2 team").fill("Night shift");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByTestId("teams-error").filter({ hasText: "unknown team(s): Night shift" }).waitFor();
    await page.getByTestId("settings-problem").waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await checkScreen(page, "settings-complaints-error");
    // Nothing was saved, and the form kept its values.
    expect((await admin.get("/settings/complaints")).body.routing.rules).toHaveLength(1);
    expect(await page.getByLabel("Rule 2 team").inputValue()).toBe("Night shift");

    // With the team defined, the same rule saves.
    await page.getByRole("button", { name: "Add team" }).click();
    await page.getByLabel("Team 1 name").fill("Night shift");
    await page.getByLabel("Team 1 members (user ids)").fill("u-night-1, u-night-2");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByTestId("settings-notice").filter({ hasText: "Complaint settings saved." }).waitFor();
    const after = (await admin.get("/settings/complaints")).body;
    expect(after.routing).toEqual({ rules: [{ category: "Billing", userId: "u-billing" }, { category: "Outage", team: "Night shift" }], teams: { "Night shift": ["u-night-1", "u-night-2"] } });
    expect(after.escalationHours).toMatchObject({ High: 12, Critical: 2 });
    await checkScreen(page, "settings-complaints");
    await page.close();

    // A support agent reads the settings (complaint:manage) but may not change them (settings:manage).
    const agent = await browser.browser.newPage();
    await signIn(agent, server.url, tenant, ["SupportAgent"]);
    await openSettings(agent);
    await agent.getByLabel("Rule 2 team").waitFor();
    expect(await agent.getByLabel("High (hours)").inputValue()).toBe("12");
    expect(await agent.getByLabel("High (hours)").getAttribute("readonly")).not.toBeNull();
    const save = agent.getByRole("button", { name: "Save settings" });
    expect(await save.isDisabled()).toBe(true);
    expect(await save.getAttribute("data-disabled-reason")).toBe("Your role (SupportAgent) does not grant settings:manage.");
    expect(await agent.getByRole("button", { name: "Add rule" }).count()).toBe(0);
    await checkScreen(agent, "settings-complaints-read-only");
    await agent.close();

    // A Viewer sees why there is nothing to see.
    const viewer = await browser.browser.newPage();
    await signIn(viewer, server.url, tenant, ["Viewer"]);
    await viewer.getByRole("link", { name: "Settings → Complaints" }).click();
    await viewer.getByText("Your role (Viewer) does not grant complaint:manage.").waitFor();
    await viewer.close();
  }, 120_000);

  it("links the dev inboxes for everyone and the queue dashboard for Admins, which opens with the Admin's own token", async () => {
    const tenant = newTenant();
    const agent = await browser.browser.newPage();
    await signIn(agent, server.url, tenant, ["SupportAgent"]);
    const tools = agent.getByRole("navigation", { name: "Tools" });
    expect(await tools.getByRole("link", { name: "Mail inbox" }).getAttribute("href")).toBe(MAIL_INBOX);
    expect(await tools.getByRole("link", { name: "SMS inbox" }).getAttribute("href")).toBe(SMS_INBOX);
    expect(await tools.getByRole("link", { name: "Queues" }).count()).toBe(0);
    await agent.close();

    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["Admin"]);
    const queues = page.getByRole("navigation", { name: "Tools" }).getByRole("link", { name: "Queues" });
    await queues.hover();
    await page.getByRole("tooltip").filter({ hasText: "your token in the address once" }).waitFor();
    await checkScreen(page, "header-tool-links");
    const href = (await queues.getAttribute("href"))!;
    expect(href).toMatch(/^\/ops\/queues\?token=/);
    // The dashboard trades the token for its cookie and drops it from the address.
    const dashboard = await browser.browser.newPage();
    const res = await dashboard.goto(new URL(href, server.url).href);
    expect(res?.status()).toBe(200);
    expect(dashboard.url()).toBe(`${server.url}/ops/queues`);
    await dashboard.close();
    await page.close();
  }, 60_000);
});
