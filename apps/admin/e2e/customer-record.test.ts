import { customerBody, newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn, type Page } from "./browser";

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const tenant = newTenant();

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const newCustomer = async (overrides: Record<string, unknown> = {}) => {
  const api = await server.as("Admin", tenant);
  const created = await api.post("/customers", customerBody(overrides));
  expect(created.status).toBe(201);
  return { api, id: created.body.id as string, name: created.body.companyName as string };
};

const openCustomer = async (page: Page, id: string, name: string) => {
  await page.goto(`${server.url}/admin/customers/${id}`);
  await page.getByRole("heading", { name }).waitFor();
};

describe("the customer record in a real browser", () => {
  it("edits the billing address (a postal-code warning, not an error) and the consent; both saved and in the audit timeline", async () => {
    const { api, id, name } = await newCustomer();
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["SalesRep"]);
    await openCustomer(page, id, name);

    await page.getByRole("button", { name: "Edit billing address" }).click();
    const address = page.getByRole("dialog", { name: "Edit billing address" });
    await address.getByLabel("Street").fill("2 Low Street");
    // Not a British postcode: saved, with the API's warning beside the record.
    await address.getByLabel("Postal code").fill("12345");
    await checkScreen(page, "customer-edit-address");
    await address.getByRole("button", { name: "Save" }).click();
    await address.waitFor({ state: "detached" });
    await page.getByTestId("billing-address").filter({ hasText: "2 Low Street, 12345 London" }).waitFor();
    await page.getByTestId("save-warnings").filter({ hasText: /zipCode|postal/i }).waitFor();

    await page.getByRole("button", { name: "Edit preferences" }).click();
    const prefs = page.getByRole("dialog", { name: "Edit preferences and consent" });
    await prefs.getByLabel("Marketing consent").check();
    await checkScreen(page, "customer-edit-preferences");
    await prefs.getByRole("button", { name: "Save" }).click();
    await prefs.waitFor({ state: "detached" });
    await page.getByTestId("marketing-consent").filter({ hasText: "Yes" }).waitFor();
    await checkScreen(page, "customer-edited");

    const after = (await api.get(`/customers/${id}`)).body;
    expect(after.contactInfo.billingAddress).toMatchObject({ street: "2 Low Street", zipCode: "12345", city: "London", country: "GB" });
    expect(after.preferences.marketingConsent).toBe(true);
    const history = (await api.get(`/customers/${id}/history`)).body.items as { changes: Record<string, { from: unknown; to: unknown }> }[];
    const changed = history.flatMap((h) => Object.entries(h.changes));
    expect(JSON.stringify(changed.filter(([k]) => k.includes("billingAddress")))).toContain("2 Low Street");
    expect(changed.find(([k]) => k.includes("marketingConsent"))?.[1]).toEqual({ from: false, to: true });
    await expect.poll(() => page.locator(".mantine-Timeline-item").count()).toBe(history.length);
    await page.close();
  });

  it("a field error from the API stays beside its field and keeps what was typed", async () => {
    const { id, name } = await newCustomer();
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["SalesRep"]);
    await openCustomer(page, id, name);
    await page.getByRole("button", { name: "Edit contact info" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit contact info" });
    await dialog.getByLabel("Primary email").fill("not-an-email");
    await dialog.getByLabel("Secondary phone").fill("+44 20 7946 0999");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.locator('[id$="-error"]').filter({ hasText: /./ }).first().waitFor();
    expect(await dialog.getByLabel("Secondary phone").inputValue()).toBe("+44 20 7946 0999");
    await checkScreen(page, "customer-edit-contact-errors");
    await page.close();
  });

  it("suspends with a reason and restores (Admin); a CustomerManager may archive but not suspend", async () => {
    const { api, id, name } = await newCustomer();
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["Admin"]);
    await openCustomer(page, id, name);
    await page.getByRole("button", { name: "Suspend" }).click();
    const suspend = page.getByRole("dialog", { name: "Suspend customer" });
    await suspend.getByLabel("Reason").click();
    await page.getByRole("option", { name: "PaymentOverdue" }).click();
    await suspend.getByLabel("Note").fill("Invoice 42 unpaid");
    await checkScreen(page, "customer-suspend-dialog");
    await suspend.getByRole("button", { name: "Suspend" }).click();
    await page.getByTestId("customer-status").filter({ hasText: "Suspended" }).waitFor();
    await page.getByTestId("status-reason").filter({ hasText: "PaymentOverdue: Invoice 42 unpaid" }).waitFor();
    await checkScreen(page, "customer-suspended");

    await page.getByRole("button", { name: "Restore" }).click();
    const restore = page.getByRole("dialog", { name: "Restore suspended customer" });
    await restore.getByLabel("Reason").fill("Paid in full");
    await restore.getByRole("button", { name: "Restore" }).click();
    await page.getByTestId("customer-status").filter({ hasText: "Active" }).waitFor();
    expect((await api.get(`/customers/${id}`)).body).toMatchObject({ status: "Active", statusReason: "Paid in full" });
    const actions = ((await api.get(`/customers/${id}/history`)).body.items as { action: string }[]).map((h) => h.action);
    expect(actions.filter((a) => /suspend/i.test(a))).toHaveLength(2);
    await page.close();

    const manager = await browser.browser.newPage();
    await signIn(manager, server.url, tenant, ["CustomerManager"]);
    await openCustomer(manager, id, name);
    const suspendButton = manager.getByRole("button", { name: "Suspend" });
    expect(await suspendButton.isDisabled()).toBe(true);
    expect(await suspendButton.getAttribute("data-disabled-reason")).toBe("Your role (CustomerManager) does not grant customer:suspend.");
    await manager.getByRole("button", { name: "Archive" }).click();
    const archive = manager.getByRole("dialog", { name: /Archive customer/ });
    await archive.getByLabel("Reason").fill("Closed the account");
    await archive.getByRole("button", { name: "Archive" }).click();
    await manager.getByTestId("customer-status").filter({ hasText: "Archived" }).waitFor();
    // Archived is terminal: no status action, and editing is disabled with why.
    expect(await manager.getByRole("button", { name: "Edit profile" }).getAttribute("data-disabled-reason")).toBe("An archived customer cannot be changed.");
    expect(await manager.getByRole("button", { name: /^(Suspend|Deactivate|Archive|Restore)$/ }).count()).toBe(0);
    await checkScreen(manager, "customer-archived");
    await manager.close();
  });

  it("creates with a phone typed as national digits, shown and sent as E.164; a postal-code warning is a warning", async () => {
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["SalesRep"]);
    await page.goto(`${server.url}/admin/customers/new`);
    await page.getByLabel("Company name").fill("Harbour Lights Ltd");
    await page.getByLabel("Email").fill(`hello.${Date.now()}@harbour-lights.example.com`);
    await page.getByLabel("Street").fill("3 Quay Road");
    await page.getByLabel("City").fill("Bristol");
    await page.getByLabel("State / region").fill("Bristol");
    await page.getByLabel("Postal code").fill("ABC 123");
    await page.getByLabel("Country (ISO code, e.g. GB)").fill("GB");
    await page.getByLabel("Phone").pressSequentially("020 7946 0321");
    await page.getByTestId("phone-e164").filter({ hasText: "Saved as +442079460321" }).waitFor();
    await page.getByLabel("Phone").blur();
    expect(await page.getByLabel("Phone").inputValue()).toBe("+442079460321");
    await checkScreen(page, "create-customer-phone");

    await page.getByRole("button", { name: "Create customer" }).click();
    await page.getByText("Customer created").waitFor();
    const warnings = page.getByTestId("create-warnings");
    await warnings.filter({ hasText: /zipCode|postal/i }).waitFor();
    expect(await page.getByTestId("create-problem").count()).toBe(0);
    await checkScreen(page, "create-customer-warnings");
    await page.getByRole("button", { name: "Open customer" }).click();
    await page.getByRole("heading", { name: "Harbour Lights Ltd" }).waitFor();
    await page.getByText("+442079460321").waitFor();
    await page.close();
  });

  it("a Viewer sees every record edit and status action disabled with the privilege matrix's reason", async () => {
    const { id, name } = await newCustomer();
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["Viewer"]);
    await openCustomer(page, id, name);
    const expected: Record<string, string> = {
      "Edit profile": "customer:update",
      "Edit contact info": "customer:update",
      "Edit billing address": "customer:update",
      "Edit shipping address": "customer:update",
      "Edit preferences": "customer:update",
      Deactivate: "customer:delete",
      Suspend: "customer:suspend",
      Archive: "customer:delete",
      "Merge…": "customer:merge",
    };
    for (const [action, privilege] of Object.entries(expected)) {
      const button = page.getByRole("button", { name: action, exact: true });
      expect(await button.isDisabled(), action).toBe(true);
      expect(await button.getAttribute("data-disabled-reason"), action).toBe(`Your role (Viewer) does not grant ${privilege}.`);
    }
    await checkScreen(page, "customer-record-viewer");
    await page.close();
  });
});
