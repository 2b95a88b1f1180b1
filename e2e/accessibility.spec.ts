// WCAG 2.2 AA in Chromium: axe-core finds no violation in any state (launcher, form, errors,
// confirmation) in either theme; the whole flow works with the keyboard alone, with visible focus;
// five languages, Arabic right to left; 320 px wide; 44 px targets on touch; no layout shift.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { deliveriesTo, DEMO_ORIGIN, freeSlot, simulatorFaults, simulatorOperations, uniqueFrenchMobile, watchConsole } from "./support";

async function expectNoViolations(page: Page, state: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const violations = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(violations, `axe violations in state "${state}"`).toEqual([]);
}

// The second free slot: the first may start while the form is being filled in (a refusal,
// window_in_past, when a test runs across a half hour), the second starts 30 minutes later at least.

/**
 * Every control a finger or pointer can aim at, in the page and its open shadow roots, with the
 * size of what takes the click: a checkbox's or radio's whole label, otherwise the control itself.
 */
function interactiveTargets(page: Page): Promise<Array<{ what: string; width: number; height: number }>> {
  return page.evaluate(() => {
    const found: Array<{ what: string; width: number; height: number }> = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const element of root.querySelectorAll<HTMLElement>("button, a[href], input, select, textarea, summary, [tabindex]:not([tabindex='-1'])")) {
        if (element.closest("[aria-hidden=true], [hidden]") || element.getClientRects().length === 0) continue;
        const toggle = element instanceof HTMLInputElement && (element.type === "checkbox" || element.type === "radio");
        const box = ((toggle && element.closest("label")) || element).getBoundingClientRect();
        const name = element.getAttribute("aria-label") ?? element.textContent?.trim() ?? "";
        found.push({ what: `<${element.tagName.toLowerCase()}> ${name || element.id}`.trim(), width: Math.round(box.width), height: Math.round(box.height) });
      }
      for (const element of root.querySelectorAll("*")) if (element.shadowRoot) visit(element.shadowRoot);
    };
    visit(document);
    return found;
  });
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe finds no violation in any state, ${colorScheme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
    const launcher = page.getByRole("button", { name: "Call me back" });
    await expect(launcher).toBeVisible();
    await expectNoViolations(page, "closed launcher");

    await launcher.click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await expect(dialog.locator(".cw-root")).toHaveAttribute("data-theme", colorScheme);
    await dialog.getByRole("radio", { name: "At a time I choose" }).check();
    await expectNoViolations(page, "form");

    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expect(dialog.locator("#cw-phone-error")).toBeVisible();
    await expectNoViolations(page, "errors shown");

    await (await freeSlot(dialog)).check();
    await dialog.getByLabel("Phone number").fill(uniqueFrenchMobile().national);
    await dialog.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expect(dialog.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
    await expectNoViolations(page, "confirmation");
  });
}

test("a visitor completes a request with the keyboard alone, and always sees where focus is", async ({ page, request }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Request a callback" })).toBeVisible();

  /** Tabs until `target` has focus, checking each stop shows a focus indicator. */
  async function tabTo(target: Locator) {
    // Every slot is a checkbox, hence a stop: a week of slots is a long way to Tab.
    for (let i = 0; i < 300; i++) {
      await page.keyboard.press("Tab");
      const focused = page.locator(":focus");
      if ((await focused.count()) === 0) continue;
      const outline = await focused.evaluate((e) => {
        const style = getComputedStyle(e);
        const label = e.closest("label");
        const around = label ? getComputedStyle(label) : style;
        return style.outlineStyle !== "none" || around.outlineStyle !== "none" || style.boxShadow !== "none";
      });
      expect(outline, "every focus stop is visible").toBe(true);
      if (await target.evaluate((t) => t === document.activeElement)) return;
    }
    throw new Error("never reached by Tab");
  }

  await tabTo(page.getByRole("radio").first());
  // Arrow keys move within the radio group; "At a time I choose" shows the slots.
  const choose = page.getByRole("radio", { name: "At a time I choose" });
  if (!(await choose.isChecked())) await page.keyboard.press("ArrowDown");
  await expect(choose).toBeChecked();
  const slot = await freeSlot(page);
  await tabTo(slot);
  await page.keyboard.press("Space");
  await expect(slot).toBeChecked();
  await tabTo(page.getByLabel("Your name"));
  await page.keyboard.type("Alan Turing");
  await tabTo(page.getByLabel("Phone number"));
  const { national, e164 } = uniqueFrenchMobile();
  await page.keyboard.type(national);
  await tabTo(page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }));
  await page.keyboard.press("Space");
  await tabTo(page.getByRole("button", { name: "Request a callback" }));
  await page.keyboard.press("Enter");

  const confirmation = page.getByRole("heading", { name: "Callback requested" });
  await expect(confirmation).toBeFocused({ timeout: 10_000 });
  expect(await deliveriesTo(request, e164)).toHaveLength(1);
  expect(problems).toEqual([]);
});

