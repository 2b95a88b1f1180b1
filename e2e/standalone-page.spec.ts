// A visitor in New York uses the standalone page: two adjacent slots and one apart, a French
// number typed in national format, consent, submit. The simulator must have received exactly one
// call with that number and exactly those windows (adjacent slots merged, End = last millisecond).
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { availability, createContact, deliveriesTo, simulatorFaults, uniqueFrenchMobile, freeSlot } from "./support";

test.use({ timezoneId: "America/New_York", locale: "en-US" });

test("a visitor in another time zone requests a callback at chosen times", async ({ page, request }) => {
  const { national, e164 } = uniqueFrenchMobile();
  const offered = await availability(request, "default");

  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await expect(page.getByText(/Times are in your time zone \(.*America\/New_York\)/)).toBeVisible();

  // On the last day offered (other tests book the first ones), two adjacent free slots and one
  // that is not next to them, in the visitor's own calendar.
  const days = page.locator("fieldset.cw-day");
  const boxes = days.nth((await days.count()) - 1).locator("input[type=checkbox]:enabled");
  const free = await boxes.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
  const endOf = (start: string) => offered.slots.find((slot) => slot.start === start)!.end;
  // Slots are sorted and disjoint: the one three places on is never next to the pair.
  const pair = free.findIndex((start, i) => i + 3 < free.length && endOf(start) === free[i + 1]);
  expect(pair).toBeGreaterThanOrEqual(0);
  const starts = [free[pair]!, free[pair + 1]!, free[pair + 3]!];
  const chosen = starts.map((start) => page.locator(`input[type=checkbox][value="${start}"]`));
  for (const box of chosen) await box.check();

  // Labels show New York time, not the profile's Paris time.
  const newYorkTime = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", timeZone: "America/New_York" });
  await expect(chosen[0]!).toHaveAccessibleName(new RegExp(`, ${newYorkTime.format(new Date(starts[0]!))} to `));

  await page.getByLabel("Your name").fill("Ada Lovelace");
  await expect(page.getByLabel("Country")).toHaveValue("FR");
  await page.getByLabel("Phone number").pressSequentially(national);
  await expect(page.getByLabel("Phone number")).toHaveValue(/^0\d \d\d \d\d \d\d \d\d$/); // formatted as typed
  await page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
  await page.getByRole("button", { name: "Request a callback" }).click();

  const confirmation = page.getByRole("heading", { name: "Callback requested" });
  await expect(confirmation).toBeVisible();
  await expect(confirmation).toBeFocused();

  const calls = await deliveriesTo(request, e164);
  expect(calls).toHaveLength(1);
  const lastMs = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
  expect(calls[0]!.body).toMatchObject({
    ApiVersion: "1.0",
    DestinationPhoneNumber: e164,
    Windows: [
      { Start: starts[0], End: lastMs(endOf(starts[1]!)) },
      { Start: starts[2], End: lastMs(endOf(starts[2]!)) },
    ],
  });
  await expect(page.getByText(calls[0]!.deliveryId)).toBeVisible();
  // The confirmation lists the merged windows in the visitor's time.
  await expect(page.locator(".cw-windows li")).toHaveCount(2);
});

test("asks for the profile and its times as the page arrives, and only once", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByLabel("Phone number")).toBeEditable();
  // The page's preload links asked for them; the widget's own fetches took those answers.
  const asked = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((entry) => `${(entry as PerformanceResourceTiming).initiatorType} ${new URL(entry.name).pathname}`)
      .filter((entry) => entry.includes("/api/v1/profiles/")),
  );
  expect(asked.sort()).toEqual(["link /api/v1/profiles/default", "link /api/v1/profiles/default/availability"]);
});

