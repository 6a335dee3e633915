import { startComms, type Comms } from "@clientele/api/test/comms-harness";
import { customerBody, newTenant, type Api } from "@clientele/api/test/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn, type Page } from "./browser";

// The API with a real worker sending through the in-process SMTP server (the API's comms harness).
let comms: Comms;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let api: Api;
let customer: { id: string; companyName: string; primaryEmail: string };
const tenant = newTenant();

beforeAll(async () => {
  [comms, browser] = await Promise.all([startComms(), launchBrowser()]);
  api = await comms.server.as("CustomerManager", tenant);
  const body = customerBody({ companyName: `Initrode ${Date.now()}` });
  const created = await api.post("/customers", body);
  expect(created.status).toBe(201);
  customer = { id: created.body.id, companyName: body.companyName, primaryEmail: body.primaryEmail };
});
afterAll(async () => {
  await browser?.close();
  await comms?.close();
});

async function openTab(page: Page) {
  await page.goto(`${comms.server.url}/admin/customers/${customer.id}`);
  await page.getByRole("heading", { name: customer.companyName }).waitFor();
  await page.getByRole("tab", { name: "Communications" }).click();
  await page.getByRole("heading", { name: "Communications" }).waitFor();
}

describe("customer Communications tab and Settings → Templates", () => {
  it("sends an email that arrives in the SMTP inbox, logs a call, and shows both in the history", async () => {
    const page = await browser.browser.newPage();
    await signIn(page, comms.server.url, tenant, ["SalesRep"]);
    await openTab(page);
    await page.getByTestId("communications-empty").waitFor();
    await checkScreen(page, "communications-empty");

    // An unknown variable: the API names it under the field, the form keeps what was typed.
    await page.getByRole("button", { name: "Compose email" }).click();
    const dialog = page.getByRole("dialog", { name: "Compose email" });
    await dialog.getByLabel("Subject").fill("Hello {{nickname}}");
    await dialog.getByLabel("Message").fill("Dear {{companyName}}, your order has shipped.");
    await dialog.getByRole("button", { name: "Send email" }).click();
    await dialog.getByText(/nickname/).first().waitFor();
    expect(await dialog.getByLabel("Message").inputValue()).toBe("Dear {{companyName}}, your order has shipped.");
    await checkScreen(page, "communications-email-errors");

    const subject = `Your order ${Date.now()}`;
    await dialog.getByLabel("Subject").fill(subject);
    await checkScreen(page, "communications-compose-email");
    await dialog.getByRole("button", { name: "Send email" }).click();
    await page.getByTestId("communication-notice").getByText("Email queued").waitFor();
    const mail = await comms.smtp.waitFor((m) => m.subject === subject);
    expect(mail.envelope.to).toEqual([customer.primaryEmail]);
    expect(mail.text).toContain(`Dear ${customer.companyName}, your order has shipped.`);

    await page.getByRole("button", { name: "Log call" }).click();
    const call = page.getByRole("dialog", { name: "Log a phone call" });
    await call.getByLabel("Summary").fill("Discussed the renewal");
    await call.getByLabel("Duration (minutes)").fill("12");
    await checkScreen(page, "communications-log-call");
    await call.getByRole("button", { name: "Log call" }).click();
    await page.getByTestId("communication-notice").getByText("Call logged.").waitFor();
    const rows = page.getByTestId("communication-row");
    await rows.filter({ hasText: "Discussed the renewal" }).filter({ hasText: "Phone call (Outbound, 12 min)" }).waitFor();
    await rows.filter({ hasText: subject }).waitFor();

    // The type filter asks the API for calls only.
    await page.getByLabel("Type", { exact: true }).first().click();
    await page.getByRole("option", { name: "Phone call" }).click();
    await page.keyboard.press("Escape");
    await expect.poll(() => rows.count()).toBe(1);
    await checkScreen(page, "communications-history");
    await page.close();
  });

  it("counts SMS segments as typed and shows the API's consent refusal", async () => {
    const page = await browser.browser.newPage();
    await signIn(page, comms.server.url, tenant, ["SalesRep"]);
    await openTab(page);
    await page.getByRole("button", { name: "Send SMS" }).click();
    const sms = page.getByRole("dialog", { name: "Send SMS" });
    await sms.getByLabel("Message").fill("a".repeat(160));
    await expect.poll(() => sms.getByTestId("sms-segments").innerText()).toBe("1 segment (GSM-7)");
    await sms.getByLabel("Message").fill("a".repeat(161));
    await expect.poll(() => sms.getByTestId("sms-segments").innerText()).toBe("2 segments (GSM-7)");
    await sms.getByLabel("Message").fill("Sale ends today 🎉");
    await expect.poll(() => sms.getByTestId("sms-segments").innerText()).toBe("1 segment (UCS-2)");
    await checkScreen(page, "communications-sms");
    await sms.getByRole("button", { name: "Cancel" }).click();

    // The customer gave no marketing consent: the API refuses, the dialog says why and keeps the text.
    await page.getByRole("button", { name: "Compose email" }).click();
    const email = page.getByRole("dialog", { name: "Compose email" });
    await email.getByLabel("Purpose", { exact: true }).first().click();
    await page.getByRole("option", { name: "Marketing" }).click();
    await email.getByLabel("Subject").fill("Spring sale");
    await email.getByLabel("Message").fill("Everything half price.");
    await email.getByRole("button", { name: "Send email" }).click();
    await email.getByTestId("consent-warning").waitFor();
    expect(await email.getByLabel("Subject").inputValue()).toBe("Spring sale");
    await checkScreen(page, "communications-consent-warning");
    await page.close();
  });

  it("schedules a meeting, moves it and cancels it", async () => {
    const page = await browser.browser.newPage();
    await signIn(page, comms.server.url, tenant, ["SalesRep"]);
    await openTab(page);
    await page.getByRole("button", { name: "Schedule meeting" }).click();
    const dialog = page.getByRole("dialog", { name: "Schedule a meeting" });
    await dialog.getByLabel("Title").fill("Quarterly review");
    await dialog.getByLabel("Location").fill("Head office");
    await checkScreen(page, "communications-schedule-meeting");
    await dialog.getByRole("button", { name: "Schedule meeting" }).click();
    await page.getByTestId("communication-notice").getByText("Meeting scheduled").waitFor();
    const row = page.getByTestId("communication-row").filter({ hasText: "Quarterly review" });
    await row.filter({ hasText: "Scheduled" }).waitFor();

    await row.getByRole("button", { name: "Move" }).click();
    const move = page.getByRole("dialog", { name: "Move “Quarterly review”" });
    await move.getByLabel("Starts").fill("2027-01-05T10:00");
    await move.getByLabel("Ends").fill("2027-01-05T11:00");
    await move.getByRole("button", { name: "Move meeting" }).click();
    await page.getByTestId("communication-notice").getByText("Meeting moved").waitFor();
    await row.filter({ hasText: new Date("2027-01-05T10:00").toLocaleString() }).waitFor();

    await row.getByRole("button", { name: "Cancel meeting" }).click();
    await page.getByRole("dialog", { name: "Cancel meeting" }).getByRole("button", { name: "Cancel meeting" }).click();
    await row.filter({ hasText: "Cancelled" }).waitFor();
    expect(await row.getByRole("button", { name: "Move" }).count()).toBe(0);
    await checkScreen(page, "communications-meeting-cancelled");
    await page.close();
  });

  it("creates and edits a template, with the API's variable check shown under the field", async () => {
    const page = await browser.browser.newPage();
    await signIn(page, comms.server.url, tenant, ["MarketingManager"]);
    await page.getByRole("link", { name: "Settings → Templates" }).click();
    await page.getByRole("heading", { name: "Templates" }).waitFor();
    await page.getByText("No templates yet.").waitFor();
    await page.getByRole("button", { name: "New template" }).click();
    const dialog = page.getByRole("dialog", { name: "New template" });
    const name = `Welcome ${Date.now()}`;
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("Subject").fill("Welcome {{firstName}}");
    await dialog.getByLabel("Text body").fill("Hi {{nickname}}, welcome to {{companyName}}.");
    await dialog.getByRole("button", { name: "Save template" }).click();
    const bodyError = dialog.locator('[id$="-error"]').filter({ hasText: "{{nickname}}" });
    await bodyError.waitFor();
    await checkScreen(page, "templates-variable-error");

    await dialog.getByLabel("Text body").fill("Hi {{firstName}}, welcome to {{companyName}}.");
    await dialog.getByRole("button", { name: "Save template" }).click();
    await page.getByTestId("template-notice").waitFor();
    const row = page.getByRole("row").filter({ hasText: name });
    await row.filter({ hasText: "{{firstName}} {{companyName}}" }).waitFor();

    await page.getByRole("button", { name: `Edit ${name}` }).click();
    const edit = page.getByRole("dialog", { name: `Edit template “${name}”` });
    await edit.getByLabel("Text body").fill("Hi {{firstName}}, your number is {{customerNumber}}.");
    await edit.getByRole("button", { name: "Save template" }).click();
    await row.filter({ hasText: "{{customerNumber}}" }).waitFor();
    await checkScreen(page, "templates-list");

    // A SalesRep may use templates but not manage them: the button is there, disabled, with the reason.
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, comms.server.url, tenant, ["SalesRep"]);
    await page.goto(`${comms.server.url}/admin/settings/templates`);
    await row.waitFor();
    expect(await page.getByRole("button", { name: "New template" }).getAttribute("data-disabled-reason")).toMatch(/template:manage/);

    // …and send with one from the customer's tab: the API fills its variables for this customer.
    await openTab(page);
    await page.getByRole("button", { name: "Compose email" }).click();
    const compose = page.getByRole("dialog", { name: "Compose email" });
    await compose.getByLabel("Template", { exact: true }).first().click();
    await page.getByRole("option", { name: `${name} (Transactional)` }).click();
    expect(await compose.getByLabel("Message").inputValue()).toBe("Hi {{firstName}}, your number is {{customerNumber}}.");
    await compose.getByRole("button", { name: "Send email" }).click();
    await page.getByTestId("communication-notice").getByText("Email queued").waitFor();
    const mail = await comms.smtp.waitFor((m) => m.envelope.to.includes(customer.primaryEmail) && m.subject.startsWith("Welcome"));
    expect(mail.text).toMatch(/your number is CUS-\d+\./);
    await page.close();
  });
});
