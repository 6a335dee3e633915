import { customerBody, newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { startWorker, type WorkerProcess } from "@clientele/api/test/worker-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn, type Page } from "./browser";

// The real worker: its stream consumer recalculates ratings after each transaction, and its daily
// inactivity sweep runs every two seconds here so the review list fills within the test.
let server: TestServer;
let worker: WorkerProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  [server, worker, browser] = await Promise.all([startTestServer(), startWorker({ INACTIVITY_CRON: "*/2 * * * * *" }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), worker?.stop()]);
});

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

const newCustomer = async (tenant: string) => {
  const api = await server.as("Admin", tenant);
  const created = await api.post("/customers", customerBody());
  expect(created.status).toBe(201);
  return { api, id: created.body.id as string, name: created.body.companyName as string };
};

const openTab = async (page: Page, id: string, name: string, tab: string) => {
  await page.goto(`${server.url}/admin/customers/${id}`);
  await page.getByRole("heading", { name }).waitFor();
  await page.getByRole("tab", { name: tab, exact: true }).click();
};

const choose = async (page: Page, label: string, option: string) => {
  await page.getByRole("combobox", { name: label }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
};

describe("customer value screens in a real browser", () => {
  it("payments through the UI and the API move lifetime value and segment at 10,000.01; overrides need a reason; histories show it all", { timeout: 120_000 }, async () => {
    const tenant = newTenant();
    const { api, id, name } = await newCustomer(tenant);
    const viaApi = await api.post(`/customers/${id}/transactions`, { kind: "Payment", category: "Invoice", status: "Paid", amount: "9000.00", currency: "USD", occurredAt: daysAgo(2), idempotencyKey: `api-${id}` });
    expect(viaApi.status).toBe(201);

    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await openTab(page, id, name, "Value");
    await page.getByTestId("value-ltv").filter({ hasText: /^9,000\.00$/ }).waitFor();
    expect(await page.getByTestId("value-segment").innerText()).toBe("Standard");
    await page.getByTestId("ltv-line").waitFor({ state: "attached" });

    // Recording: the amount is checked with the API's schema before anything is sent.
    await page.getByRole("tab", { name: "Transactions", exact: true }).click();
    await page.getByTestId("transaction-row").first().waitFor();
    await page.getByRole("button", { name: "Record a transaction" }).click();
    const dialog = page.getByRole("dialog", { name: "Record a transaction" });
    await dialog.getByLabel("Amount").fill("1000.015");
    await dialog.getByRole("button", { name: "Record transaction" }).click();
    await dialog.getByText("must have at most 2 decimal places").waitFor();
    expect((await api.get(`/customers/${id}/transactions`)).body.totalCount).toBe(1);
    await dialog.getByLabel("Amount").fill("1000.01");
    await dialog.getByLabel("External reference").fill("INV-77");
    // Paid after it fell due: recorded as late (a rating factor).
    await dialog.getByLabel("Due at").fill("2026-01-01T09:00");
    await checkScreen(page, "value-record-transaction");
    // A double click records once.
    await dialog.getByRole("button", { name: "Record transaction" }).dblclick();
    await page.getByTestId("transaction-notice").filter({ hasText: "Lifetime value now 10,000.01" }).waitFor();
    await dialog.waitFor({ state: "detached" });
    const listed = (await api.get(`/customers/${id}/transactions`)).body;
    expect(listed.totalCount).toBe(2);
    expect(listed.items[0]).toMatchObject({ amount: "1000.01", externalReference: "INV-77", source: "api", kind: "Payment", late: true });
    await page.getByTestId("transaction-row").nth(1).waitFor();
    expect(await page.getByTestId("transaction-row").first().innerText()).toMatch(/late[\s\S]*1,000\.01 USD/i);
    await checkScreen(page, "value-transactions");

    // The value panel was read again after the mutation: Premium above 10,000.00, by the rule.
    await page.getByRole("tab", { name: "Value", exact: true }).click();
    await page.getByTestId("value-ltv").filter({ hasText: /^10,000\.01$/ }).waitFor();
    expect(await page.getByTestId("value-segment").innerText()).toBe("Premium");
    await page.getByTestId("segment-history").filter({ hasText: "Standard → Premium" }).filter({ hasText: "lifetime value" }).waitFor();
    await page.getByRole("button", { name: "Show the figures as a table" }).click();
    const figures = page.getByTestId("ltv-table");
    await figures.getByRole("row").filter({ hasText: "+9,000.00 USD" }).filter({ hasText: "9,000.00 USD" }).waitFor();
    await figures.getByRole("row").filter({ hasText: "+1,000.01 USD" }).filter({ hasText: "10,000.01 USD" }).waitFor();
    expect(await page.getByTestId("ltv-chart-summary").innerText()).toContain("highest 10,000.01 USD");
    await checkScreen(page, "value-tab");

    // Override: without a reason the API's 400 lands under the field; with one the segment holds.
    await page.getByRole("button", { name: "Override segment" }).click();
    const override = page.getByRole("dialog", { name: "Override segment" });
    await choose(page, "Segment", "VIP");
    const refused = page.waitForResponse((r) => r.url().includes("transactions.setSegmentOverride"));
    await override.getByRole("button", { name: "Override segment" }).click();
    expect((await refused).status()).toBe(400);
    await override.getByText("is required").waitFor();
    expect(await override.getByTestId("segment-override-problem").count()).toBe(0);
    await checkScreen(page, "value-override-reason-required");
    await override.getByLabel("Reason").fill("Strategic account for the region");
    await override.getByRole("button", { name: "Override segment" }).click();
    await override.waitFor({ state: "detached" });
    await page.getByTestId("value-segment").filter({ hasText: /^VIP$/ }).waitFor();
    expect(await page.getByTestId("segment-override").innerText()).toContain("Strategic account for the region");
    await page.getByTestId("segment-history").getByRole("row").filter({ hasText: "Premium → VIP" }).filter({ hasText: "Strategic account for the region" }).waitFor();
    expect((await api.get(`/customers/${id}`)).body.profile.segment).toBe("VIP");
    await checkScreen(page, "value-segment-overridden");

    // Someone else changes the override while the dialog is open: 409, the values are read again, the retry clears.
    await page.getByRole("button", { name: "Clear segment override" }).click();
    const clear = page.getByRole("dialog", { name: "Clear the segment override" });
    expect((await api.put(`/customers/${id}/segment-override`, { segment: "Corporate", reason: "Group contract" })).status).toBe(200);
    await clear.getByRole("button", { name: "Clear override" }).click();
    await clear.getByTestId("clear-override-problem").filter({ hasText: "changed meanwhile" }).waitFor();
    await page.getByTestId("value-segment").filter({ hasText: /^Corporate$/ }).waitFor();
    await clear.getByRole("button", { name: "Clear override" }).click();
    await clear.waitFor({ state: "detached" });
    await page.getByTestId("value-segment").filter({ hasText: /^Premium$/ }).waitFor();
    await page.getByTestId("segment-history").getByRole("row").filter({ hasText: "Corporate → Premium" }).filter({ hasText: "override cleared" }).waitFor();

    // The worker recalculated the rating from both payments; the factors are on the panel.
    await expect.poll(async () => (await api.get(`/customers/${id}/rating`)).body.decision?.factors.paymentsTotal, { timeout: 30_000 }).toBe(2);
    await page.reload();
    await page.getByRole("tab", { name: "Value", exact: true }).click();
    await page.getByTestId("rating-factors").getByRole("row").filter({ hasText: "Payments" }).filter({ hasText: "2" }).first().waitFor();
    await page.getByTestId("rating-factors").getByRole("row").filter({ hasText: "Late payments" }).filter({ hasText: "1" }).waitFor();
    await page.getByRole("button", { name: "Recalculate" }).click();
    await page.getByTestId("value-notice").filter({ hasText: "Rating recalculated" }).waitFor();
    const calculated = await page.getByTestId("value-rating").innerText();
    await page.getByRole("button", { name: "Override rating" }).click();
    const rating = page.getByRole("dialog", { name: "Override rating" });
    await choose(page, "Rating", "Excellent");
    await rating.getByLabel("Reason").fill("Key partner since 2019");
    await rating.getByRole("button", { name: "Override rating" }).click();
    await rating.waitFor({ state: "detached" });
    await page.getByTestId("value-rating").filter({ hasText: /^Excellent$/ }).waitFor();
    // textContent: the badge shows it in capitals.
    expect(await page.getByTestId("rating-override").textContent()).toBe(`Override (calculated: ${calculated})`);
    await page.getByTestId("rating-history").getByRole("row").filter({ hasText: "Override" }).filter({ hasText: "Key partner since 2019" }).waitFor();
    expect((await api.get(`/customers/${id}`)).body.profile.rating).toBe("Excellent");
    await checkScreen(page, "value-rating-overridden");
    // Recalculating every customer's loyalty tier is an Admin's.
    expect(await page.getByRole("button", { name: "Recalculate all loyalty tiers" }).count()).toBe(0);
    await page.close();
  });

  it("an Admin recalculates the loyalty tiers on demand: the worker's progress, then the tier and its history", { timeout: 90_000 }, async () => {
    const tenant = newTenant();
    const { api, id, name } = await newCustomer(tenant);
    expect((await api.post(`/customers/${id}/transactions`, { kind: "Payment", status: "Paid", amount: "1500.00", currency: "USD", occurredAt: daysAgo(30), idempotencyKey: `l-${id}` })).status).toBe(201);
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["Admin"]);
    await openTab(page, id, name, "Value");
    await page.getByTestId("value-loyalty-tier").filter({ hasText: "Not yet calculated" }).waitFor();
    await page.getByRole("button", { name: "Recalculate all loyalty tiers" }).click();
    await page.getByTestId("loyalty-run").filter({ hasText: "Completed: 1 of 1 customers, 1 changed tier" }).waitFor({ timeout: 45_000 });
    await page.getByTestId("value-loyalty-tier").filter({ hasText: /^Silver$/ }).waitFor();
    await page.getByTestId("loyalty-history").getByRole("row").filter({ hasText: "none → Silver" }).filter({ hasText: "1,500.00" }).waitFor();
    await checkScreen(page, "value-loyalty-recalculated");
    await page.close();
  });

  it("a Viewer sees the value, transactions and histories but no override or record actions", async () => {
    const tenant = newTenant();
    const { api, id, name } = await newCustomer(tenant);
    expect((await api.post(`/customers/${id}/transactions`, { kind: "Payment", status: "Paid", amount: "51234.56", currency: "USD", occurredAt: daysAgo(1), idempotencyKey: `v-${id}` })).status).toBe(201);
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["Viewer"]);
    await openTab(page, id, name, "Value");
    await page.getByTestId("value-ltv").filter({ hasText: /^51,234\.56$/ }).waitFor();
    expect(await page.getByTestId("value-segment").innerText()).toBe("VIP");
    await page.getByTestId("value-rating").waitFor();
    await page.getByTestId("segment-history").filter({ hasText: "Standard → VIP" }).waitFor();
    expect(await page.getByRole("button", { name: /Override|Clear .* override|Recalculate/ }).count()).toBe(0);
    await checkScreen(page, "value-tab-viewer");
    await page.getByRole("tab", { name: "Transactions", exact: true }).click();
    await page.getByTestId("transaction-row").filter({ hasText: "51,234.56 USD" }).waitFor();
    expect(await page.getByRole("button", { name: "Record a transaction" }).count()).toBe(0);
    // The API refuses what the screen does not offer.
    const viewer = await server.as("Viewer", tenant);
    expect((await viewer.put(`/customers/${id}/segment-override`, { segment: "Standard", reason: "no" })).status).toBe(403);
    await page.close();
  });

  it("the review list shows customers the daily sweep flagged, with reason and last activity, filtered by flag; new activity clears a flag", { timeout: 90_000 }, async () => {
    const tenant = newTenant();
    const risk = await newCustomer(tenant);
    const review = await newCustomer(tenant);
    const attended = (customerId: string, days: number) =>
      risk.api.post(`/customers/${customerId}/attendance`, { eventRef: `gala-${days}`, eventName: `Gala ${days}`, status: "Attended", occurredAt: daysAgo(days), idempotencyKey: `att-${customerId}` });
    expect((await attended(risk.id, 200)).status).toBe(201);
    expect((await attended(review.id, 800)).status).toBe(201);
    await expect
      .poll(async () => ((await risk.api.get("/customers/review")).body.items as { customerId: string; flag: string }[]).map((i) => `${i.customerId}:${i.flag}`).sort(), { timeout: 30_000 })
      .toEqual([`${risk.id}:InactiveRisk`, `${review.id}:Review`].sort());

    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["SalesRep"]);
    await page.goto(`${server.url}/admin/customers`);
    await page.getByRole("link", { name: "Inactive review", exact: true }).click();
    await page.getByRole("heading", { name: "Inactive customers to review" }).waitFor();
    const rows = page.getByTestId("review-row");
    await expect.poll(() => rows.count()).toBe(2);
    // Longest inactive first, with why.
    expect(await rows.first().getAttribute("data-customer-id")).toBe(review.id);
    expect(await rows.first().innerText()).toMatch(/over 24 months/);
    expect(await rows.nth(1).innerText()).toMatch(/no activity for \d+ days/);
    await page.mouse.move(1390, 890);
    await checkScreen(page, "value-review-list");
    await page.locator("label", { hasText: "Review (over 24 months)" }).click();
    await page.waitForURL(/flag=Review/);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-customer-id")).toBe(review.id);

    // The flagged customer's page shows the flag and its attendance; a payment today is new activity.
    await page.getByRole("link", { name: review.name }).click();
    await page.getByRole("heading", { name: review.name }).waitFor();
    await page.getByRole("tab", { name: "Attendance", exact: true }).click();
    await page.getByTestId("attendance-total-events").filter({ hasText: "1 event attended" }).waitFor();
    await page.getByTestId("attendance").getByText("Gala 800 (gala-800)").waitFor();
    await page.getByRole("tab", { name: "Value", exact: true }).click();
    await page.getByTestId("inactivity-flag").filter({ hasText: "Review" }).waitFor();
    await page.getByRole("tab", { name: "Transactions", exact: true }).click();
    await page.getByRole("button", { name: "Record a transaction" }).click();
    const dialog = page.getByRole("dialog", { name: "Record a transaction" });
    await dialog.getByLabel("Amount").fill("25.00");
    // No EUR rate in the settings: the API's 400 names the exchange rate, shown under that field.
    await dialog.getByLabel("Currency").fill("EUR");
    const refused = page.waitForResponse((r) => r.url().includes("transactions.record"));
    await dialog.getByRole("button", { name: "Record transaction" }).click();
    expect((await refused).status()).toBe(400);
    await dialog.getByText("is required: no rate from EUR to USD is configured in the value settings").waitFor();
    expect(await dialog.getByTestId("record-transaction-problem").count()).toBe(0);
    await dialog.getByLabel("Exchange rate").fill("1.1");
    await dialog.getByRole("button", { name: "Record transaction" }).click();
    // 25.00 EUR at 1.1 is 27.50 USD, exactly.
    await page.getByTestId("transaction-notice").filter({ hasText: "Lifetime value now 27.50" }).waitFor();
    await page.getByTestId("transaction-row").filter({ hasText: "25.00 EUR" }).filter({ hasText: "27.50" }).waitFor();
    await page.getByRole("tab", { name: "Value", exact: true }).click();
    await page.getByTestId("value-inactivity").filter({ hasText: /^Active$/ }).waitFor();
    await page.goto(`${server.url}/admin/customers/review`);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-customer-id")).toBe(risk.id);
    await page.close();
  });
});
