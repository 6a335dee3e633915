import { customerBody, newTenant, startIsolatedTestServer, streamPrefix, type TestServer } from "@clientele/api/test/harness";
import { startRelay } from "@clientele/api/test/live-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn } from "./browser";

// A database of its own, so the relay started here publishes only this file's events.
let server: TestServer;
let relay: ReturnType<typeof startRelay>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  [server, browser] = await Promise.all([startIsolatedTestServer("live_e2e", { STREAM_PREFIX: `${streamPrefix()}live-e2e:` }), launchBrowser()]);
  relay = startRelay(server);
});
afterAll(async () => {
  await relay?.stop();
  await browser?.close();
  await server?.close();
});

const newPage = () => browser.browser.newPage();

describe("live updates in a real browser", () => {
  it("shows a banner when someone else changes the customer on screen; Reload shows the change", async () => {
    const tenant = newTenant();
    const api = await server.as("CustomerManager", tenant);
    const customer = (await api.post("/customers", customerBody({ industry: "Manufacturing" }))).body;
    const [watcher, editor] = [await newPage(), await newPage()];
    await signIn(watcher, server.url, tenant, ["SalesRep"], "u-watcher");
    await signIn(editor, server.url, tenant, ["CustomerManager"], "u-editor");
    // The watcher's page subscribes as it opens; its stream is open once the server has answered it.
    const subscribed = watcher.waitForResponse((r) => r.url().includes("/trpc/live.customer") && r.status() === 200);
    await watcher.goto(`${server.url}/admin/customers/${customer.id}`);
    await watcher.getByRole("heading", { name: customer.companyName }).waitFor();
    await subscribed;

    await editor.goto(`${server.url}/admin/customers/${customer.id}`);
    await editor.getByRole("button", { name: "Edit profile" }).click();
    await editor.getByLabel("Industry").fill("Aerospace");
    await editor.getByRole("button", { name: "Save" }).click();
    await editor.getByRole("dialog").waitFor({ state: "detached" });
    // The editor's own save raises no banner on the editor's page.
    await editor.getByText("Aerospace").first().waitFor();
    expect(await editor.getByTestId("customer-changed-banner").count()).toBe(0);

    const banner = watcher.getByTestId("customer-changed-banner");
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.innerText()).toContain("u-editor made a change (profile updated)");
    // Not reloaded by itself: the watcher still sees the old value until they choose to.
    expect(await watcher.getByText("Aerospace").count()).toBe(0);
    await checkScreen(watcher, "customer-changed-banner");
    await banner.getByRole("button", { name: "Reload" }).click();
    await watcher.getByText("Aerospace").first().waitFor();
    await banner.waitFor({ state: "detached" });
    await Promise.all([watcher.close(), editor.close()]);
  });

  it("a complaint submitted elsewhere appears on the Support dashboard without a reload", async () => {
    const tenant = newTenant();
    const admin = await server.as("Admin", tenant);
    // Delivery complaints go to this agent, so the new one also lands in "Assigned to me".
    expect((await admin.put("/settings/complaints", { routing: { rules: [{ category: "Delivery", userId: "u-agent" }], teams: {} } })).status).toBe(200);
    const customer = (await admin.post("/customers", customerBody())).body;
    const page = await newPage();
    await signIn(page, server.url, tenant, ["SupportAgent"], "u-agent");
    const subscribed = page.waitForResponse((r) => r.url().includes("/trpc/live.complaints") && r.status() === 200);
    await page.goto(`${server.url}/admin/support`);
    await page.getByRole("heading", { name: "Open complaints by priority" }).waitFor();
    await subscribed;
    expect(await page.getByTestId("open-High").innerText()).toContain("0");

    // Someone else, through the API: the page is not touched.
    const submitted = await admin.post(`/customers/${customer.id}/complaints`, { subject: "Parcel never arrived", description: "Ordered two weeks ago.", priority: "High", category: "Delivery" });
    expect(submitted.status).toBe(201);
    const arrivals = page.getByTestId("complaint-arrivals");
    await arrivals.getByText(`New complaint ${submitted.body.complaintNumber}`).waitFor({ timeout: 15_000 });
    // The dashboard was read again: the count and the agent's own list include it.
    await expect.poll(async () => page.getByTestId("open-High").innerText(), { timeout: 10_000 }).toContain("1");
    await page.getByRole("table", { name: "Assigned to me" }).getByRole("button", { name: submitted.body.complaintNumber }).waitFor();

    const escalated = await admin.put(`/customers/${customer.id}/complaints/${submitted.body.id}/status`, { status: "Escalated", notes: "Second parcel lost too" });
    expect(escalated.status).toBe(200);
    await arrivals.getByText(`Escalated: ${submitted.body.complaintNumber}`).waitFor({ timeout: 15_000 });
    await checkScreen(page, "support-live-arrivals");
    await page.close();
  });
});
