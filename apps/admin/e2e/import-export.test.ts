import { readFileSync } from "node:fs";
import { newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { startWorker, type WorkerProcess } from "@clientele/api/test/worker-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn, type Page } from "./browser";

// The real worker runs imports over 100 rows and exports over 1,000 records: the wizard's progress is the worker's.
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

const ROWS = 1200;
const BAD_INDEX = 2; // the third data row: line 4 of the file, as the row errors number it
// "E-mail" is no field's name, so it must be mapped; the other headers map by name.
const HEADER = "type,companyName,E-mail,primaryPhone,billingStreet,billingCity,billingState,billingZipCode,billingCountry";
const file = () =>
  [
    HEADER,
    ...Array.from({ length: ROWS }, (_, i) => {
      const name = i === 9 ? "Quillfeather Imports" : `Zephyr Holdings ${i}`;
      const email = i === BAD_INDEX ? "not-an-email" : `c${i}@zephyr.example`;
      return `SmallBusiness,${name},${email},+44 20 7946 0958,1 High Street,London,Greater London,SW1A 1AA,GB`;
    }),
  ].join("\n");

/** Picks a column in one of the mapping step's selects (Mantine: a searchable input and a listbox). */
async function pick(page: Page, field: string, column: string) {
  await page.getByRole("combobox", { name: field, exact: true }).click();
  await page.getByRole("option", { name: column, exact: true }).click();
}

/** Reads the progress element until the import or export settles; answers every state seen on the way. */
async function watch(page: Page, testId: string, settled: string[]): Promise<{ status: string; processed: number }[]> {
  const seen: { status: string; processed: number }[] = [];
  const el = page.getByTestId(testId);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const status = (await el.getAttribute("data-status")) ?? "";
    seen.push({ status, processed: Number((await el.getAttribute("data-processed")) ?? 0) });
    if (settled.includes(status)) return seen;
    await page.waitForTimeout(100);
  }
  throw new Error(`${testId} did not settle: ${JSON.stringify(seen.at(-1))}\nworker output:\n${worker.output()}`);
}

