// Theming, checked as the visitor's browser computes it inside the Shadow DOM: data attributes on
// the script tag and on an element, a profile's theme, the React prop (react-package.spec.ts), light
// and dark forced or following prefers-color-scheme, the launcher's place, and reduced motion.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { DEMO_ORIGIN } from "./support";

const WHITE = "rgb(255, 255, 255)";
const DARK_BG = "rgb(23, 25, 30)"; // --cw-dark-bg's default, #17191e
const ACCENT = "rgb(11, 92, 173)"; // --cw-accent's default, #0b5cad

/** What the visitor sees of a widget: its background, and its submit button's colour and corners. */
async function look(root: Locator) {
  await expect(root.locator(".cw-primary")).toBeVisible();
  return root.evaluate((element) => {
    const submit = element.querySelector(".cw-primary")!;
    const button = getComputedStyle(submit);
    return { scheme: element.getAttribute("data-theme"), background: getComputedStyle(element).backgroundColor, accent: button.backgroundColor, radius: button.borderTopLeftRadius };
  });
}

test.describe("data attributes", () => {
  test.use({ colorScheme: "light" });

  test("on the script tag theme every widget, and an element's own override them for that element", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/themed.html`);
    // The element: light and purple by its own attributes, the script tag's 2 px corners, Spanish by its locale attribute.
    const inline = page.locator("main callback-widget .cw-root");
    await expect(inline.getByRole("heading", { name: "Solicitar una llamada" })).toBeVisible();
    await expect.poll(() => look(inline)).toEqual({ scheme: "light", background: WHITE, accent: "rgb(107, 44, 145)", radius: "2px" });

    // The launcher's widget: the script tag's dark (the system is light) and 2 px, French by its data-locale.
    await page.getByRole("button", { name: "Demander un rappel" }).click();
    const panel = page.getByRole("dialog").locator(".cw-root");
    await expect(panel.getByRole("heading", { name: "Demander un rappel" })).toBeVisible();
    await expect.poll(() => look(panel)).toMatchObject({ scheme: "dark", background: DARK_BG, radius: "2px" });
  });

  test("a profile's theme applies when the host sets none", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/de.html`);
    await page.getByRole("button", { name: "Rückruf anfordern" }).click();
    const panel = page.getByRole("dialog").locator(".cw-root");
    await expect(panel.getByRole("heading", { name: "Rückruf anfordern" })).toBeVisible();
    // config/profiles.json: the support line's accent #00695c and 14 px corners.
    await expect.poll(() => look(panel)).toEqual({ scheme: "light", background: WHITE, accent: "rgb(0, 105, 92)", radius: "14px" });
  });
});

test.describe("light and dark", () => {
  test("follow prefers-color-scheme, even as it changes, unless a theme forces one", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/");
    const root = page.locator(".cw-root");
    await expect.poll(() => look(root)).toMatchObject({ scheme: "dark", background: DARK_BG });
    await page.emulateMedia({ colorScheme: "light" });
    await expect(root).toHaveAttribute("data-theme", "light");
    // Colours ease into the new scheme (transitions): read them once they have settled.
    await expect.poll(() => look(root)).toEqual({ scheme: "light", background: WHITE, accent: ACCENT, radius: "8px" });

    // Forced (?theme= is what the iframe embed passes on from data-theme): the system no longer decides.
    await page.goto("/callback/default?theme=dark");
    await expect.poll(() => look(root)).toMatchObject({ scheme: "dark", background: DARK_BG });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/callback/default?theme=light");
    await expect.poll(() => look(root)).toMatchObject({ scheme: "light", background: WHITE });
  });
});

test.describe("the launcher's place", () => {
  // Measured where the panel comes to rest, without its opening slide.
  test.use({ reducedMotion: "reduce" });
  const box = async (page: Page, locator: Locator) => {
    const b = (await locator.boundingBox())!;
    const viewport = page.viewportSize()!;
    return { left: Math.round(b.x), right: Math.round(viewport.width - b.x - b.width), bottom: Math.round(viewport.height - b.y - b.height) };
  };

  test("is bottom right by default, and the host's CSS custom properties move it and its panel", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
    const launcher = page.getByRole("button", { name: "Call me back" });
    expect(await box(page, launcher)).toMatchObject({ right: 20, bottom: 20 });

    // As a host's stylesheet would (the demo page's CSP allows no inline style, but the CSSOM is fine).
    await page.evaluate(() => {
      const style = document.documentElement.style;
      style.setProperty("--cw-launcher-left", "24px");
      style.setProperty("--cw-launcher-right", "auto");
      style.setProperty("--cw-launcher-bottom", "96px");
    });
    expect(await box(page, launcher)).toMatchObject({ left: 24, bottom: 96 });
    await launcher.click();
    const panel = page.getByRole("dialog");
    await expect(panel.getByRole("heading", { name: "Request a callback" })).toBeVisible();
    expect(await box(page, panel)).toMatchObject({ left: 24, bottom: 96 + 60 });
  });

  test("goes to the left with data-position", async ({ page }) => {
    await page.goto(`${DEMO_ORIGIN}/themed.html`);
    const launcher = page.getByRole("button", { name: "Demander un rappel" });
    expect(await box(page, launcher)).toMatchObject({ left: 20, bottom: 20 });
    await launcher.click();
    await expect(page.getByRole("dialog").getByRole("heading", { name: "Demander un rappel" })).toBeVisible();
    expect(await box(page, page.getByRole("dialog"))).toMatchObject({ left: 20, bottom: 80 });
  });
});

test.describe("motion", () => {
  /** Transition and animation durations of every element in the page and its shadow roots. */
  const motion = (page: Page) =>
    page.evaluate(() => {
      const moving: string[] = [];
      const visit = (root: Document | ShadowRoot) => {
        for (const element of root.querySelectorAll("*")) {
          const style = getComputedStyle(element);
          const seconds = (list: string) => Math.max(...list.split(",").map((value) => parseFloat(value)));
          if (seconds(style.transitionDuration) > 0 || (style.animationName !== "none" && seconds(style.animationDuration) > 0)) {
            moving.push(`${element.tagName.toLowerCase()}.${element.className}`);
          }
          if (element.shadowRoot) visit(element.shadowRoot);
        }
      };
      visit(document);
      return moving;
    });

  async function openEverything(page: Page) {
    await page.goto(`${DEMO_ORIGIN}/script-tag.html?calm`);
    await page.getByRole("button", { name: "Call me back" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("radio", { name: "At a time I choose" }).check();
    await expect(dialog.locator("fieldset.cw-day").first()).toBeVisible();
  }

  test("controls and the launcher's panel move a little", async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "no-preference" });
    await openEverything(page);
    const moving = await motion(page);
    expect(moving).toContainEqual(expect.stringMatching(/^div\.p$/));
    expect(moving).toContainEqual(expect.stringMatching(/cw-primary/));
  });

  test("nothing moves for visitors who prefer reduced motion", async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await openEverything(page);
    expect(await motion(page)).toEqual([]);
  });
});
