import { readFileSync } from "node:fs";
import { customerBody, newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { startWorker, type WorkerProcess } from "@clientele/api/test/worker-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn, type Page } from "./browser";

// The real worker runs contact imports over 100 rows: that import's progress is the worker's.
let server: TestServer;
let worker: WorkerProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const tenant = newTenant();

beforeAll(async () => {
  [server, worker, browser] = await Promise.all([startTestServer(), startWorker(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), worker?.stop()]);
});

const newCustomer = async () => {
  const api = await server.as("CustomerManager", tenant);
  const created = await api.post("/customers", customerBody());
  expect(created.status).toBe(201);
  return { api, id: created.body.id as string, name: created.body.companyName as string, number: created.body.customerNumber as string };
};

// "Given name" and "Surname" are no field's names, so they must be mapped; "E-mail" and the others map by name.
// The second data row's email is bad: line 3 of the file, as the row errors number it.
const SMALL = ["Given name,Surname,E-mail,Phone,Tags", "Grace,Hopper,grace@hopper.example.com,,navy", "Alan,Turing,not-an-email,,", "Katherine,Johnson,katherine@johnson.example.com,,nasa", "Edsger,Dijkstra,edsger@dijkstra.example.com,,"].join("\n");

/** Picks a column in one of the mapping step's selects (Mantine: a searchable input and a listbox). */
async function pick(page: Page, field: string, column: string) {
  await page.getByRole("combobox", { name: field, exact: true }).click();
  await page.getByRole("option", { name: column, exact: true }).click();
}

/** Reads the progress element until the import or export settles; answers every state seen on the way. */
async function watch(page: Page, testId: string): Promise<{ status: string; processed: number }[]> {
  const seen: { status: string; processed: number }[] = [];
  const el = page.getByTestId(testId);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const status = (await el.getAttribute("data-status")) ?? "";
    seen.push({ status, processed: Number((await el.getAttribute("data-processed")) ?? 0) });
    if (status === "Completed" || status === "Failed") return seen;
    await page.waitForTimeout(100);
  }
  throw new Error(`${testId} did not settle: ${JSON.stringify(seen.at(-1))}\nworker output:\n${worker.output()}`);
}

const openContacts = async (page: Page, customerId: string, name: string) => {
  await page.goto(`${server.url}/admin/customers/${customerId}`);
  await page.getByRole("heading", { name }).waitFor();
  await page.getByRole("tab", { name: "Contacts" }).click();
};

let imported: Awaited<ReturnType<typeof newCustomer>>;

