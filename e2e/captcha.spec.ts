// A profile protected by a CAPTCHA (a fake Turnstile, e2e/fake-captcha.ts): the widget loads the
// provider's widget under the page's strict CSP, sends nothing until the visitor passes it, and the
// BFF checks the token with the provider before anything reaches Dataverse.
import { expect, test } from "@playwright/test";
import { availability, deliveriesTo, uniqueFrenchMobile, watchConsole, freeSlot } from "./support";

test("nothing is sent until the visitor passes the check; then the call is booked", async ({ page, request }) => {
  const problems = watchConsole(page);
  const posts: string[] = [];
  page.on("request", (r) => r.method() === "POST" && r.url().includes("/api/v1/callbacks") && posts.push(r.url()));
  const { national, e164 } = uniqueFrenchMobile();
  await page.goto("/callback/protected");
  await page.getByRole("radio", { name: "At a time I choose" }).check();
  await (await freeSlot(page)).check();
  await page.getByLabel("Phone number").fill(national);
  await page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();

  await page.getByRole("button", { name: "Request a callback" }).click();
  await expect(page.locator("#cw-captcha-error")).toHaveText("Please complete the check that you are not a robot.");
  await expect(page.getByRole("alert")).toContainText("Please complete the check that you are not a robot.");
  expect(posts).toEqual([]);

  await page.getByRole("checkbox", { name: "I am human" }).check();
  await expect(page.locator("#cw-captcha-error")).toHaveCount(0);
  await page.getByRole("button", { name: "Request a callback" }).click();
  await expect(page.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
  expect(posts).toHaveLength(1);
  expect(await deliveriesTo(request, e164)).toHaveLength(1);
  expect(problems).toEqual([]);
});

test("a token is good once: the API refuses it the second time, and nothing is called", async ({ page, request }) => {
  await page.goto("/callback/protected");
  await expect(page.getByRole("checkbox", { name: "I am human" })).toBeVisible();
  // A token from the provider's widget, as the form would get it, spent twice from outside the widget.
  const token = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const container = document.createElement("div");
        const provider = (window as unknown as { turnstile: { render(el: HTMLElement, o: { callback(t: string): void }): void } }).turnstile;
        provider.render(container, { callback: resolve });
        const box = container.querySelector("input")!;
        box.checked = true;
        box.dispatchEvent(new Event("change"));
      }),
  );
  const slot = (await availability(request, "protected")).slots.find((s) => s.available)!;
  const body = (phone: string) => ({
    profile: "protected",
    phone,
    country: "FR",
    timeZone: "Europe/Paris",
    consent: true,
    windows: [{ start: slot.start, end: slot.end }],
    captchaToken: token,
  });
  const first = uniqueFrenchMobile();
  const second = uniqueFrenchMobile();
  expect((await request.post("/api/v1/callbacks", { data: body(first.national) })).status()).toBe(201);
  const again = await request.post("/api/v1/callbacks", { data: body(second.national) });
  expect(again.status()).toBe(422);
  expect(((await again.json()) as { errors: Array<{ field: string; code: string }> }).errors).toEqual([
    expect.objectContaining({ field: "captchaToken", code: "captcha_failed" }),
  ]);
  expect(await deliveriesTo(request, second.e164)).toHaveLength(0);
});
