// Signed-in customers and administrators in Chromium, against the development identity provider
// `npm start` runs as the organisation's tenant (a real OpenID Connect provider over HTTPS, with
// a certificate made at start that this context accepts). MSAL signs in with protocolMode OIDC;
// the BFF verifies every token through the provider's JWKS.
import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type FrameLocator, type Locator, type Page } from "@playwright/test";
import { DEMO_CUSTOMER, DEMO_PASSWORD } from "../src/server/demo-sign-in";
import { DEMO_ORIGIN, deliveriesTo, IDP_ORIGIN, uniqueFrenchMobile, watchConsole, sendForm } from "./support";

test.use({ ignoreHTTPSErrors: true, timezoneId: "Europe/Paris", locale: "en-GB" });

/** The provider's sign-in page, in a popup or the page itself. */
async function signInAt(page: Page, username: string) {
  await expect(page).toHaveURL(new RegExp(`^${IDP_ORIGIN}/interaction/`));
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function expectNoViolations(page: Page, state: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), `axe violations in state "${state}"`).toEqual([]);
}

async function requestCallback(scope: Page | Locator | FrameLocator) {
  await sendForm(scope);
  await expect(scope.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
}

test.describe("signed-in visitors", () => {
  test("sign in with MSAL in the widget: the form is prefilled from the contact and the call is for it", async ({ page, request }) => {
    const problems = watchConsole(page);
    await page.goto("/callback/portal");
    await expect(page.getByText("Sign in to use the details of your account.")).toBeVisible();
    await expect(page.getByLabel("Phone number")).toHaveValue("");
    await expectNoViolations(page, "signed out");

    const popup = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Sign in" }).click();
    const signIn = await popup;
    await signInAt(signIn, "ada");
    // Back at MSAL's redirect bridge, which hands the answer over and closes the popup.
    await expect.poll(() => signIn.isClosed()).toBe(true);

    await expect(page.getByText("Signed in as Ada Lovelace")).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    // The number is the Dataverse contact's, formatted as the visitor would type it.
    await expect(page.getByLabel("Phone number")).toHaveValue("06 12 34 56 78");
    await expect(page.getByLabel("Your name")).toHaveValue("Ada Lovelace");
    await expectNoViolations(page, "signed in");

    const before = await deliveriesTo(request, DEMO_CUSTOMER.mobilephone);
    await requestCallback(page);
    const calls = await deliveriesTo(request, DEMO_CUSTOMER.mobilephone);
    expect(calls).toHaveLength(before.length + 1);
    expect(calls.at(-1)!.body.ContactId).toBe(DEMO_CUSTOMER.contactid);
    expect(problems).toEqual([]);
  });

  for (const embed of ["iframe", "element"] as const) {
    test(`a portal hands its token to the widget (getAuthToken, ${embed === "iframe" ? "iframe protocol" : "script-tag embed API"})`, async ({ page, request }) => {
      await page.goto(`${DEMO_ORIGIN}/portal.html${embed === "element" ? "?embed=element" : ""}`);
      const widget = embed === "iframe" ? page.frameLocator("iframe[data-callback-widget]") : page.locator("callback-widget");
      // Not signed in: the widget serves anonymously, saying nothing about signing in.
      await expect(widget.getByRole("heading", { name: "Request a callback" })).toBeVisible();
      await expect(widget.getByLabel("Phone number")).toHaveValue("");

      await page.getByRole("button", { name: "Sign in" }).click();
      await signInAt(page, "ada");
      await expect(page.locator("#account")).toHaveText("Signed in as Ada Lovelace.");
      await expect(widget.getByText("Signed in as Ada Lovelace")).toBeVisible();
      await expect(widget.getByLabel("Phone number")).toHaveValue("06 12 34 56 78");

      // The customer may ask to be called on another number: the call is still for their contact.
      const { national, e164 } = uniqueFrenchMobile();
      await widget.getByLabel("Phone number").fill(national);
      await requestCallback(widget);
      const [call] = await deliveriesTo(request, e164);
      expect(call!.body.ContactId).toBe(DEMO_CUSTOMER.contactid);
      await expect(page.locator('#events [data-event="submitted"]')).toContainText(call!.deliveryId);
    });
  }
});

test.describe("the admin page", () => {
  test("an administrator sees requests with masked numbers and the outbox, manages the do-not-call list, exports consent", async ({ page, request }) => {
    const problems = watchConsole(page);
    // A request to see (the other specs may not have run).
    const { national, e164 } = uniqueFrenchMobile();
    await page.goto("/");
    await page.getByLabel("Phone number").fill(national);
    await requestCallback(page);
    expect(await deliveriesTo(request, e164)).toHaveLength(1);

    await page.goto("/admin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await signInAt(page, "grace");
    await expect(page.getByText("Signed in as Grace Hopper.")).toBeVisible();

    // Requests: numbers masked by default, shown one at a time on demand; the outbox depth.
    const requests = page.getByRole("table", { name: /most recent requests/ });
    await expect(requests).toBeVisible();
    await expect(page.getByTestId("outbox-depth")).toHaveText(/^\d+$/);
    const masked = `+33•••••••${e164.slice(-2)}`;
    const row = requests.getByRole("row").filter({ hasText: masked }).first();
    await expect(row).toContainText("Scheduled");
    expect(await page.locator(".admin-phone").allTextContents()).toEqual(expect.arrayContaining([masked]));
    expect((await page.locator(".admin-phone").allTextContents()).every((text) => /^\+\d+•+\d{2}$/.test(text))).toBe(true);
    await expect(page.locator("body")).not.toContainText(e164);
    await row.getByRole("button", { name: /^Show the number/ }).click();
    await expect(page.locator("body")).toContainText(e164);
    await expectNoViolations(page, "admin page");

    // The do-not-call list: add a number (then the widget refuses it), remove it.
    const listed = uniqueFrenchMobile();
    await page.getByLabel("Numbers to add, one a line").fill(listed.national);
    await page.getByRole("button", { name: "Add to the list" }).click();
    await expect(page.getByText("Added 1, already listed 0.")).toBeVisible();
    const { formToken } = (await (await request.get("/api/v1/profiles/default")).json()) as { formToken: string };
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the line's minimum fill time
    const refused = await request.post("/api/v1/callbacks", {
      data: { profile: "default", phone: listed.e164, timeZone: "Europe/Paris", consent: true, formToken },
      failOnStatusCode: false,
    });
    expect(((await refused.json()) as { errors: Array<{ code: string }> }).errors).toContainEqual(expect.objectContaining({ code: "phone_not_callable" }));
    const entries = page.getByRole("table", { name: /on the list/ }).getByRole("row").filter({ hasText: "admin-api" });
    const count = await entries.count();
    await entries.last().getByRole("button", { name: /^Remove the number/ }).click();
    await expect(page.getByText("Removed one number from the list.")).toBeVisible();
    await expect(entries).toHaveCount(count - 1);

    // Consent records as CSV, downloaded with the administrator's token.
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, "utf8");
    expect(csv.split("\n")[0]).toBe("request_id,consented_at,profile,consent_version,consent_language,consent_text_sha256,phone_hash,client_address_hash,user_agent,status");
    expect(csv.trim().split("\n").length).toBeGreaterThan(1);
    expect(csv).not.toContain(e164.slice(1));
    expect(problems).toEqual([]);
  });

  test("someone without the admin role is refused", async ({ page }) => {
    await page.goto("/admin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await signInAt(page, "eve");
    await expect(page.getByRole("alert")).toHaveText(/does not have the Callback\.Admin role/);
    await expectNoViolations(page, "admin page, refused");
    await expect(page.getByRole("table")).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Do-not-call list" })).toHaveCount(0);
  });
});