describe("contact import and export in a real browser", () => {
  it("imports a customer's contacts from its Contacts tab: refusal at the file, mapping, dry run, import, row errors and the error report", { timeout: 180_000 }, async () => {
    imported = await newCustomer();
    const { api, id, name } = imported;
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await openContacts(page, id, name);
    await page.getByRole("link", { name: "Import contacts" }).click();
    await page.getByRole("heading", { name: "Import contacts" }).waitFor();
    await page.getByTestId("contact-import-customer").filter({ hasText: name }).waitFor();

    // Over the contact import's 10 MB: the API's 413 shows at the file, explained.
    const fileInput = page.locator('input[type="file"]');
    const big = `firstName,lastName,email\n${"Ada,Lovelace,ada@lovelace.example.com\n".repeat(Math.ceil((10.5 * 1024 * 1024) / 39))}`;
    await fileInput.setInputFiles({ name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(big) });
    await page.getByRole("button", { name: "Read file" }).click();
    await page.getByRole("button", { name: "Start dry run" }).click();
    await page.getByTestId("import-problem").filter({ hasText: /larger than a contact import takes/ }).waitFor();

    // Not a table: the browser cannot read its columns, so it goes without mappings and the API's 415 shows at the file.
    await fileInput.setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex") });
    await page.getByRole("button", { name: "Read file" }).click();
    await page.getByTestId("import-unmapped").waitFor();
    await page.getByRole("button", { name: "Start dry run" }).click();
    await page.getByTestId("import-problem").filter({ hasText: /reads only CSV, Excel \(\.xlsx\) or JSON files/ }).waitFor();
    await checkScreen(page, "contact-import-refused");

    // JSON that is no list of records: sent unmapped, and the API's message on the file field shows at the file.
    await fileInput.setInputFiles({ name: "contacts.json", mimeType: "application/json", buffer: Buffer.from('{"rows":[]}') });
    await page.getByRole("button", { name: "Read file" }).click();
    await page.getByTestId("import-unmapped").filter({ hasText: "not an array of objects" }).waitFor();
    await page.getByRole("button", { name: "Start dry run" }).click();
    // Mantine's field error (the input's aria-describedby), not only the alert.
    await page.locator('[id$="-error"]').filter({ hasText: /must be an array of objects or \{ "contacts": \[\.\.\.\] \}/ }).waitFor();

    await fileInput.setInputFiles({ name: "contacts.csv", mimeType: "text/csv", buffer: Buffer.from(SMALL) });
    await page.getByRole("button", { name: "Read file" }).click();
    await page.getByTestId("import-file-summary").filter({ hasText: "contacts.csv: CSV, columns Given name, Surname, E-mail, Phone, Tags." }).waitFor();
    // Names and email are required: until they are mapped nothing is sent, and each says so at its field.
    expect(await page.getByText("is required: map it to a column").count()).toBe(2);
    expect(await page.getByRole("button", { name: "Start dry run" }).isDisabled()).toBe(true);
    await pick(page, "firstName", "Given name");
    await pick(page, "lastName", "Surname");
    expect(await page.getByRole("combobox", { name: "email", exact: true }).inputValue()).toBe("E-mail");
    await checkScreen(page, "contact-import-mapping");

    // The dry run (on by default) counts and reports, and writes nothing.
    await page.getByRole("button", { name: "Start dry run" }).click();
    expect((await watch(page, "import-progress")).at(-1)?.status).toBe("Completed");
    await page.getByTestId("import-counts").filter({ hasText: "Would create 3, would update 0, refused 1." }).waitFor();
    await page.getByTestId("import-row-errors").getByRole("row", { name: /^3 email/ }).waitFor();
    await checkScreen(page, "contact-import-dry-run");
    expect((await api.get(`/customers/${id}/contacts`)).body.items).toEqual([]);

    await page.getByRole("button", { name: "Import 3 rows" }).click();
    await page.getByRole("progressbar", { name: "Import progress" }).waitFor();
    expect((await watch(page, "import-progress")).at(-1)?.status).toBe("Completed");
    await page.getByTestId("import-counts").filter({ hasText: "Created 3, updated 0, refused 1." }).waitFor();
    await page.getByTestId("import-notice").waitFor();
    await checkScreen(page, "contact-import-done");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download error report (CSV)" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^import-.+-errors\.csv$/);
    const report = readFileSync((await download.path())!, "utf8").trim().split("\n");
    expect(report[0]).toBe("row,field,reason");
    expect(report).toHaveLength(2);
    expect(report[1]).toMatch(/^3,email,/);

    const contacts = (await api.get(`/customers/${id}/contacts`)).body.items as { email: string; tags: string[] }[];
    expect(contacts.map((c) => c.email).sort()).toEqual(["edsger@dijkstra.example.com", "grace@hopper.example.com", "katherine@johnson.example.com"]);
    expect(contacts.find((c) => c.email === "grace@hopper.example.com")?.tags).toEqual(["navy"]);
    // Back on the tab, the imported contacts are listed.
    await page.getByRole("link", { name: "Back to the customer" }).click();
    await page.getByRole("tab", { name: "Contacts" }).click();
    await page.locator('[data-testid="contact-row"][data-contact-email="katherine@johnson.example.com"]').waitFor();
    await page.close();
  });

  it("imports rows naming their customers from the customers screen, with the worker's live progress", { timeout: 180_000 }, async () => {
    const customers = await Promise.all([newCustomer(), newCustomer(), newCustomer(), newCustomer()]);
    const rows = customers.flatMap((c, ci) => Array.from({ length: 40 }, (_, i) => `Person${i},Of${ci},p${i}.c${ci}@bulk.example.com,${c.number}`));
    const page = await browser.browser.newPage();
    let streams = 0;
    page.on("request", (r) => {
      if (r.url().includes("live.importProgress")) streams++;
    });
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await page.goto(`${server.url}/admin/customers`);
    await page.getByRole("link", { name: "Import contacts" }).click();
    await page.getByText("Every row names its customer").waitFor();
    await page.locator('input[type="file"]').setInputFiles({ name: "bulk.csv", mimeType: "text/csv", buffer: Buffer.from(["firstName,lastName,email,customerNumber", ...rows].join("\n")) });
    await page.getByRole("button", { name: "Read file" }).click();
    await page.getByTestId("import-mapping").waitFor();
    await page.getByLabel("Dry run: check and count every row, write nothing").uncheck();
    await page.getByRole("button", { name: "Import contacts" }).click();
    // Over 100 rows: queued for the worker, its progress pushed to the page.
    const seen = await watch(page, "import-progress");
    expect(seen.at(-1)).toEqual({ status: "Completed", processed: 160 });
    expect(seen.some((s) => s.status === "Queued" || s.status === "Processing")).toBe(true);
    expect(streams).toBeGreaterThanOrEqual(1);
    await page.getByTestId("import-counts").filter({ hasText: "Created 160, updated 0, refused 0." }).waitFor();
    expect(await page.getByRole("button", { name: "Download error report (CSV)" }).count()).toBe(0);
    const first = (await customers[0]!.api.get(`/customers/${customers[0]!.id}/contacts`)).body.items as unknown[];
    expect(first).toHaveLength(40);
    await page.close();
  });

  it("exports a customer's contacts from its tab, and every customer's by tag from the list; the signed links hold them", { timeout: 120_000 }, async () => {
    const { id, name } = imported;
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await openContacts(page, id, name);
    await page.getByRole("button", { name: "Export contacts" }).click();
    const dialog = page.getByRole("dialog", { name: "Export contacts" });
    expect(await dialog.getByLabel("Only this customer's contacts").isChecked()).toBe(true);
    await checkScreen(page, "contact-export-dialog");
    await dialog.getByRole("button", { name: "Export", exact: true }).click();
    expect((await watch(page, "export-progress")).at(-1)?.status).toBe("Completed");
    await dialog.getByText("Export: Completed, 3 contacts").waitFor();
    await checkScreen(page, "contact-export-ready");
    const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByTestId("export-download").click()]);
    const lines = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(lines[0]).toContain("First name");
    expect(lines[0]).toContain("Email");
    expect(lines).toHaveLength(4);
    expect(lines.some((l) => l.includes("grace@hopper.example.com") && l.includes(name))).toBe(true);

    // From the list: every customer's contacts with the tag (the bulk import's have none).
    await page.goto(`${server.url}/admin/customers`);
    await page.getByRole("button", { name: "Export contacts" }).click();
    const all = page.getByRole("dialog", { name: "Export contacts" });
    // The API's tag rule answers beside the field.
    await all.getByLabel("Contact tags").fill("no-spaces allowed");
    await all.getByLabel("Contact tags").press("Enter");
    await all.getByRole("button", { name: "Export", exact: true }).click();
    await all.getByText(/"no-spaces allowed" must be 1-50 characters/).waitFor();
    // Backspace in the empty input takes the last tag off.
    await all.getByLabel("Contact tags").press("Backspace");
    await all.getByLabel("Contact tags").fill("nasa");
    await all.getByLabel("Contact tags").press("Enter");
    await all.getByRole("button", { name: "Export", exact: true }).click();
    await all.getByText("Export: Completed, 1 contacts").waitFor();
    const [tagged] = await Promise.all([page.waitForEvent("download"), all.getByTestId("export-download").click()]);
    const taggedLines = readFileSync((await tagged.path())!, "utf8").trim().split(/\r?\n/);
    expect(taggedLines).toHaveLength(2);
    expect(taggedLines[1]).toContain("katherine@johnson.example.com");
    await page.close();
  });

  it("a role without the privileges has the contact actions disabled with the reason", async () => {
    const { id, name } = imported;
    const viewer = await browser.browser.newPage();
    await signIn(viewer, server.url, tenant, ["Viewer"]);
    for (const where of ["list", "tab"] as const) {
      if (where === "list") await viewer.goto(`${server.url}/admin/customers`);
      else await openContacts(viewer, id, name);
      const importButton = viewer.getByRole("button", { name: "Import contacts" });
      expect(await importButton.isDisabled()).toBe(true);
      expect(await importButton.getAttribute("data-disabled-reason")).toBe("Your role (Viewer) does not grant customer:update.");
      const exportButton = viewer.getByRole("button", { name: "Export contacts" });
      expect(await exportButton.isDisabled()).toBe(true);
      expect(await exportButton.getAttribute("data-disabled-reason")).toBe("Your role (Viewer) does not grant data:export.");
      expect(await viewer.getByRole("link", { name: "Import contacts" }).count()).toBe(0);
    }
    await checkScreen(viewer, "contact-transfer-viewer");
    // The import's own route says so too, rather than failing at the upload.
    await viewer.goto(`${server.url}/admin/customers/contacts/import?customerId=${id}`);
    await viewer.getByText("You cannot import contacts").waitFor();
    await viewer.close();

    // A sales rep imports contacts but does not export them.
    const rep = await browser.browser.newPage();
    await signIn(rep, server.url, tenant, ["SalesRep"]);
    await openContacts(rep, id, name);
    await rep.getByRole("link", { name: "Import contacts" }).waitFor();
    expect(await rep.getByRole("button", { name: "Export contacts" }).getAttribute("data-disabled-reason")).toBe("Your role (SalesRep) does not grant data:export.");
    await rep.close();
  });
});
