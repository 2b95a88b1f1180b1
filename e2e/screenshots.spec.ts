// Pictures of each state for the README (docs/screenshots/): launcher, form, errors, confirmation,
// light and dark, Arabic, 320 px. Made by the browser tests so they always show the current widget.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { DEMO_ORIGIN, freeSlot, uniqueFrenchMobile } from "./support";

const dir = path.resolve("docs/screenshots");
mkdirSync(dir, { recursive: true });
const shot = (page: Page, name: string) => page.locator(".cw-root").first().screenshot({ path: path.join(dir, `${name}.png`), animations: "disabled" });

test.use({ timezoneId: "Europe/Paris", locale: "en-GB", viewport: { width: 520, height: 900 } });

test("the launcher on a host page", async ({ page }) => {
  await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
  await expect(page.getByRole("button", { name: "Call me back" })).toBeVisible();
  await page.screenshot({ path: path.join(dir, "launcher.png") });
  await page.getByRole("button", { name: "Call me back" }).click();
  await expect(page.getByRole("dialog").getByRole("heading", { name: "Request a callback" })).toBeVisible();
  await page.screenshot({ path: path.join(dir, "launcher-open.png") });
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`form, errors and confirmation, ${colorScheme}`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto("/");
    await page.getByRole("radio", { name: "At a time I choose" }).check();
    const slot = await freeSlot(page);
    await expect(slot).toBeVisible();
    await shot(page, `form-${colorScheme}`);
    await page.getByRole("button", { name: "Request a callback" }).click();
    await expect(page.locator("#cw-phone-error")).toBeVisible();
    await expect(page.getByRole("alert")).toContainText("Enter a phone number.");
    await shot(page, `errors-${colorScheme}`);
    await slot.check();
    await page.getByLabel("Your name").fill("Ada Lovelace");
    await page.getByLabel("Phone number").fill(uniqueFrenchMobile().national);
    await page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
    await page.getByRole("button", { name: "Request a callback" }).click();
    await expect(page.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
    // With Dataverse's own status, once the confirmation has fetched it.
    await expect(page.locator(".cw-request-status")).toContainText("(Pending)");
    await shot(page, `confirmation-${colorScheme}`);
  });
}

test("Arabic, right to left", async ({ page }) => {
  await page.goto("/callback/default?locale=ar");
  await page.getByRole("radio", { name: "في وقت أختاره" }).check();
  await expect(page.locator("fieldset.cw-day").first()).toBeVisible();
  await shot(page, "form-arabic");
});

test("320 px wide", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 900 }, locale: "en-GB", timezoneId: "Europe/Paris" });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await expect(page.locator("fieldset.cw-day").first()).toBeVisible();
  await shot(page, "form-320px");
  await context.close();
});
