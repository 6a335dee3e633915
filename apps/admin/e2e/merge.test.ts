import { customerBody, eventually, newTenant, startTestServer, type Api, type TestServer } from "@clientele/api/test/harness";
import { startWorker, type WorkerProcess } from "@clientele/api/test/worker-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, signIn } from "./browser";

// The real worker keeps the duplicates queue current after every create and update.
let server: TestServer;
let worker: WorkerProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let api: Api;
const tenant = newTenant();

beforeAll(async () => {
  [server, worker, browser] = await Promise.all([startTestServer(), startWorker(), launchBrowser()]);
  api = await server.as("CustomerManager", tenant);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), worker?.stop()]);
});

// customerBody gives every customer the same phone: each pair here gets its own, so only it pairs by phone.
let phone = 100;
const create = async (overrides: Record<string, unknown> = {}) => {
  const res = await api.post("/customers", customerBody({ primaryPhone: `+44 20 7946 0${phone++}`, ...overrides }));
  expect(res.status).toBe(201);
  return res.body as { id: string; customerNumber: string; companyName: string };
};
const addContact = async (customerId: string, email: string) => {
  const res = await api.post(`/customers/${customerId}/contacts`, { firstName: "Ann", lastName: email.split("@")[0], email });
  expect(res.status).toBe(201);
};
type Pair = { customerA: { id: string }; customerB: { id: string } };
const queue = async () => (await api.get("/customers/duplicates?pageSize=100")).body.items as Pair[];
const samePair = (p: Pair, a: string, b: string) => [p.customerA.id, p.customerB.id].sort().join() === [a, b].sort().join();

