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

const newCustomer = async () => {
  const api = await server.as("CustomerManager", tenant);
  const created = await api.post("/customers", customerBody());
  expect(created.status).toBe(201);
  return { api, id: created.body.id as string, name: created.body.companyName as string };
};

const openTab = async (page: Page, customerId: string, name: string, tab: "Contacts" | "Follow-ups") => {
  await page.goto(`${server.url}/admin/customers/${customerId}`);
  await page.getByRole("heading", { name }).waitFor();
  await page.getByRole("tab", { name: tab }).click();
};

const row = (page: Page, email: string) => page.locator(`[data-testid="contact-row"][data-contact-email="${email}"]`);

async function addContact(page: Page, c: { first: string; last: string; email: string; tags?: string }) {
  await page.getByRole("button", { name: "Add contact" }).click();
  const dialog = page.getByRole("dialog", { name: "Add contact" });
  await dialog.getByLabel("First name").fill(c.first);
  await dialog.getByLabel("Last name").fill(c.last);
  await dialog.getByLabel("Email").fill(c.email);
  if (c.tags) await dialog.getByLabel("Tags (comma separated)").fill(c.tags);
  await dialog.getByRole("button", { name: "Add contact" }).click();
}

describe("customer contacts and follow-ups in a real browser", () => {
  it("adds and tags contacts, makes one primary, removes one; field errors and conflicts keep the form", async () => {
    const { api, id, name } = await newCustomer();
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["SalesRep"]);
    await openTab(page, id, name, "Contacts");
    await page.getByText("No contacts yet.").waitFor();
    await checkScreen(page, "contacts-empty");

    // The API's email rule answers beside the field; every value stays in the form.
    await addContact(page, { first: "Ada", last: "Lovelace", email: "ada-at-example", tags: "billing, vip" });
    const dialog = page.getByRole("dialog", { name: "Add contact" });
    await dialog.locator('[id$="-error"]').filter({ hasText: /./ }).first().waitFor();
    expect(await dialog.getByLabel("First name").inputValue()).toBe("Ada");
    expect(await dialog.getByLabel("Tags (comma separated)").inputValue()).toBe("billing, vip");
    await checkScreen(page, "contacts-add-errors");
    await dialog.getByLabel("Email").fill("ada@lovelace.example.com");
    await dialog.getByRole("button", { name: "Add contact" }).click();
    await page.getByTestId("contacts-notice").filter({ hasText: "Contact added." }).waitFor();
    // The first contact is the primary one (CONT-001).
    await row(page, "ada@lovelace.example.com").getByTestId("primary-badge").waitFor();

    await addContact(page, { first: "Grace", last: "Hopper", email: "grace@hopper.example.com" });
    await row(page, "grace@hopper.example.com").waitFor();
    await page.getByRole("button", { name: "Edit Grace Hopper" }).click();
    const edit = page.getByRole("dialog", { name: "Edit Grace Hopper" });
    await edit.getByLabel("Position").fill("CTO");
    await edit.getByRole("button", { name: "Save" }).click();
    await row(page, "grace@hopper.example.com").getByText("CTO").waitFor();
    // A second active contact with the same email is a 409 (CONT-002): its detail shows, the values stay.
    await addContact(page, { first: "Grace", last: "Again", email: "Grace@Hopper.example.com" });
    await dialog.getByTestId("contact-problem").waitFor();
    expect(await dialog.getByLabel("Last name").inputValue()).toBe("Again");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Tag Grace Hopper" }).click();
    await page.getByRole("dialog", { name: "Tag Grace Hopper" }).getByLabel("Tag").fill("Technical");
    await page.getByRole("dialog", { name: "Tag Grace Hopper" }).getByRole("button", { name: "Add tag" }).click();
    await row(page, "grace@hopper.example.com").getByTestId("contact-tag").filter({ hasText: "technical" }).waitFor();
    await page.getByRole("button", { name: "Remove tag vip from Ada Lovelace" }).click();
    await page.getByTestId("contacts-notice").filter({ hasText: "Tag “vip” removed from Ada Lovelace." }).waitFor();
    expect(await row(page, "ada@lovelace.example.com").getByTestId("contact-tag").allTextContents()).toEqual(["billing"]);

    await page.getByRole("button", { name: "Make primary: Grace Hopper" }).click();
    await row(page, "grace@hopper.example.com").getByTestId("primary-badge").waitFor();
    expect(await row(page, "ada@lovelace.example.com").getByTestId("primary-badge").count()).toBe(0);
    await checkScreen(page, "contacts-list");

    // The tag filter is the API's: only the contacts with that tag.
    await page.getByLabel("Filter by tag").fill("technical");
    await row(page, "ada@lovelace.example.com").waitFor({ state: "detached" });
    expect(await page.getByTestId("contact-row").count()).toBe(1);
    await page.getByLabel("Filter by tag").fill("");

    await page.getByRole("button", { name: "Remove Ada Lovelace" }).click();
    const remove = page.getByRole("dialog", { name: "Remove Ada Lovelace" });
    await remove.getByLabel("Reason (optional)").fill("Left the company");
    await checkScreen(page, "contacts-remove-dialog");
    await remove.getByRole("button", { name: "Remove contact" }).click();
    await row(page, "ada@lovelace.example.com").waitFor({ state: "detached" });
    await page.getByTestId("contacts-notice").filter({ hasText: "Ada Lovelace removed." }).waitFor();

    // The last contact cannot be removed (CONT-005): the API's detail shows in the dialog, which stays open.
    await page.getByRole("button", { name: "Remove Grace Hopper" }).click();
    await page.getByRole("dialog", { name: "Remove Grace Hopper" }).getByRole("button", { name: "Remove contact" }).click();
    await page.getByTestId("remove-problem").filter({ hasText: "The only contact of a customer cannot be removed." }).waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

    const contacts = await api.get(`/customers/${id}/contacts`);
    expect(contacts.body.items.map((c: { email: string; position: string; isPrimary: boolean; tags: string[] }) => [c.email, c.position, c.isPrimary, c.tags])).toEqual([
      ["grace@hopper.example.com", "CTO", true, ["technical"]],
    ]);
    await page.close();
  });

  it("creates and completes follow-ups on the customer; My tasks flags the overdue ones", async () => {
    const { id, name } = await newCustomer();
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["SalesRep"], "u-tasks");
    // A task due in two seconds: overdue by the time My tasks lists it (the API refuses a due date in the past).
    const mine = await server.as("SalesRep", tenant, "u-tasks");
    const soon = await mine.post(`/customers/${id}/follow-ups`, { subject: "Send the renewal quote", dueDate: new Date(Date.now() + 2_000).toISOString(), priority: "High", assignedTo: "u-tasks" });
    expect(soon.status).toBe(201);

    await openTab(page, id, name, "Follow-ups");
    await page.getByTestId("follow-up-row").first().waitFor();
    await page.getByRole("button", { name: "New follow-up" }).click();
    const dialog = page.getByRole("dialog", { name: "New follow-up" });
    await dialog.getByRole("button", { name: "Create follow-up" }).click();
    await dialog.locator('[id$="-error"]').filter({ hasText: /required/ }).first().waitFor();
    await dialog.getByLabel("Subject").fill("Call about the onboarding");
    // The API's "is required" goes once the subject is typed.
    expect(await dialog.locator('[id$="-error"]').filter({ hasText: /required/ }).count()).toBe(0);
    expect(await dialog.getByLabel("Assigned to (user id)").inputValue()).toBe("u-tasks");
    await checkScreen(page, "follow-up-create");
    await dialog.getByRole("button", { name: "Create follow-up" }).click();
    await page.getByTestId("follow-ups-notice").waitFor();
    await page.getByText("Call about the onboarding").waitFor();
    await checkScreen(page, "customer-follow-ups");

    await page.getByRole("link", { name: "My tasks" }).click();
    await page.getByRole("heading", { name: "My tasks" }).waitFor();
    await page.getByTestId("follow-up-row").first().waitFor();
    const overdue = page.locator('[data-testid="follow-up-row"][data-overdue="true"]');
    expect(await overdue.allInnerTexts()).toEqual([expect.stringContaining("Send the renewal quote")]);
    expect(await page.getByTestId("overdue-count").textContent()).toBe("1 overdue");
    expect(await page.getByTestId("follow-up-row").count()).toBe(2);
    await checkScreen(page, "my-tasks");

    await page.getByRole("button", { name: "Complete “Send the renewal quote”" }).click();
    await page.getByTestId("tasks-notice").waitFor();
    await overdue.waitFor({ state: "detached" });
    expect(await page.getByTestId("follow-up-row").count()).toBe(1);
    await page.getByRole("switch", { name: "Show completed" }).click();
    await page.getByRole("button", { name: "Complete “Call about the onboarding”" }).waitFor();
    expect(await page.getByTestId("follow-up-row").count()).toBe(2);
    const done = await mine.get(`/customers/${id}/follow-ups`);
    expect(done.body.items.find((f: { id: string }) => f.id === soon.body.id).status).toBe("Completed");
    await page.close();
  });

  it("a Viewer sees contacts and follow-ups with no write action: each is disabled with the reason", async () => {
    const { api, id, name } = await newCustomer();
    expect((await api.post(`/customers/${id}/contacts`, { firstName: "Mary", lastName: "Jackson", email: "mary@jackson.example.com", tags: ["legal"] })).status).toBe(201);
    expect((await api.post(`/customers/${id}/contacts`, { firstName: "Dorothy", lastName: "Vaughan", email: "dorothy@vaughan.example.com" })).status).toBe(201);
    expect((await api.post(`/customers/${id}/follow-ups`, { subject: "Check the contract", dueDate: new Date(Date.now() + 86_400_000).toISOString(), priority: "Low" })).status).toBe(201);
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["Viewer"]);
    await openTab(page, id, name, "Contacts");
    await row(page, "dorothy@vaughan.example.com").waitFor();
    const panel = page.getByRole("tabpanel", { name: "Contacts" });
    await panel.getByTestId("contacts-read-only").filter({ hasText: "Your role (Viewer) does not grant customer:update." }).waitFor();
    // No untag buttons at all; every other write is disabled with the reason from the privilege matrix.
    expect(await panel.getByRole("button", { name: /^Remove tag/ }).count()).toBe(0);
    const buttons = panel.getByRole("button");
    expect(await buttons.count()).toBeGreaterThan(0);
    for (const button of await buttons.all()) {
      expect(await button.isDisabled()).toBe(true);
      // Exporting the contacts is data:export's; every other button writes them.
      const privilege = (await button.innerText()) === "Export contacts" ? "data:export" : "customer:update";
      expect(await button.getAttribute("data-disabled-reason")).toBe(`Your role (Viewer) does not grant ${privilege}.`);
    }
    expect(await panel.getByRole("button", { name: "Add contact" }).isDisabled()).toBe(true);
    await checkScreen(page, "contacts-viewer");

    await page.getByRole("tab", { name: "Follow-ups" }).click();
    const followUps = page.getByRole("tabpanel", { name: "Follow-ups" });
    await followUps.getByText("Check the contract").waitFor();
    for (const button of await followUps.getByRole("button").all()) {
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute("data-disabled-reason")).toBe("Your role (Viewer) does not grant communication:send.");
    }
    expect(await followUps.getByRole("button").count()).toBe(2);
    await checkScreen(page, "customer-follow-ups-viewer");

    await page.getByRole("link", { name: "My tasks" }).click();
    await page.getByText("Nothing to do: no open follow-ups.").waitFor();
    await checkScreen(page, "my-tasks-empty");
    await page.close();
  });
});
