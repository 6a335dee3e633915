import { ROLES } from "@clientele/domain/authz";
import { customerBody, newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn } from "./browser";

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

const newPage = () => browser.browser.newPage();

describe("admin app in a real browser", () => {
  it("signs in as each role, shows who is signed in, and signs out", async () => {
    const page = await newPage();
    await page.goto(`${server.url}/admin/customers`);
    // No session: the app sends the visitor to sign in.
    await page.getByRole("heading", { name: "Sign in to Clientele" }).waitFor();
    await checkScreen(page, "sign-in");
    for (const role of ROLES) {
      await signIn(page, server.url, tenant, [role]);
      expect(await page.getByTestId("signed-in-role").allTextContents()).toEqual([role]);
      await page.getByRole("heading", { name: "Customers" }).waitFor();
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Clientele" }).waitFor();
    }
    await page.close();
  });

  it("creates a customer with inline field errors first, then finds it by search", async () => {
    const page = await newPage();
    await signIn(page, server.url, tenant, ["SalesRep"]);
    await page.getByRole("link", { name: "New customer" }).first().click();
    await page.getByRole("heading", { name: "New customer" }).waitFor();
    const name = `Nightingale Labs ${Date.now()}`;
    await page.getByLabel("Company name").fill(name);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Phone").fill("+44 20 7946 0958");
    await page.getByLabel("Street").fill("1 High Street");
    await page.getByLabel("City").fill("London");
    await page.getByLabel("State / region").fill("Greater London");
    await page.getByLabel("Postal code").fill("SW1A 1AA");
    await page.getByLabel("Country (ISO code, e.g. GB)").fill("GB");
    await page.getByRole("button", { name: "Create customer" }).click();
    // The API's problem names the field; the form shows it beside the field and keeps every value.
    await page.getByTestId("create-problem").waitFor();
    const emailError = page.locator('[id$="-error"]').filter({ hasText: /email/i });
    await emailError.first().waitFor();
    expect(await page.getByLabel("Company name").inputValue()).toBe(name);
    await checkScreen(page, "create-customer-errors");

    await page.getByLabel("Email").fill(`hello.${Date.now()}@nightingale-labs.com`);
    // A postal code outside the country's format is saved, with the API's warning shown as a warning.
    await page.getByLabel("Postal code").fill("12345");
    await page.getByRole("button", { name: "Create customer" }).click();
    await page.getByText("Customer created").waitFor();
    expect(await page.getByTestId("create-warnings").innerText()).toContain('zipCode "12345" does not match the postal code format of GB');
    await checkScreen(page, "create-customer-done");

    await page.getByRole("link", { name: "Customers", exact: true }).click();
    await page.getByLabel("Search").fill("Nightingale");
    await page.waitForURL(/q=Nightingale/);
    await page.getByRole("link", { name }).waitFor();
    await checkScreen(page, "customers-list");
    // The filters live in the URL: a reload shows the same list.
    await page.reload();
    expect(await page.getByLabel("Search").inputValue()).toBe("Nightingale");
    await page.getByRole("link", { name }).click();
    await page.getByRole("heading", { name }).waitFor();
    await page.getByText("created").first().waitFor();
    await checkScreen(page, "customer-detail");
    await page.close();
  });

  it("a save on a stale version opens the 409 dialog; re-apply keeps both changes", async () => {
    const api = await server.as("CustomerManager", tenant);
    const created = await api.post("/customers", customerBody());
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const [mine, theirs] = [await newPage(), await newPage()];
    for (const page of [mine, theirs]) {
      await signIn(page, server.url, tenant, ["CustomerManager"], page === mine ? "u-mine" : "u-theirs");
      await page.goto(`${server.url}/admin/customers/${id}`);
      await page.getByRole("button", { name: "Edit profile" }).click();
    }
    await theirs.getByLabel("Industry").fill("Aerospace");
    await theirs.getByRole("button", { name: "Save" }).click();
    await theirs.getByRole("dialog").waitFor({ state: "detached" });

    await mine.getByLabel("Notes").fill("Prefers calls after 10am");
    await mine.getByRole("button", { name: "Save" }).click();
    await mine.getByText("Someone else changed this customer").waitFor();
    expect(await mine.getByTestId("conflict-change").allInnerTexts()).toEqual(["Industry: “Manufacturing” → “Aerospace”"]);
    await checkScreen(mine, "conflict-dialog");
    await mine.getByRole("button", { name: "Re-apply my changes" }).click();
    await expect.poll(() => mine.getByRole("dialog").count(), { timeout: 10_000 }).toBe(0);
    await mine.getByText("Prefers calls after 10am").waitFor();

    const after = await api.get(`/customers/${id}`);
    expect(after.body.profile).toMatchObject({ industry: "Aerospace", notes: "Prefers calls after 10am" });
    await Promise.all([mine.close(), theirs.close()]);
  });

  it("deactivates and reactivates with a reason; both are in the audit timeline", async () => {
    const api = await server.as("CustomerManager", tenant);
    const { body } = await api.post("/customers", customerBody());
    const page = await newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await page.goto(`${server.url}/admin/customers/${body.id}`);
    await page.getByRole("button", { name: "Deactivate" }).click();
    await page.getByLabel("Reason").fill("Moved to a competitor");
    await checkScreen(page, "deactivate-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
    // Deactivated is soft-deleted (the API answers 404 for it): the page keeps what reactivating needs.
    await page.getByTestId("customer-deactivated").waitFor();
    expect((await api.get(`/customers/${body.id}`)).status).toBe(404);
    await checkScreen(page, "customer-deactivated");

    await page.getByRole("button", { name: "Reactivate" }).click();
    await page.getByLabel("Reason").fill("Came back");
    await page.getByRole("dialog").getByRole("button", { name: "Reactivate" }).click();
    await page.getByTestId("customer-status").filter({ hasText: "Active" }).waitFor();
    const after = await api.get(`/customers/${body.id}`);
    expect(after.body).toMatchObject({ status: "Active", statusReason: "Came back" });

    const history = await api.get(`/customers/${body.id}/history`);
    expect(history.body.items.length).toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.locator(".mantine-Timeline-item").count()).toBe(history.body.items.length);
    await checkScreen(page, "customer-detail-reactivated");
    await page.close();
  });

  it("a Viewer sees no write action: each is disabled with the reason from the privilege matrix", async () => {
    const api = await server.as("Admin", tenant);
    const { body } = await api.post("/customers", customerBody());
    const page = await newPage();
    await signIn(page, server.url, tenant, ["Viewer"]);
    const newCustomer = page.getByRole("button", { name: "New customer" });
    expect(await newCustomer.isDisabled()).toBe(true);
    expect(await newCustomer.getAttribute("data-disabled-reason")).toBe("Your role (Viewer) does not grant customer:create.");
    await checkScreen(page, "customers-list-viewer");

    await page.goto(`${server.url}/admin/customers/${body.id}`);
    await page.getByRole("heading", { name: body.companyName }).waitFor();
    for (const action of ["Edit profile", "Deactivate"]) {
      const button = page.getByRole("button", { name: action });
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute("data-disabled-reason")).toMatch(/^Your role \(Viewer\) does not grant customer:(update|delete)\.$/);
    }
    // Every enabled button on the page is harmless: tabs (navigation) and signing out.
    const enabled = await page.locator("button:not([disabled]):not([role=tab])").allInnerTexts();
    expect(enabled.filter((t) => t.trim())).toEqual(["Sign out"]);
    await checkScreen(page, "customer-detail-viewer");

    await page.goto(`${server.url}/admin/customers/new`);
    await page.getByText("You cannot create customers").waitFor();
    await page.close();
  });
});
