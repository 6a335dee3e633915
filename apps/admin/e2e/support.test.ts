import { customerBody, newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn, type Page } from "./browser";

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const newPage = () => browser.browser.newPage();
/** Clicks a navigation link and moves the pointer off it (a hovered link is not what axe should judge). */
const navigate = async (page: Page, link: string) => {
  await page.getByRole("link", { name: link, exact: true }).click();
  await page.mouse.move(1390, 890);
};
const openTab = async (page: Page, customerId: string, tab: string) => {
  await page.goto(`${server.url}/admin/customers/${customerId}`);
  await page.getByRole("tab", { name: tab }).click();
};
const choose = async (page: Page, label: string, option: string) => {
  await page.getByRole("combobox", { name: label }).click();
  await page.getByRole("option", { name: option }).click();
};

describe("support and marketing screens in a real browser", () => {
  it("a complaint from submission through the status workflow to resolution, and the support dashboard", async () => {
    const tenant = newTenant();
    const admin = await server.as("Admin", tenant);
    // Billing complaints go to this agent; Critical ones are overdue almost at once (to show the overdue list).
    const settings = await admin.put("/settings/complaints", { routing: { rules: [{ category: "Billing", userId: "u-supportagent" }], teams: {} }, escalationHours: { Critical: 0.0001 } });
    expect(settings.status).toBe(200);
    const customer = (await admin.post("/customers", customerBody())).body;
    const overdue = await admin.post(`/customers/${customer.id}/complaints`, { subject: "Site down for all our users", description: "Nothing loads since this morning.", priority: "Critical" });
    expect(overdue.status).toBe(201);

    const page = await newPage();
    await signIn(page, server.url, tenant, ["SupportAgent"]);
    await openTab(page, customer.id, "Complaints");
    // Only the API-submitted complaint so far.
    await page.getByRole("button", { name: overdue.body.complaintNumber }).waitFor();

    await page.getByRole("button", { name: "Submit complaint" }).click();
    const dialog = page.getByRole("dialog", { name: "Submit a complaint" });
    await dialog.getByRole("button", { name: "Submit complaint" }).click();
    // Required fields are named inline before any round trip; nothing was sent.
    await dialog.getByText("is required").first().waitFor();
    await dialog.getByLabel("Subject").fill("Invoice charged twice");
    await dialog.getByLabel("Description").fill("The November invoice was charged twice to our card.");
    await dialog.getByLabel("Category", { exact: true }).fill("Billing");
    await choose(page, "Priority", "High");
    await dialog.getByRole("button", { name: "Submit complaint" }).click();
    const submitted = page.getByTestId("complaint-submitted");
    await submitted.waitFor();
    expect(await submitted.innerText()).toMatch(/Complaint COMP-\d{8}-\d{4} submitted and assigned to u-supportagent/);
    const number = /COMP-\d{8}-\d{4}/.exec(await submitted.innerText())![0];
    const panel = page.getByTestId("complaint-panel");
    await panel.getByText(`${number}: Invoice charged twice`).waitFor();

    // The status workflow: notes are required for every change.
    await panel.getByRole("button", { name: "Change status" }).click();
    await panel.getByText("are required for every status change").waitFor();
    await panel.getByLabel("Status notes").fill("Checking with the payment provider.");
    await panel.getByRole("button", { name: "Change status" }).click();
    await panel.getByTestId("complaint-notice").filter({ hasText: "Status changed to InProgress" }).waitFor();
    await panel.getByTestId("complaint-history").getByText("Checking with the payment provider.").waitFor();
    await panel.getByTestId("complaint-status").filter({ hasText: "InProgress" }).waitFor();
    // From InProgress an agent may only resolve: escalation is a manager's, and the panel says so instead of failing with a 403.
    await panel.getByTestId("status-unavailable").filter({ hasText: "Only a manager may escalate" }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await checkScreen(page, "complaints-tab");

    // The dashboard: open by priority, the overdue Critical one, and the one assigned to me.
    await navigate(page, "Support");
    await page.getByRole("heading", { name: "Support", exact: true }).waitFor();
    expect(await page.getByTestId("open-High").innerText()).toContain("1");
    expect(await page.getByTestId("open-Critical").innerText()).toContain("1");
    await page.getByRole("table", { name: "Overdue for escalation" }).getByRole("button", { name: overdue.body.complaintNumber }).waitFor();
    const mine = page.getByRole("table", { name: "Assigned to me" });
    await mine.getByRole("button", { name: number }).waitFor();
    expect(await mine.getByRole("button").count()).toBe(1);
    await checkScreen(page, "support-dashboard");

    // Resolve from the dashboard; the resolution is checked (>= 20 characters) before it is sent.
    await mine.getByRole("button", { name: number }).click();
    const modal = page.getByRole("dialog", { name: "Complaint" });
    await modal.getByLabel("Resolution").fill("Refunded");
    await modal.getByRole("button", { name: "Resolve complaint" }).click();
    await modal.getByText("must be at least 20 characters").waitFor();
    await modal.getByLabel("Resolution").fill("Refunded the duplicate charge of 49.00 EUR.");
    await modal.getByLabel("Compensation offered").fill("One month free");
    await modal.getByRole("button", { name: "Resolve complaint" }).click();
    await modal.getByTestId("complaint-notice").filter({ hasText: /Resolved in \d+ h/ }).waitFor();
    await modal.getByTestId("complaint-resolution").getByText("Compensation: One month free").waitFor();
    await checkScreen(page, "support-complaint-resolved");
    await page.keyboard.press("Escape");
    await page.getByText("No open complaints are assigned to you.").waitFor();

    const listed = await admin.get(`/customers/${customer.id}/complaints`);
    const id = listed.body.items.find((c: { complaintNumber: string }) => c.complaintNumber === number).id as string;
    const after = await admin.get(`/customers/${customer.id}/complaints/${id}`);
    expect(after.body).toMatchObject({ status: "Resolved", resolution: "Refunded the duplicate charge of 49.00 EUR.", compensationOffered: "One month free", customerSatisfied: true });
    expect(after.body.statusHistory.map((h: { to: string }) => h.to)).toEqual(expect.arrayContaining(["InProgress", "Resolved"]));
    await page.close();

    // A Viewer reads complaints but has no complaint action: submit is disabled with the reason, the workflow says why.
    const viewer = await newPage();
    await signIn(viewer, server.url, tenant, ["Viewer"]);
    await openTab(viewer, customer.id, "Complaints");
    const submit = viewer.getByRole("button", { name: "Submit complaint" });
    expect(await submit.isDisabled()).toBe(true);
    expect(await submit.getAttribute("data-disabled-reason")).toBe("Your role (Viewer) does not grant complaint:manage.");
    await viewer.getByRole("button", { name: overdue.body.complaintNumber }).click();
    await viewer.getByTestId("complaint-blocked").filter({ hasText: "does not grant complaint:manage" }).waitFor();
    expect(await viewer.getByRole("button", { name: "Resolve complaint" }).count()).toBe(0);
    await navigate(viewer, "Support");
    await viewer.getByText("The complaints dashboard is for complaint handlers").waitFor();
    await viewer.close();
  });

  it("testimonials of two customers in the tenant-wide Marketing queue, moderated there, the approved public one on the public feed; other roles see the actions disabled", async () => {
    const tenant = newTenant();
    const admin = await server.as("Admin", tenant);
    const customer = (await admin.post("/customers", customerBody())).body;
    const other = (await admin.post("/customers", customerBody())).body;
    const toReject = await admin.post(`/customers/${customer.id}/testimonials`, { content: "Meh, it was fine I guess.", rating: 2, authorName: "Sam Short", isPublic: true });
    expect(toReject.status).toBe(201);
    // Another customer's, private: the queue is the tenant's, not one customer's.
    const privateOne = await admin.post(`/customers/${other.id}/testimonials`, { content: "Quick and friendly, thank you.", rating: 5, authorName: "Bea Other", isPublic: false });
    expect(privateOne.status).toBe(201);

    // A sales rep submits (communication:send) but may not approve: the actions are disabled, with the reason.
    const rep = await newPage();
    await signIn(rep, server.url, tenant, ["SalesRep"]);
    await openTab(rep, customer.id, "Testimonials");
    await rep.getByText("Sam Short").waitFor();
    await rep.getByRole("button", { name: "Submit testimonial" }).click();
    const form = rep.getByRole("form", { name: "Submit a testimonial" });
    await form.getByRole("button", { name: "Submit testimonial" }).click();
    await form.getByText("is required").first().waitFor();
    // Too long by the domain's count: the API's field message shows under the field and the text stays.
    await form.getByLabel("Testimonial").fill("a".repeat(2001));
    await form.getByLabel("Author name").fill("Alex Happy");
    await form.getByRole("button", { name: "Submit testimonial" }).click();
    await form.locator('[id$="-error"]').filter({ hasText: /2000/ }).waitFor();
    expect(await form.getByLabel("Author name").inputValue()).toBe("Alex Happy");
    await form.getByLabel("Testimonial").fill("Their support team is fucking brilliant, fixed everything in a day.");
    await form.getByRole("button", { name: "Submit testimonial" }).click();
    await rep.getByTestId("testimonial-notice").filter({ hasText: "profanity was masked" }).waitFor();
    const happy = rep.getByTestId("testimonial").filter({ hasText: "Alex Happy" });
    await happy.getByTestId("profanity-flag").waitFor();
    expect(await happy.getByTestId("testimonial-content").innerText()).not.toContain("fucking");
    expect(await happy.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    expect(await happy.getByRole("button", { name: "Approve" }).getAttribute("data-disabled-reason")).toContain("does not grant testimonial:approve");
    expect(await happy.getByTestId("moderation-unavailable").innerText()).toContain("does not grant testimonial:approve");
    await checkScreen(rep, "testimonials-tab-salesrep");
    // The tenant-wide queue is for moderators (the API answers 403 to others): the page says so, lists nothing.
    await navigate(rep, "Marketing");
    expect(await rep.getByTestId("marketing-read-only").innerText()).toContain("does not grant testimonial:approve");
    expect(await rep.getByTestId("testimonial").count()).toBe(0);
    await rep.close();

    // A Viewer sees the pending testimonials on the customer, every decision disabled with the reason.
    const viewer = await newPage();
    await signIn(viewer, server.url, tenant, ["Viewer"]);
    await openTab(viewer, customer.id, "Testimonials");
    const cards = viewer.getByTestId("testimonial");
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
    for (const name of ["Approve", "Reject…"]) {
      const buttons = viewer.getByRole("button", { name, exact: true });
      expect(await buttons.count(), name).toBe(2);
      for (const b of await buttons.all()) expect(await b.isDisabled(), name).toBe(true);
    }
    expect(await viewer.getByRole("button", { name: "Submit testimonial" }).isDisabled()).toBe(true);
    await checkScreen(viewer, "testimonials-tab-viewer");
    await navigate(viewer, "Marketing");
    await viewer.getByTestId("marketing-read-only").waitFor();
    await checkScreen(viewer, "marketing-viewer");
    await viewer.close();

    const page = await newPage();
    await signIn(page, server.url, tenant, ["MarketingManager"]);
    await navigate(page, "Marketing");
    const queue = page.getByTestId("testimonial");
    await expect.poll(() => queue.count(), { timeout: 10_000 }).toBe(3);
    // Oldest first, each with its customer's name; both customers' testimonials are there.
    expect(await queue.evaluateAll((cards) => cards.map((c) => c.getAttribute("data-testimonial-id")))).toEqual([toReject.body.id, privateOne.body.id, expect.any(String)]);
    await queue.filter({ hasText: "Sam Short" }).getByText(`for ${customer.companyName}`, { exact: true }).waitFor();
    await queue.filter({ hasText: "Bea Other" }).getByText(`for ${other.companyName}`, { exact: true }).waitFor();
    await queue.filter({ hasText: "Alex Happy" }).getByTestId("profanity-flag").waitFor();
    expect(await queue.filter({ hasText: "Sam Short" }).getByTestId("profanity-flag").count()).toBe(0);
    await checkScreen(page, "marketing-queue");

    // Reject needs a reason.
    const sam = queue.filter({ hasText: "Sam Short" });
    await sam.getByRole("button", { name: "Reject…" }).click();
    await sam.getByRole("button", { name: "Reject", exact: true }).click();
    await sam.getByText("must be at least 3 characters").waitFor();
    await sam.getByLabel("Rejection reason").fill("Too vague for the website");
    await sam.getByRole("button", { name: "Reject", exact: true }).click();
    await page.getByTestId("moderation-notice").filter({ hasText: "Rejected the testimonial by Sam Short" }).waitFor();

    const alex = queue.filter({ hasText: "Alex Happy" });
    expect(await alex.getByRole("checkbox", { name: "Show on the public website" }).isChecked()).toBe(true);
    await alex.getByRole("button", { name: "Approve" }).click();
    await page.getByTestId("moderation-notice").filter({ hasText: "Approved the testimonial by Alex Happy; it is on the public website" }).waitFor();
    // Decided ones leave the queue; the other customer's is still waiting.
    await expect.poll(() => queue.count(), { timeout: 10_000 }).toBe(1);
    const bea = queue.filter({ hasText: "Bea Other" });
    expect(await bea.getByRole("checkbox", { name: "Show on the public website" }).isChecked()).toBe(false);
    await bea.getByRole("button", { name: "Approve" }).click();
    await page.getByTestId("moderation-notice").filter({ hasText: "Approved the testimonial by Bea Other (not public)" }).waitFor();
    await page.getByText("No testimonials await approval.").waitFor();
    await checkScreen(page, "marketing-queue-empty");

    // The website's feed (no token): the approved public one, masked; not the rejected or the private one.
    await page.goto(`${server.url}/api/v1/public/tenants/${tenant}/testimonials`);
    const feed = JSON.parse(await page.locator("body").innerText()) as { items: { authorName: string; content: string }[]; totalCount: number };
    expect(feed.totalCount).toBe(1);
    expect(feed.items[0]!.authorName).toBe("Alex Happy");
    expect(feed.items[0]!.content).toContain("brilliant");
    expect(feed.items[0]!.content).not.toContain("fucking");

    // Decisions are visible on the customer's tab, with the reason.
    await openTab(page, customer.id, "Testimonials");
    await page.getByText("Reason: Too vague for the website").waitFor();
    await page.getByTestId("testimonial").filter({ hasText: "Alex Happy" }).getByTestId("testimonial-status").filter({ hasText: "Approved" }).waitFor();
    await page.close();
  });
});
