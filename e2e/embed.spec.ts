// The widget on pages we do not control, on another origin, under a strict CSP: the script-tag
// embed (shadow DOM, hostile stylesheet, queue API, single-page apps) and the iframe embed
// (postMessage protocol, frame-ancestors, CORS).
import { expect, test, type FrameLocator, type Locator, type Page } from "@playwright/test";
import { BFF_ORIGIN, DEMO_ORIGIN, deliveriesTo, FOREIGN_DEMO_ORIGIN, simulatorFaults, uniqueFrenchMobile, watchConsole, sendForm } from "./support";

/** The iframe embed sizes its frame to the page inside it: no inner scrollbar, nothing cut off. */
async function expectFrameAsTallAsItsContent(page: Page, frame: FrameLocator) {
  const element = page.locator("iframe[data-callback-widget]");
  await expect
    .poll(async () => {
      const inner = await frame.locator("html").evaluate((html) => Math.ceil(html.getBoundingClientRect().height));
      const outer = await element.evaluate((e) => (e as HTMLIFrameElement).clientHeight);
      return Math.abs(inner - outer);
    })
    .toBeLessThanOrEqual(1);
}

async function requestCallback(scope: Page | Locator | FrameLocator, national: string) {
  await sendForm(scope, national);
  await expect(scope.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
}

test.describe("script-tag embed", () => {
  test("costs the page nothing until opened, then requests a callback from the launcher", async ({ page, request }) => {
    const problems = watchConsole(page);
    const fetched: string[] = [];
    page.on("request", (r) => fetched.push(r.url()));
    await page.goto(`${DEMO_ORIGIN}/script-tag.html`);
    const launcher = page.getByRole("button", { name: "Call me back" });
    await expect(launcher).toBeVisible();

    // Loaded, but nothing of the widget yet, no focus taken, no scrolling.
    await page.waitForLoadState("networkidle");
    expect(fetched.filter((url) => url.includes("/embed/") || url.includes("/assets/") || url.includes("/api/"))).toEqual([]);
    expect(await page.evaluate(() => [document.activeElement === document.body, window.scrollY])).toEqual([true, 0]);

    await launcher.click();
    const dialog = page.getByRole("dialog", { name: "Call me back" });
    await expect(dialog.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    expect(fetched.some((url) => url.endsWith("/embed/widget.js"))).toBe(true);

    const { national, e164 } = uniqueFrenchMobile();
    await requestCallback(dialog, national);
    const [call] = await deliveriesTo(request, e164);
    // The attributes came from CallbackWidget("prefill", …) called before embed.js had loaded.
    expect(call!.body.InputAttributes).toMatchObject({ orderNumber: "ORD-2026-0042" });
    await expect(page.locator('#events [data-event="submitted"]')).toContainText(call!.deliveryId);
    await expect(page.locator('#events [data-event="open"]')).toHaveCount(1);

    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(launcher).toBeFocused();
    expect(problems).toEqual([]);
  });

  test("asks for the widget when the visitor points at the launcher, and for its data when they press it", async ({ page }) => {
    const fetched: string[] = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${DEMO_ORIGIN}/script-tag.html`);
    const launcher = page.getByRole("button", { name: "Call me back" });
    await expect(launcher).toBeVisible();

    const widget = page.waitForRequest((r) => r.url().endsWith("/embed/widget.js"));
    await launcher.hover();
    await widget;
    expect(fetched.filter((path) => path.startsWith("/api/"))).toEqual([]);

    const profile = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/v1/profiles/default");
    await page.mouse.down();
    await profile;
    await page.mouse.up();
    const dialog = page.getByRole("dialog", { name: "Call me back" });
    await expect(dialog.getByLabel("Phone number")).toBeEditable();
    // Each asked for once: opening took what pointing and pressing had asked for.
    expect(fetched.filter((path) => path === "/embed/widget.js" || path.startsWith("/api/v1/profiles/"))).toEqual([
      "/embed/widget.js",
      "/api/v1/profiles/default",
      "/api/v1/profiles/default/availability",
    ]);
  });

  test("asks for the widget when the visitor tabs to the launcher", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/script-tag.html`);
    await expect(page.getByRole("button", { name: "Call me back" })).toBeVisible();
    const widget = page.waitForRequest((r) => r.url().endsWith("/embed/widget.js"));
    await page.getByRole("button", { name: "Call me back" }).focus();
    await widget;
  });

  test("looks the same under a hostile stylesheet, and leaks nothing onto the host", async ({ page }) => {
    const styles = async (url: string) => {
      await page.goto(url);
      const hostText = await page.locator("#host-text").evaluate((e) => getComputedStyle(e).fontFamily);
      await page.getByRole("button", { name: "Call me back" }).click();
      const dialog = page.getByRole("dialog");
      await expect(dialog.getByRole("heading", { name: "Request a callback" })).toBeVisible();
      const pick = (locator: Locator) =>
        locator.evaluate((e) => {
          const s = getComputedStyle(e);
          const box = e.getBoundingClientRect();
          return [s.display, s.fontSize, s.fontFamily, s.padding, s.backgroundColor, s.borderRadius, s.color, Math.round(box.width), Math.round(box.height)].join("|");
        });
      return {
        hostText,
        hostSheets: await page.evaluate(() => document.styleSheets.length),
        launcher: await pick(page.getByRole("button", { name: "Call me back" })),
        submit: await pick(dialog.getByRole("button", { name: "Request a callback" })),
        phone: await pick(dialog.getByLabel("Phone number")),
        heading: await pick(dialog.getByRole("heading", { name: "Request a callback" })),
        legend: await pick(dialog.locator("legend").first()),
      };
    };
    const calm = await styles(`${DEMO_ORIGIN}/script-tag.html?calm`);
    const hostile = await styles(`${DEMO_ORIGIN}/script-tag.html`);
    expect(hostile.submit).toBe(calm.submit);
    expect(hostile.phone).toBe(calm.phone);
    expect(hostile.heading).toBe(calm.heading);
    expect(hostile.legend).toBe(calm.legend);
    expect(hostile.launcher).toBe(calm.launcher);
    expect(calm.submit.startsWith("inline-block|16px") || calm.submit.startsWith("block|16px")).toBe(true);
    // Our styles stay in our shadow roots: the page's own text and stylesheets are untouched.
    expect(hostile.hostText).toBe(await page.locator("#host-text").evaluate((e) => getComputedStyle(e).fontFamily));
    expect(hostile.hostSheets).toBe(2);
  });

  test("obeys open, close and setLocale queued before it loaded and called after, with one launcher", async ({ page }) => {
    const problems = watchConsole(page);
    await page.addInitScript(() => {
      const queue = function () {
        // eslint-disable-next-line prefer-rest-params
        (queue.q = queue.q || []).push(arguments);
      } as ((...args: unknown[]) => void) & { q?: IArguments[] };
      (window as unknown as { CallbackWidget: typeof queue }).CallbackWidget = queue;
      queue("setLocale", "fr");
      queue("open");
    });
    await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByRole("heading", { name: "Demander un rappel" })).toBeVisible();
    await expect(page.locator("[data-callback-widget-launcher]")).toHaveCount(1);
    await expect(page.locator('#events [data-event="open"]')).toHaveCount(1);

    await page.evaluate(() => window.CallbackWidget!("close"));
    await expect(dialog).toBeHidden();
    await expect(page.locator('#events [data-event="close"]')).toHaveCount(1);
    await page.evaluate(() => {
      window.CallbackWidget!("setLocale", "de");
      window.CallbackWidget!("open");
    });
    await expect(dialog.getByRole("heading", { name: "Rückruf anfordern" })).toBeVisible();
    await expect(page.locator("[data-callback-widget-launcher]")).toHaveCount(1);
    expect(problems).toEqual([]);
  });

  test("tells the host when the contact centre refuses, and the visitor sees why", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
    await page.getByRole("button", { name: "Call me back" }).click();
    const dialog = page.getByRole("dialog");
    await simulatorFaults({ rules: [{ target: "action", kind: "status", status: 403, times: 1 }] });
    try {
      await sendForm(dialog, uniqueFrenchMobile().national);
      await expect(dialog.getByRole("alert")).toContainText(/contact centre/i, { timeout: 10_000 });
      await expect(page.locator('#events [data-event="error"]')).toHaveCount(1);
      await expect(page.locator('#events [data-event="submitted"]')).toHaveCount(0);
    } finally {
      await simulatorFaults();
    }
  });

  test("included twice, makes one widget", async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto(`${DEMO_ORIGIN}/script-tag.html`);
    await expect(page.getByRole("button", { name: "Call me back" })).toBeVisible();
    await page.evaluate(() => {
      const again = document.createElement("script");
      again.src = (document.querySelector("script[data-profile]") as HTMLScriptElement).src;
      again.dataset.profile = "default";
      document.head.append(again);
      return new Promise((resolve) => (again.onload = resolve));
    });
    await expect(page.locator("[data-callback-widget-launcher]")).toHaveCount(1);
    expect(problems).toEqual([]);
  });

  test("survives a single-page app mounting, unmounting and mounting it again", async ({ page, request }) => {
    const problems = watchConsole(page);
    await page.goto(`${DEMO_ORIGIN}/spa.html#help`);
    await expect(page.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await page.getByRole("link", { name: "About" }).click();
    await expect(page.locator("callback-widget")).toHaveCount(0);
    await page.getByRole("link", { name: "Help" }).click();
    await expect(page.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await page.getByRole("link", { name: "Home" }).click();
    await page.getByRole("link", { name: "Help" }).click();
    await expect(page.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await expect(page.locator("#events [data-event=ready]")).toHaveCount(3);

    const { national, e164 } = uniqueFrenchMobile();
    await requestCallback(page.locator("callback-widget"), national);
    expect(await deliveriesTo(request, e164)).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});

test.describe("iframe embed", () => {
  test("requests a callback, sized to its content, and tells the host what happened", async ({ page, request }) => {
    const problems = watchConsole(page);
    await page.goto(`${DEMO_ORIGIN}/iframe.html`);
    const frame = page.frameLocator("iframe[data-callback-widget]");
    await expect(frame.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await page.getByRole("button", { name: "Fill in my name" }).click();
    await expect(frame.getByLabel("Your name")).toHaveValue("Ada Lovelace");

    const { national, e164 } = uniqueFrenchMobile();
    await requestCallback(frame, national);
    const [call] = await deliveriesTo(request, e164);
    await expect(page.locator('#events [data-event="submitted"]')).toContainText(call!.deliveryId);
    // The frame passed on what the host page queued before anything had loaded.
    expect(call!.body.InputAttributes).toMatchObject({ orderNumber: "ORD-2026-0042" });

    // No inner scrollbar: the frame is as tall as its content, confirmation included.
    await expectFrameAsTallAsItsContent(page, frame);

    // The frame's Close button tells the host, which hides it.
    await frame.getByRole("button", { name: "Close" }).click();
    await expect(page.locator("iframe[data-callback-widget]")).toBeHidden();
    await expect(page.locator('#events [data-event="close"]')).toHaveCount(1);
    expect(problems).toEqual([]);
  });

  test("passes each frame's look and profile from its data attributes", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/iframe.html`);
    await expect(page.frameLocator("iframe[data-callback-widget]").first().getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await page.evaluate(() => {
      const frame = document.createElement("iframe");
      Object.assign(frame.dataset, { callbackWidget: "", profile: "default", theme: "dark", accent: "#6b2c91" });
      frame.title = "A dark callback form";
      frame.id = "dark";
      document.querySelector("main")!.append(frame);
    });
    const dark = page.frameLocator("#dark");
    await expect(dark.locator(".cw-root")).toHaveAttribute("data-theme", "dark");
    expect(await page.locator("#dark").getAttribute("src")).toMatch(/[?&]theme=dark(&|$)/);
  });

  test("shows a refusal whole, and tells the host", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/iframe.html`);
    const frame = page.frameLocator("iframe[data-callback-widget]");
    await expect(frame.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    await simulatorFaults({ rules: [{ target: "action", kind: "status", status: 403, times: 1 }] });
    try {
      await sendForm(frame, uniqueFrenchMobile().national);
      await expect(frame.getByRole("alert")).toContainText(/contact centre/i, { timeout: 10_000 });
      await expect(page.locator('#events [data-event="error"]')).toHaveCount(1);
    } finally {
      await simulatorFaults();
    }
    // The error state is not cut off: the frame grew to its content, with no inner scrollbar.
    await expectFrameAsTallAsItsContent(page, frame);
    expect(await frame.locator("html").evaluate((html) => html.scrollHeight <= html.clientHeight + 1)).toBe(true);
  });

  test("ignores messages from a foreign origin, in both directions", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/iframe.html`);
    const frame = page.frameLocator("iframe[data-callback-widget]");
    await expect(frame.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    const height = await page.locator("iframe[data-callback-widget]").evaluate((e) => (e as HTMLIFrameElement).clientHeight);

    await page.evaluate((src) => {
      const attacker = document.createElement("iframe");
      attacker.src = src;
      attacker.id = "attacker";
      document.body.append(attacker);
    }, `${FOREIGN_DEMO_ORIGIN}/attacker.html`);
    await expect(page.frameLocator("#attacker").locator("body[data-sent=yes]")).toHaveCount(1);
    await page.waitForTimeout(300); // let any message that were going to land, land

    await expect(frame.getByLabel("Your name")).toHaveValue("");
    expect(await page.locator("iframe[data-callback-widget]").evaluate((e) => (e as HTMLIFrameElement).clientHeight)).toBe(height);
  });

  test("cannot be framed, nor the API called, from an origin the profile does not allow", async ({ page }) => {
    const blocked: string[] = [];
    page.on("console", (message) => blocked.push(message.text()));
    await page.goto(`${FOREIGN_DEMO_ORIGIN}/iframe.html`);
    await page.waitForLoadState("networkidle");
    await expect(page.frameLocator("iframe[data-callback-widget]").getByRole("heading", { name: "Request a callback" })).toHaveCount(0);
    expect(blocked.some((text) => /frame-ancestors/.test(text))).toBe(true);

    const api = await page.evaluate(async (url) => {
      try {
        await fetch(url);
        return "read";
      } catch {
        return "blocked";
      }
    }, `${BFF_ORIGIN}/api/v1/profiles/default`);
    expect(api).toBe("blocked");
  });
});