test("the launcher's dialog takes focus when opened, gives it back when closed, and closes on Escape", async ({ page }) => {
  await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
  const launcher = page.getByRole("button", { name: "Call me back" });
  await launcher.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  expect(await dialog.evaluate((d) => d.contains(d.getRootNode() instanceof ShadowRoot ? (d.getRootNode() as ShadowRoot).activeElement : null))).toBe(true);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(launcher).toBeFocused();
});

test.describe("languages", () => {
  test("French, from the browser", async ({ browser }) => {
    const context = await browser.newContext({ locale: "fr-FR", timezoneId: "Europe/Paris" });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Demander un rappel" })).toBeVisible();
    await page.getByRole("radio", { name: "À un moment que je choisis" }).check();
    await expect(await freeSlot(page)).toHaveAccessibleName(/^[a-z]+ \d{1,2} [a-zéû]+, de \d\d:\d\d à \d\d:\d\d, disponible$/);
    await page.getByRole("button", { name: "Demander un rappel" }).click();
    await expect(page.locator("#cw-consent-error")).toHaveText("Veuillez accepter d’être appelé.");
    // The live region announces it in French too.
    await expect(page.getByRole("alert").locator(".cw-alert-title")).toHaveText("Certains champs sont à corriger");
    await expect(page.getByRole("alert")).toContainText("Veuillez accepter d’être appelé.");
    await context.close();
  });

  for (const [locale, heading] of [
    ["de", "Rückruf anfordern"],
    ["es", "Solicitar una llamada"],
  ] as const) {
    test(`${locale}, from the page's address`, async ({ page }) => {
      await page.goto(`/callback/default?locale=${locale}`);
      await expect(page.getByRole("heading", { name: heading })).toBeVisible();
    });
  }

  test("from the host: the script tag's data-locale, and an element's locale attribute over it", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/themed.html`);
    await expect(page.locator("main callback-widget").getByRole("heading", { name: "Solicitar una llamada" })).toBeVisible();
    await page.getByRole("button", { name: "Demander un rappel" }).click();
    const dialog = page.getByRole("dialog", { name: "Demander un rappel" });
    await expect(dialog.getByRole("heading", { name: "Demander un rappel" })).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Fermer" })).toBeVisible();
  });

  test("from the page's <html lang> when the host says nothing", async ({ browser }) => {
    // The browser speaks English: only the page can make it German.
    const context = await browser.newContext({ locale: "en-US", timezoneId: "Europe/Berlin" });
    const page = await context.newPage();
    await page.goto(`${DEMO_ORIGIN}/de.html`);
    await page.getByRole("button", { name: "Rückruf anfordern" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByRole("heading", { name: "Rückruf anfordern" })).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Schließen" })).toBeVisible();
    await expect(dialog.getByRole("checkbox", { name: /^Ich bin einverstanden, dass Contoso mich/ })).toBeVisible();
    await dialog.getByRole("radio", { name: "Zu einer Zeit meiner Wahl" }).check();
    // Dates and times from Intl in German: "Dienstag, 10. März, 13:00 bis 14:00, verfügbar".
    await expect(await freeSlot(dialog)).toHaveAccessibleName(/^[A-Z][a-z]+, \d{1,2}\. [A-Zä][a-zä]+, \d\d:\d\d bis \d\d:\d\d, verfügbar$/);
    await context.close();
  });

  test("from the browser when the page declares no language (an empty lang is no language)", async ({ browser }) => {
    const context = await browser.newContext({ locale: "es-ES" });
    const page = await context.newPage();
    await page.goto(`${DEMO_ORIGIN}/no-lang.html`);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("");
    await expect(page.locator("main callback-widget").getByRole("heading", { name: "Solicitar una llamada" })).toBeVisible();
    // The launcher: the page's only expandable button.
    await page.locator("[data-callback-widget-launcher] button[aria-expanded]").click();
    await expect(page.getByRole("dialog", { name: "Solicitar una llamada" }).getByRole("button", { name: "Cerrar" })).toBeVisible();
    await context.close();
  });

  test("Arabic runs right to left, and stays accessible", async ({ page }) => {
    await page.goto("/callback/default?locale=ar");
    await expect(page.getByRole("heading", { name: "طلب معاودة الاتصال" })).toBeVisible();
    await expect(page.locator(".cw-root")).toHaveAttribute("dir", "rtl");
    // The line's name and its consent text come in Arabic from the profile, marked as Arabic.
    await expect(page.getByText("خدمة عملاء Contoso")).toHaveAttribute("lang", "ar");
    const consent = page.getByRole("checkbox", { name: "أوافق على أن تتصل بي Contoso على هذا الرقم بشأن طلبي، في الأوقات التي اخترتها." });
    await expect(consent).toBeVisible();
    await expect(page.locator(".cw-consent [lang]")).toHaveAttribute("lang", "ar");
    await page.getByRole("radio", { name: "في وقت أختاره" }).check();
    // The submit button sits at the inline start: on the right in a right-to-left layout.
    const root = await page.locator(".cw-root").boundingBox();
    const submit = await page.getByRole("button", { name: "طلب معاودة الاتصال" }).boundingBox();
    expect(submit!.x + submit!.width).toBeGreaterThan(root!.x + root!.width / 2);
    await expectNoViolations(page, "Arabic form");
  });
});

test.describe("fit", () => {
  test("works 320 px wide without horizontal scrolling", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    await page.goto("/");
    await page.getByRole("radio", { name: "At a time I choose" }).check();
    await expect(await freeSlot(page)).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await expectNoViolations(page, "320 px");
    await context.close();
  });

  test("gives touch screens targets of at least 44 px, and pointers at least 24 px: every one, in the form and the launcher's panel", async ({ browser }) => {
    for (const [options, least] of [
      [{ hasTouch: true, isMobile: true, viewport: { width: 390, height: 800 } }, 44],
      [{}, 24],
    ] as const) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      const tooSmall = async (state: string) => {
        const targets = await interactiveTargets(page);
        expect(targets.length, `${state}: targets found`).toBeGreaterThan(state.endsWith("confirmation") ? 5 : 10);
        return targets.filter((t) => Math.min(t.width, t.height) < least).map((t) => `${state}: ${t.what} is ${t.width}×${t.height}`);
      };

      // The standalone form, with its slots, then with the time-zone field opened.
      await page.goto("/");
      await page.getByRole("radio", { name: "At a time I choose" }).check();
      await expect(await freeSlot(page)).toBeVisible();
      const small = await tooSmall("form");
      await page.getByRole("button", { name: "Change time zone" }).click();
      await expect(page.getByLabel("Time zone")).toBeVisible();
      small.push(...(await tooSmall("form, changing the zone")));

      // The launcher and its panel (Close included), in their Shadow DOM.
      await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
      await page.getByRole("button", { name: "Call me back" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("radio", { name: "At a time I choose" }).check();
      await expect(await freeSlot(dialog)).toBeVisible();
      small.push(...(await tooSmall("launcher panel")));
      // ...and its confirmation's links and buttons.
      await (await freeSlot(dialog)).check();
      await dialog.getByLabel("Phone number").fill(uniqueFrenchMobile().national);
      await dialog.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
      await dialog.getByRole("button", { name: "Request a callback" }).click();
      await expect(dialog.getByRole("button", { name: "Check the status" })).toBeVisible({ timeout: 10_000 });
      small.push(...(await tooSmall("launcher panel, confirmation")));
      expect(small).toEqual([]);
      await context.close();
    }
  });

  test("moves nothing on the host page while loading and opening", async ({ page }) => {
    await page.addInitScript(() => {
      (window as unknown as { shifts: number }).shifts = 0;
      new PerformanceObserver((list) => {
        // As the Cumulative Layout Shift metric does, shifts right after the visitor's own input do not count.
        for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) {
          if (!entry.hadRecentInput) (window as unknown as { shifts: number }).shifts += entry.value;
        }
      }).observe({ type: "layout-shift", buffered: true });
    });
    await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
    await page.getByRole("button", { name: "Call me back" }).click();
    await expect(page.getByRole("dialog").getByRole("heading", { name: "Request a callback" })).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { shifts: number }).shifts)).toBe(0);
  });
});

test.describe("after submitting", () => {
  /** Requests a callback on the standalone page; answers the number called. */
  async function requestCallback(page: Page) {
    await page.goto("/");
    await page.getByRole("radio", { name: "At a time I choose" }).check();
    await (await freeSlot(page)).check();
    const number = uniqueFrenchMobile();
    await page.getByLabel("Phone number").fill(number.national);
    await page.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/v1/callbacks") && r.request().method() === "POST");
    await page.getByRole("button", { name: "Request a callback" }).click();
    await expect(page.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
    return { ...number, answer: await answer };
  }
  const requestStatus = (page: Page) => page.locator(".cw-request-status");

  test("the confirmation offers a calendar invite, shows Dataverse's status, and cancels the call", async ({ page, request }) => {
    const { e164 } = await requestCallback(page);
    await expect(page.getByText("We will call you at the number you gave.")).toBeVisible();
    // Dataverse's own state of the delivery (msdyn_proactive_deliveries), fetched once the confirmation shows.
    await expect(requestStatus(page)).toHaveText("Scheduled with the contact centre (Pending)");
    await expect(requestStatus(page)).toHaveAttribute("aria-live", "polite");
    await page.getByRole("button", { name: "Check the status" }).click();
    await expect(requestStatus(page)).toHaveText("Scheduled with the contact centre (Pending)");

    const invite = await request.get((await page.getByRole("link", { name: "Add to my calendar" }).getAttribute("href"))!);
    expect(invite.headers()["content-type"]).toContain("text/calendar");
    expect(await invite.text()).toContain("BEGIN:VEVENT");

    await page.getByRole("button", { name: "Cancel this callback" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Your callback is cancelled. We will not call you." })).toBeVisible();
    await expect(requestStatus(page)).toHaveText("Cancelled");
    // The Cancel button is gone; focus is back on the heading, not lost.
    await expect(page.getByRole("heading", { name: "Callback requested" })).toBeFocused();
    const [call] = await deliveriesTo(request, e164);
    expect((await simulatorOperations()).map((o) => o.deliveryId)).toContain(call!.deliveryId);
  });

  test("a queued request's confirmation follows it until the contact centre has it, and links its page", async ({ page }) => {
    // Dataverse is unavailable once: the BFF keeps the request (202, queued) and its worker retries.
    await simulatorFaults({ rules: [{ target: "action", kind: "status", status: 503, times: 1 }] });
    try {
      const { answer } = await requestCallback(page);
      expect(answer.status()).toBe(202);
      const { requestId } = (await answer.json()) as { requestId: string };
      await expect(requestStatus(page)).toHaveText("Scheduled with the contact centre (Pending)", { timeout: 25_000 });
      const link = page.getByRole("link", { name: "Your request’s page (opens in a new tab)" });
      await expect(link).toHaveAttribute("href", new RegExp(`/requests/${requestId}\\?token=[\\w-]+$`));
      await expect(link).toHaveAttribute("target", "_blank");
    } finally {
      await simulatorFaults();
    }
  });

  test("the request page shows Dataverse's status, and the invite's cancel link asks before cancelling", async ({ page, request }) => {
    const { e164 } = await requestCallback(page);
    const manage = (await page.getByRole("link", { name: "Your request’s page (opens in a new tab)" }).getAttribute("href"))!;
    const invite = (await (await request.get((await page.getByRole("link", { name: "Add to my calendar" }).getAttribute("href"))!)).text()).replace(/\r\n[ \t]/g, "");
    const cancelLink = /To cancel this callback: (\S+?)(?:\\n|\r\n)/.exec(invite)?.[1];
    expect(cancelLink).toMatch(/\/requests\/[\w-]+\?token=[\w-]+&action=cancel$/);
    const [call] = await deliveriesTo(request, e164);

    await page.goto(manage);
    await expect(page.getByRole("heading", { name: "Your callback" })).toBeVisible();
    await expect(requestStatus(page)).toHaveText("Scheduled with the contact centre (Pending)");
    await expect(page.getByRole("link", { name: /request’s page/ })).toHaveCount(0);

    // The calendar's cancel link opens a page that asks: opening it cancelled nothing.
    await page.goto(cancelLink!);
    await expect(page.getByRole("heading", { name: "Cancel your callback?" })).toBeFocused();
    await expect(page.getByText("Do you want to cancel this callback? If you do, we will not call you.")).toBeVisible();
    expect((await simulatorOperations()).map((o) => o.deliveryId)).not.toContain(call!.deliveryId);
    await expectNoViolations(page, "request page, asking whether to cancel");
    await page.getByRole("button", { name: "Cancel this callback" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Your callback is cancelled. We will not call you." })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Your callback" })).toBeFocused();
    expect((await simulatorOperations()).map((o) => o.deliveryId)).toContain(call!.deliveryId);
  });
});
