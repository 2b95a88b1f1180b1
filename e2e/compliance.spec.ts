// Compliance as the visitor meets it: only times permitted where the number rings are offered,
// a number on the do-not-call list is refused with nothing sent, a full slot cannot be taken twice.
import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { availability, deliveriesTo, uniqueFrenchMobile, freeSlot } from "./support";

test.use({ timezoneId: "Europe/Paris", locale: "en-GB" });

const slotBoxes = (page: Page) => page.locator("fieldset.cw-day").getByRole("checkbox");

test("a number where it is night is offered no time at night, and none at all on this line", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await expect(slotBoxes(page).first()).toBeVisible();
  const offeredToEveryone = await slotBoxes(page).count();
  expect(offeredToEveryone).toBeGreaterThan(0);

  // Honolulu: the line's 09:00-17:00 in Paris is 22:00-06:00 there, outside 08:00-21:00.
  await page.getByLabel("Country").selectOption("US");
  await page.getByLabel("Phone number").fill("(808) 555-0123");
  await expect(slotBoxes(page)).toHaveCount(0);
  await expect(page.getByText("No times are available in the coming days.")).toBeVisible();
  await expect(page.getByRole("radio", { name: "As soon as possible" })).toHaveCount(0);

  // A French number again: the times come back (give or take one, should a slot start meanwhile).
  await page.getByLabel("Country").selectOption("FR");
  await page.getByLabel("Phone number").fill("06 12 34 56 78");
  await expect.poll(() => slotBoxes(page).count()).toBeGreaterThanOrEqual(offeredToEveryone - 1);
});

test("a number on the do-not-call list is refused, and nothing reaches the contact centre", async ({ page, request }) => {
  const { national, e164 } = uniqueFrenchMobile();
  execFileSync(process.execPath, ["--import", "tsx", "src/server/dnc-main.ts", "add", e164], { env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } });

  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await (await freeSlot(page)).check();
  await page.getByLabel("Phone number").fill(national);
  await page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
  await page.getByRole("button", { name: "Request a callback" }).click();
  await expect(page.locator("#cw-phone-error")).toHaveText("We cannot call this number.");
  await expect(page.getByRole("heading", { name: "Callback requested" })).toHaveCount(0);
  expect(await deliveriesTo(request, e164)).toHaveLength(0);
});

test("a full slot cannot be taken twice", async ({ page, request }) => {
  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  const box = page.locator("fieldset.cw-day input[type=checkbox]:enabled").nth(5);
  const start = (await box.getAttribute("value"))!;
  await box.check();
  const { national } = uniqueFrenchMobile();
  await page.getByLabel("Phone number").fill(national);
  await page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();

  // Meanwhile, four other visitors take that slot (the demo line holds four calls a slot).
  const slot = (await availability(request, "default")).slots.find((s) => s.start === start)!;
  const { formToken } = (await (await request.get("/api/v1/profiles/default")).json()) as { formToken: string };
  await new Promise((resolve) => setTimeout(resolve, 2_100)); // the line's minimum fill time
  for (let i = 0; i < 4; i++) {
    const response = await request.post("/api/v1/callbacks", {
      data: { profile: "default", phone: uniqueFrenchMobile().e164, timeZone: "Europe/Paris", consent: true, windows: [{ start, end: slot.end }], formToken },
    });
    expect(response.status()).toBe(201);
  }

  await page.getByRole("button", { name: "Request a callback" }).click();
  await expect(page.locator("#cw-slots-error")).toHaveText("This time is fully booked. Choose another.");
  // The times are fetched again: that slot is now shown taken, and cannot be chosen.
  await expect(page.locator(`input[value="${start}"]`)).toBeDisabled();
  await expect(page.locator(`input[value="${start}"]`)).not.toBeChecked();
});
