import { customerBody, newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn } from "./browser";

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the knowledge base in a real browser", () => {
  it("a complaint's similar resolutions, then its own resolution found by a word of it; a Viewer is told why not", async () => {
    const tenant = newTenant();
    const admin = await server.as("Admin", tenant);
    // Delivery complaints go to the agent who signs in below.
    expect((await admin.put("/settings/complaints", { routing: { rules: [{ category: "Delivery", userId: "u-supportagent" }], teams: {} } })).status).toBe(200);
    const customer = (await admin.post("/customers", customerBody())).body;
    const complaints = `/customers/${customer.id}/complaints`;
    // An earlier, resolved one the new complaint resembles.
    const earlier = (await admin.post(complaints, { subject: "Parcel arrived damaged", description: "The box was crushed.", category: "Delivery", priority: "Medium" })).body;
    await admin.put(`${complaints}/${earlier.id}/status`, { status: "InProgress", notes: "Checking with the carrier" });
    expect((await admin.post(`${complaints}/${earlier.id}/resolve`, { resolution: "Sent a replacement by courier the next day.", compensationOffered: "Free shipping", customerSatisfied: true })).status).toBe(200);
    const current = (await admin.post(complaints, { subject: "Second parcel damaged in transit", description: "Again crushed.", category: "Delivery", priority: "High" })).body;
    await admin.put(`${complaints}/${current.id}/status`, { status: "InProgress", notes: "On it" });

    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["SupportAgent"]);
    await page.goto(`${server.url}/admin/customers/${customer.id}`);
    await page.getByRole("tab", { name: "Complaints" }).click();
    await page.getByRole("button", { name: current.complaintNumber }).click();
    const panel = page.getByTestId("complaint-panel");
    await panel.getByText(`${current.complaintNumber}: Second parcel damaged in transit`).waitFor();

    // From the complaint being resolved: the knowledge base searched by its subject.
    await panel.getByRole("link", { name: "Similar resolutions" }).click();
    await page.getByRole("heading", { name: "Knowledge base" }).waitFor();
    expect(new URL(page.url()).searchParams.get("q")).toBe("second parcel damaged transit");
    expect(await page.getByLabel("Words").inputValue()).toBe("second parcel damaged transit");
    const table = page.getByRole("table", { name: "Resolutions" });
    await table.getByText("Sent a replacement by courier the next day.").waitFor();
    expect(await table.getByRole("row").count()).toBe(2); // header + the earlier one: the open complaint is not a resolution
    await table.getByText("Compensation: Free shipping").waitFor();
    await checkScreen(page, "knowledge-base-similar");

    // Resolve it, then find it by a word of its resolution.
    await page.goBack();
    await page.getByRole("tab", { name: "Complaints" }).click();
    await page.getByRole("button", { name: current.complaintNumber }).click();
    await panel.getByLabel("Resolution").fill("Refunded the order and arranged collection of the crushed parcel.");
    await panel.getByRole("button", { name: "Resolve complaint" }).click();
    await panel.getByTestId("complaint-notice").filter({ hasText: /Resolved in \d+ h/ }).waitFor();
    // A resolved complaint offers no similar resolutions any more (once the panel has the complaint read again).
    await panel.getByRole("link", { name: "Similar resolutions" }).waitFor({ state: "detached" });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Knowledge base" }).click();
    await page.getByRole("heading", { name: "Knowledge base" }).waitFor();
    // Without words: the newest resolutions, the one just made first.
    await page.getByTestId("kb-count").filter({ hasText: "2 resolutions, newest first" }).waitFor();
    const words = page.getByLabel("Words");
    // A query without a word the index holds is refused inline, before any round trip.
    await words.fill("ab");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("must contain a word of at least 3 letters or digits").waitFor();
    await words.fill("teleporter");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("No resolved complaint matches. Try other or fewer words.").waitFor();
    await words.fill("collection");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("kb-count").filter({ hasText: "1 resolution, best match first" }).waitFor();
    const found = page.getByRole("table", { name: "Resolutions" });
    await found.getByText("Refunded the order and arranged collection of the crushed parcel.").waitFor();
    await found.getByText("Second parcel damaged in transit").waitFor();
    await found.getByText("Delivery").waitFor();
    await checkScreen(page, "knowledge-base");
    await page.close();

    // A Viewer lacks complaint:manage: the screen says so and searches nothing.
    const viewer = await browser.browser.newPage();
    await signIn(viewer, server.url, tenant, ["Viewer"]);
    await viewer.goto(`${server.url}/admin/support/knowledge-base?q=parcel`);
    const refusal = viewer.getByRole("alert").filter({ hasText: "The knowledge base is for complaint handlers" });
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain("Your role (Viewer) does not grant complaint:manage.");
    expect(await viewer.getByRole("table", { name: "Resolutions" }).count()).toBe(0);
    await checkScreen(viewer, "knowledge-base-refused");
    await viewer.close();
  });
});
