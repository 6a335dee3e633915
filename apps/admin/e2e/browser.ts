import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { ROLES, type Role } from "@clientele/domain/authz";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

export const SCREENSHOTS = join(import.meta.dirname, "screenshots");

/** Debian's Chromium (run.sh installs it or takes CHROMIUM_PATH), headless, in a fresh profile. */
export async function launchBrowser(): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "clientele-e2e-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    viewport: { width: 1400, height: 900 },
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser, Page };

/** Signs in on the development sign-in page, as a user of the tenant with these roles. */
export async function signIn(page: Page, baseUrl: string, tenantId: string, roles: Role[], userId = `u-${roles.join("-").toLowerCase()}`): Promise<void> {
  await page.goto(`${baseUrl}/admin/sign-in`);
  await page.getByLabel("Tenant").fill(tenantId);
  await page.getByLabel("User id").fill(userId);
  await page.getByLabel("Display name").fill(`E2E ${roles.join(" ")}`);
  const group = page.getByRole("group", { name: "Roles" });
  // Mantine hides a chip's checkbox behind its label, which is what a user clicks.
  for (const role of ROLES) {
    const box = group.getByRole("checkbox", { name: role, exact: true });
    if ((await box.isChecked()) !== roles.includes(role)) await page.locator(`label[for="${await box.getAttribute("id")}"]`).click();
  }
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-user").waitFor();
}

/**
 * No serious or critical accessibility violations on the screen as it is now; saves its screenshot.
 * The pointer is parked off the screen first: a hovered control is not what the screenshot or axe should judge.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await page.mouse.move(1390, 890);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`)).toEqual([]);
}