test("shows that it is sending while Dataverse takes its time, and cannot be sent twice", async ({ page, request }) => {
  const { national, e164 } = uniqueFrenchMobile();
  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await (await freeSlot(page)).check();
  await page.getByLabel("Phone number").fill(national);
  await page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
  await simulatorFaults({ rules: [{ target: "action", kind: "delay", delayMs: 1500, times: 1 }] });
  try {
    await page.getByRole("button", { name: "Request a callback" }).click();
    const busy = page.getByRole("button", { name: "Sending…" });
    await expect(busy).toBeDisabled();
    await expect(busy).toHaveAttribute("aria-busy", "true");
    await expect(page.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
  } finally {
    await simulatorFaults();
  }
  expect(await deliveriesTo(request, e164)).toHaveLength(1);
});

test("a visitor can show the times in another zone, found by searching the list", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  const first = page.locator("fieldset.cw-day input[type=checkbox]:enabled").first();
  const start = await first.getAttribute("value");
  const inZone = (zone: string) => new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(new Date(start!));
  await expect(first).toHaveAccessibleName(new RegExp(`, ${inZone("America/New_York")} to `));

  await page.getByRole("button", { name: "Change time zone" }).click();
  const search = page.getByLabel("Time zone");
  await expect(search).toBeFocused();
  // Typed by its current name, which browsers list under its old one (Asia/Calcutta).
  await search.fill("Asia/Kolkata");
  await expect(page.getByText(/Times are in your time zone \(.*Asia\/(Kolkata|Calcutta)\)/)).toBeVisible();
  // The same slot, now read on Kolkata's clock (UTC+05:30).
  await expect(page.locator(`input[type=checkbox][value="${start}"]`)).toHaveAccessibleName(new RegExp(`, ${inZone("Asia/Kolkata")} to `));
});

test("the BFF's field errors appear next to their fields and nothing is sent", async ({ page, request }) => {
  // 06 96 … is a Martinique mobile: the browser's small metadata takes it for a French number,
  // the BFF's full metadata knows it is not one.
  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await (await freeSlot(page)).check();
  await page.getByLabel("Phone number").fill("06 96 68 14 85");
  await page.getByRole("checkbox", { name: /I agree/ }).check();
  const before = (await deliveriesTo(request)).length;
  await page.getByRole("button", { name: "Request a callback" }).click();

  const phone = page.getByLabel("Phone number");
  await expect(phone).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#cw-phone-error")).toHaveText("This phone number is not valid for the chosen country.");
  // Announced too: the live region, in the page from the start, now says it.
  await expect(page.getByRole("alert").locator(".cw-alert-title")).toHaveText("Some details need attention");
  await expect(page.getByRole("alert")).toContainText("This phone number is not valid for the chosen country.");
  expect(await deliveriesTo(request)).toHaveLength(before);
  // Corrected, the announcement goes with the field's error.
  await page.getByLabel("Phone number").fill(uniqueFrenchMobile().national);
  await expect(page.locator("#cw-phone-error")).toHaveCount(0);
  await expect(page.getByRole("alert")).toHaveText("");
});

test("the form refuses a too-short number and missing consent before sending, and announces it", async ({ page }) => {
  const posts: string[] = [];
  page.on("request", (r) => r.method() === "POST" && posts.push(r.url()));
  await page.goto("/");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await page.getByLabel("Phone number").fill("06 12");
  // The live region is in the page, empty, before anything goes wrong: screen readers watch it.
  const alert = page.getByRole("alert");
  await expect(alert).toHaveText("");
  await page.getByRole("button", { name: "Request a callback" }).click();
  await expect(page.locator("#cw-phone-error")).toHaveText("This phone number is too short.");
  await expect(page.locator("#cw-consent-error")).toHaveText("Please agree to be called.");
  await expect(page.locator("#cw-slots-error")).toHaveText("Choose at least one time, or ask for a call as soon as possible.");
  await expect(alert.locator(".cw-alert-title")).toHaveText("Some details need attention");
  await expect(alert.locator("li")).toHaveText([
    "Choose at least one time, or ask for a call as soon as possible.",
    "This phone number is too short.",
    "Please agree to be called.",
  ]);
  // Sent again unchanged, the alert is put in anew (new nodes), so it is announced again.
  const first = await alert.locator(".cw-alert-title").elementHandle();
  await page.getByRole("button", { name: "Request a callback" }).click();
  await expect.poll(() => first!.evaluate((node) => node.isConnected)).toBe(false);
  await expect(alert.locator("li")).toHaveCount(3);
  expect(posts).toEqual([]);
});