describe("customer import wizard and export dialog in a real browser", () => {
  it("uploads a CSV with a bad row, maps columns, dry-runs, imports with progress, and downloads the error report", { timeout: 240_000 }, async () => {
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await page.goto(`${server.url}/admin/customers`);
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await page.getByRole("heading", { name: "Import customers" }).waitFor();
    await page.getByText(/at most 50 MB and 100,000 records/).waitFor();
    await checkScreen(page, "import-upload");

    // Not a table: the API's 415 problem shows on the upload step.
    const fileInput = page.locator('input[type="file"]');
    await fileInput.setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex") });
    await page.getByRole("button", { name: "Read file" }).click();
    await page.getByTestId("import-problem").filter({ hasText: /PNG/ }).waitFor();
    await checkScreen(page, "import-upload-refused");

    await fileInput.setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(file()) });
    await page.getByRole("button", { name: "Read file" }).click();
    await page.getByTestId("import-file-summary").filter({ hasText: `CSV, ${ROWS.toLocaleString("en-US")} records` }).waitFor();
    // Until the email is mapped the create cannot run: the domain's rule, beside the field.
    await page.getByText("is required: map it to a column").waitFor();
    expect(await page.getByRole("button", { name: "Dry run", exact: true }).isDisabled()).toBe(true);
    await pick(page, "primaryEmail", "E-mail");
    const preview = page.getByTestId("import-preview");
    await preview.getByRole("columnheader", { name: "primaryEmail" }).waitFor();
    expect(await preview.locator("tbody tr").count()).toBe(10);
    expect(await preview.locator("tbody tr").first().innerText()).toContain("c0@zephyr.example");
    await checkScreen(page, "import-mapping");

    await page.getByRole("button", { name: "Dry run", exact: true }).click();
    const dry = await watch(page, "import-progress", ["Completed", "Failed"]);
    expect(dry.at(-1)).toEqual({ status: "Completed", processed: ROWS });
    const dryErrors = page.getByTestId("import-row-errors");
    await dryErrors.getByRole("row", { name: /4 primaryEmail/ }).waitFor();
    await page.getByTestId("import-counts").filter({ hasText: `Would create ${(ROWS - 1).toLocaleString("en-US")}, would update 0, refused 1.` }).waitFor();
    await checkScreen(page, "import-dry-run");
    // A dry run writes nothing.
    expect((await (await server.as("Viewer", tenant)).get("/customers?query=holdings")).body.totalCount).toBe(0);

    // Progress is pushed (live.importProgress over server-sent events), not polled: the status is
    // read when the import starts and once more when it ends.
    const statusReads: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("customers.bulkImportStatus")) statusReads.push(r.url());
    });
    let streams = 0;
    page.on("request", (r) => {
      if (r.url().includes("live.importProgress")) streams++;
    });
    await page.getByRole("button", { name: `Import ${(ROWS - 1).toLocaleString("en-US")} rows` }).click();
    // The import's own bar (the dry run's is gone with its step).
    await page.getByRole("progressbar", { name: "Import progress" }).waitFor();
    const seen = await watch(page, "import-progress", ["Completed", "Failed"]);
    expect(streams).toBeGreaterThanOrEqual(1);
    expect(statusReads.length).toBeLessThanOrEqual(2);
    expect(seen.at(-1)).toEqual({ status: "Completed", processed: ROWS });
    // The bar was there while the worker imported, and only moved forward.
    expect(seen.some((s) => (s.status === "Queued" || s.status === "Processing") && s.processed < ROWS)).toBe(true);
    const processed = seen.map((s) => s.processed);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    await page.getByTestId("import-counts").filter({ hasText: `Created ${(ROWS - 1).toLocaleString("en-US")}, updated 0, refused 1.` }).waitFor();
    await page.getByTestId("import-notice").waitFor();
    await checkScreen(page, "import-done");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download error report (CSV)" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^customer-import-.+-errors\.csv$/);
    const report = readFileSync((await download.path())!, "utf8").trim().split("\n");
    expect(report[0]).toBe("row,field,reason");
    expect(report).toHaveLength(2);
    expect(report[1]).toMatch(/^4,primaryEmail,/);

    // The imported customers are found by the list's search like any other.
    await page.getByRole("link", { name: "Go to customers" }).click();
    await page.getByLabel("Search").fill("Quillfeather");
    await page.getByTestId("customer-row").filter({ hasText: "Quillfeather Imports" }).waitFor();
    await page.getByTestId("customers-total").filter({ hasText: /^1 customers$/ }).waitFor();
    await page.close();
  });

  it("exports the filtered list as CSV through the worker and downloads the file", { timeout: 180_000 }, async () => {
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await page.goto(`${server.url}/admin/customers?q=holdings`);
    await page.getByTestId("customers-total").filter({ hasText: `${ROWS - 2} customers` }).waitFor();
    await page.getByRole("button", { name: "Export", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Export customers" });
    // The list's filters are the export's by default.
    expect(await dialog.getByLabel("Search text").inputValue()).toBe("holdings");
    await checkScreen(page, "export-dialog");
    await dialog.getByRole("button", { name: "Export", exact: true }).click();
    // Over 1,000 records: the worker writes the file while the dialog polls.
    const seen = await watch(page, "export-progress", ["Completed", "Failed"]);
    expect(seen.at(-1)?.status).toBe("Completed");
    await dialog.getByText(`${(ROWS - 2).toLocaleString("en-US")} customers`).waitFor();
    await checkScreen(page, "export-ready");
    const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByTestId("export-download").click()]);
    const lines = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(lines[0]).toContain("Customer number");
    expect(lines[0]).toContain("Company name");
    expect(lines).toHaveLength(ROWS - 1);
    expect(lines.filter((l) => l.includes("Zephyr Holdings"))).toHaveLength(ROWS - 2);
    expect(lines.some((l) => l.includes("c1199@zephyr.example"))).toBe(true);
    await page.close();
  });

  it("a role without the privileges sees Import and Export disabled with the reason", async () => {
    const viewer = await browser.browser.newPage();
    await signIn(viewer, server.url, tenant, ["Viewer"]);
    await viewer.goto(`${server.url}/admin/customers`);
    const importButton = viewer.getByRole("button", { name: "Import", exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    expect(await importButton.getAttribute("data-disabled-reason")).toBe("Your role (Viewer) does not grant customer:create.");
    const exportButton = viewer.getByRole("button", { name: "Export", exact: true });
    expect(await exportButton.isDisabled()).toBe(true);
    expect(await exportButton.getAttribute("data-disabled-reason")).toBe("Your role (Viewer) does not grant data:export.");
    await checkScreen(viewer, "import-export-viewer");
    // The wizard's own route says so too, rather than failing at the upload.
    await viewer.goto(`${server.url}/admin/customers/import`);
    await viewer.getByText("You cannot import customers").waitFor();
    await viewer.close();

    // A sales rep imports but does not export (REQ-CUS-037).
    const rep = await browser.browser.newPage();
    await signIn(rep, server.url, tenant, ["SalesRep"]);
    await rep.goto(`${server.url}/admin/customers`);
    await rep.getByRole("link", { name: "Import", exact: true }).waitFor();
    expect(await rep.getByRole("button", { name: "Export", exact: true }).getAttribute("data-disabled-reason")).toBe("Your role (SalesRep) does not grant data:export.");
    await rep.close();
  });
});