describe("merge and duplicates in a real browser", () => {
  it("merges a customer picked by search: its contacts move to the target, a field takes the source's value, the source shows it was merged", async () => {
    const target = await create({ companyName: "Brightside Logistics", industry: "Transport" });
    const source = await create({ companyName: "Brightside Logistics Ltd", industry: "Logistics" });
    await addContact(source.id, "ops@brightside.example.com");
    await addContact(source.id, "billing@brightside.example.com");
    await addContact(target.id, "ceo@brightside.example.com");

    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await page.goto(`${server.url}/admin/customers/${target.id}`);
    await page.getByRole("heading", { name: target.companyName }).waitFor();
    await page.getByRole("button", { name: "Merge…" }).click();
    await page.getByLabel("Find the other customer").fill(source.customerNumber);
    await page.getByRole("button", { name: `Choose ${source.companyName} (${source.customerNumber})` }).click();
    await page.getByTestId("merge-source").filter({ hasText: source.customerNumber }).waitFor();
    await page.getByTestId("merge-target").filter({ hasText: target.customerNumber }).waitFor();
    await page.getByRole("radio", { name: "Industry: keep the source's value" }).check();
    await checkScreen(page, "merge-side-by-side");
    await page.getByRole("button", { name: `Merge ${source.customerNumber} into ${target.customerNumber}` }).click();

    // After the merge: the target's page, with the source's contacts.
    await page.waitForURL(`**/admin/customers/${target.id}`);
    await page.getByRole("heading", { name: target.companyName }).waitFor();
    await page.getByRole("tab", { name: "Contacts" }).click();
    for (const email of ["ops@brightside.example.com", "billing@brightside.example.com", "ceo@brightside.example.com"]) {
      await page.locator(`[data-testid="contact-row"][data-contact-email="${email}"]`).waitFor();
    }
    const merged = (await api.get(`/customers/${target.id}`)).body;
    expect(merged.profile.industry).toBe("Logistics");
    expect(((await api.get(`/customers/${target.id}/contacts`)).body.items as unknown[]).length).toBe(3);

    const gone = await api.get(`/customers/${source.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.mergedInto).toBe(target.id);
    await page.goto(`${server.url}/admin/customers/${source.id}`);
    await page.getByTestId("customer-merged").waitFor();
    await checkScreen(page, "customer-merged");
    await page.getByRole("button", { name: "Open the customer it was merged into" }).click();
    await page.getByRole("heading", { name: target.companyName }).waitFor();
    await page.close();
  });

  it("shows the API's refusal clearly: an archived customer cannot be merged (409)", async () => {
    const target = await create();
    const archived = await create();
    expect((await (await server.as("Admin", tenant)).post(`/customers/${archived.id}/archive`, { reason: "closed" })).status).toBe(200);
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await page.goto(`${server.url}/admin/customers/${target.id}/merge?with=${archived.id}`);
    await page.getByRole("button", { name: `Merge ${archived.customerNumber} into ${target.customerNumber}` }).click();
    const problem = page.getByTestId("merge-problem");
    await problem.filter({ hasText: "These customers cannot be merged now" }).waitFor();
    expect(await problem.innerText()).toMatch(/archived/i);
    await checkScreen(page, "merge-refused");
    // Nothing moved: the archived customer is still readable as it was.
    expect((await api.get(`/customers/${archived.id}`)).body.status).toBe("Archived");
    await page.close();
  });

  it("lists suspected pairs with score and reasons; dismissing one takes it out of the queue; merge opens the merge screen prefilled", async () => {
    const pairPhone = `+44 20 7946 0${phone++}`;
    const a = await create({ companyName: "Quayside Bakery", primaryPhone: pairPhone });
    const b = await create({ companyName: "Quayside Bakery Co", primaryPhone: pairPhone });
    const otherPhone = `+44 20 7946 0${phone++}`;
    const c = await create({ companyName: "Millpond Studio", primaryPhone: otherPhone });
    const d = await create({ companyName: "Millpond Studios", primaryPhone: otherPhone });
    await eventually(queue, (items) => items.some((p) => samePair(p, a.id, b.id)) && items.some((p) => samePair(p, c.id, d.id)), 30_000, () => worker.output());

    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["CustomerManager"]);
    await page.goto(`${server.url}/admin/customers/duplicates`);
    const row = (x: string, y: string) => page.locator(`[data-testid="duplicate-pair"][data-pair*="${x}"][data-pair*="${y}"]`);
    await row(a.id, b.id).filter({ hasText: "Same phone" }).waitFor();
    await checkScreen(page, "duplicates-queue");

    await row(a.id, b.id).getByRole("button", { name: /^Not a duplicate/ }).click();
    await page.getByTestId("duplicates-notice").filter({ hasText: "are marked as not duplicates" }).waitFor();
    await row(a.id, b.id).waitFor({ state: "detached" });
    expect((await queue()).some((p) => samePair(p, a.id, b.id))).toBe(false);

    await row(c.id, d.id).getByRole("button", { name: /^Merge/ }).click();
    await page.waitForURL(/\/merge\?with=/);
    for (const side of ["merge-source", "merge-target"]) await page.getByTestId(side).filter({ hasText: /Millpond Studio/ }).waitFor();
    await checkScreen(page, "merge-from-duplicates");
    await page.close();
  });

  it("a Viewer can read the queue but merge and dismiss are disabled with the reason; the merge screen says why", async () => {
    const x = await create();
    const page = await browser.browser.newPage();
    await signIn(page, server.url, tenant, ["Viewer"]);
    await page.goto(`${server.url}/admin/customers/duplicates`);
    const first = page.getByTestId("duplicate-pair").first();
    await first.waitFor();
    for (const [name, privilege] of [[/^Merge/, "customer:merge"], [/^Not a duplicate/, "customer:update"]] as const) {
      const button = first.getByRole("button", { name });
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute("data-disabled-reason")).toBe(`Your role (Viewer) does not grant ${privilege}.`);
    }
    await checkScreen(page, "duplicates-viewer");
    await page.goto(`${server.url}/admin/customers/${x.id}/merge`);
    await page.getByTestId("merge-disabled").filter({ hasText: "does not grant customer:merge" }).waitFor();
    await page.close();
  });
});