test.describe("standalone page links", () => {
  test.use({ timezoneId: "Europe/Paris", locale: "fr-FR" });

  test("speaks the browser's language, and prefills name, phone, country and locale from the address", async ({ page }) => {
    await page.goto("/callback/default?name=Grace%20Hopper&phone=%2B442079460958&country=GB");
    await expect(page.getByLabel("Votre nom")).toHaveValue("Grace Hopper");
    await expect(page.getByLabel("Pays")).toHaveValue("GB");
    await expect(page.getByLabel("Numéro de téléphone")).toHaveValue("+44 20 7946 0958");

    await page.goto("/callback/default?name=Grace%20Hopper&phone=%2B442079460958&country=GB&locale=en");
    await expect(page.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await expect(page.getByLabel("Your name")).toHaveValue("Grace Hopper");
    await expect(page.getByLabel("Country")).toHaveValue("GB");
    await expect(page.getByLabel("Phone number")).toHaveValue("+44 20 7946 0958");
  });

  test("a signed link books the call for its contact, with its attributes", async ({ page, request }) => {
    const { e164 } = uniqueFrenchMobile();
    const contactId = await createContact(e164);
    const url = signedLink(["--contact", contactId, "--phone", e164, "--attribute", "caseNumber=CAS-77"]);
    await page.goto(url.replace(/^http:\/\/127\.0\.0\.1:\d+/, ""));
    await expect(page.getByLabel("Numéro de téléphone")).toHaveValue(/^\+33 6 12/);
    await page.getByRole("radio", { name: "À un moment que je choisis" }).check();
    await (await freeSlot(page)).check();
    // The profile gives its consent text in French too: a French visitor agrees to that one.
    await page.getByRole("checkbox", { name: /^J’accepte que Contoso m’appelle à ce numéro/ }).check();
    await page.getByRole("button", { name: "Demander un rappel" }).click();
    await expect(page.getByRole("heading", { name: "Rappel demandé" })).toBeVisible({ timeout: 10_000 });
    const [call] = await deliveriesTo(request, e164);
    expect(call!.body.ContactId).toBe(contactId);
    expect(call!.body.InputAttributes).toMatchObject({ caseNumber: "CAS-77" });
  });

  test("a tampered or expired link is refused with a clear page, never used", async ({ page }) => {
    const contactId = await createContact("+33612999999");
    const good = signedLink(["--contact", contactId]);
    const [body, mac] = new URL(good).searchParams.get("link")!.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), c: "00000000-0000-4000-8000-000000000000" })).toString("base64url");

    const tampered = await page.goto(`/callback/default?link=${forged}.${mac}`);
    expect(tampered!.status()).toBe(400);
    await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
    await expect(page.getByRole("form")).toHaveCount(0);

    const old = new URL(signedLink(["--contact", contactId, "--expires=-1m"]));
    const expired = await page.goto(old.pathname + old.search);
    expect(expired!.status()).toBe(410);
    await expect(page.getByRole("heading", { name: "This link has expired" })).toBeVisible();
    await page.getByRole("link", { name: "Request a callback" }).click();
    await expect(page.getByRole("heading", { name: "Demander un rappel" })).toBeVisible();
  });
});

/** A link as an organisation would issue it: `npm run link` with the e2e server's data folder. */
function signedLink(args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", "src/server/link-main.ts", "--profile", "default", ...args], {
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR, PORT: process.env.E2E_PORT ?? "3100" },
    encoding: "utf8",
  }).trim();
}
