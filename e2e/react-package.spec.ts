// What ships to React hosts, tested as shipped: `npm pack`, unpacked into a small React app that
// type-checks against the packed types, is built with Vite, and requests a callback in Chromium
// from an allowed origin.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import react from "@vitejs/plugin-react";
import { build } from "vite";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";
import { BFF_ORIGIN, DEMO_ORIGIN, deliveriesTo, uniqueFrenchMobile, watchConsole, freeSlot } from "./support";

// Inside the repository, so the app finds React and Vite in our node_modules, as an app has its own.
const host = path.resolve("node_modules/.cache/react-host");
const out = path.join(host, "dist");

// The app is served through page.route, which Chromium counts as a public address; the BFF is on
// loopback here (never in production), so its Local Network Access check would stop the calls.
test.use({
  launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"] },
});

test.describe("the npm package in a React app", () => {
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    rmSync(host, { recursive: true, force: true });
    mkdirSync(path.join(host, "node_modules", "callback-widget"), { recursive: true });
    // test:e2e has built dist/ already; pack exactly that.
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", host], { encoding: "utf8" })) as Array<{ filename: string }>;
    execFileSync("tar", ["-xzf", path.join(host, packed!.filename), "-C", path.join(host, "node_modules", "callback-widget"), "--strip-components=1"]);

    writeFileSync(
      path.join(host, "index.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>React host</title></head><body><div id="app"></div><script type="module" src="./main.tsx"></script></body></html>`,
    );
    writeFileSync(
      path.join(host, "main.tsx"),
      `import { createRoot } from "react-dom/client";
import { CallbackWidget, loadEmbedScript, type CallbackResult } from "callback-widget";
import "callback-widget/widget.css";

function App() {
  return (
    <section>
      <h1>A React app</h1>
      <button type="button" onClick={() => {
        // Twice, as a host's effects may run twice: one script, one launcher.
        loadEmbedScript({ bff: "${BFF_ORIGIN}", profile: "default", label: "Phone me", position: "bottom-left" });
        loadEmbedScript({ bff: "${BFF_ORIGIN}/", profile: "default", label: "Phone me", position: "bottom-left" });
      }}>Add the launcher</button>
      <CallbackWidget
        profile="default"
        apiBase="${BFF_ORIGIN}"
        defaultValues={{ name: "Margaret Hamilton" }}
        theme={{ mode: "dark", radius: "3px" }}
        onSubmitted={(result: CallbackResult) => { document.title = "submitted " + result.requestId; }}
      />
    </section>
  );
}
// @ts-expect-error: the packed types must refuse a profile that is not a string
const wrong = <CallbackWidget profile={42} />;
void wrong;
createRoot(document.getElementById("app")!).render(<App />);
`,
    );
    writeFileSync(
      path.join(host, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, jsx: "react-jsx", module: "ESNext", moduleResolution: "bundler", target: "ES2022", lib: ["ES2022", "DOM"], noEmit: true, skipLibCheck: false, types: [] }, files: ["main.tsx", "css.d.ts"] }),
    );
    writeFileSync(path.join(host, "css.d.ts"), `declare module "*.css";\n`);
  });

  test("type-checks against the packed types", () => {
    const tsc = path.resolve("node_modules/typescript/bin/tsc");
    expect(() => execFileSync(process.execPath, [tsc, "-p", path.join(host, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" })).not.toThrow();
  });

  test("builds with Vite and requests a callback", async ({ page, request }) => {
    test.setTimeout(90_000);
    await build({ root: host, base: "/react-host/", plugins: [react()], logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
    // Serve the built app as if from the demo origin, which the profile allows.
    await page.route(`${DEMO_ORIGIN}/react-host/**`, (route) => {
      const file = path.join(out, new URL(route.request().url()).pathname.replace(/^\/react-host\//, "") || "index.html");
      const type = file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : "text/html";
      return route.fulfill({ body: readFileSync(file), contentType: type });
    });
    const problems = watchConsole(page);
    await page.goto(`${DEMO_ORIGIN}/react-host/index.html`);
    await expect(page.getByRole("heading", { name: "A React app" })).toBeVisible();
    await expect(page.getByLabel("Your name")).toHaveValue("Margaret Hamilton");
    // The theme prop: dark whatever the system says (light here), with 3 px corners.
    await page.emulateMedia({ colorScheme: "light" });
    await expect(page.locator(".cw-root")).toHaveAttribute("data-theme", "dark");
    await expect(page.locator(".cw-root")).toHaveCSS("background-color", "rgb(23, 25, 30)");
    await expect(page.getByRole("button", { name: "Request a callback" })).toHaveCSS("border-top-left-radius", "3px");

    const { national, e164 } = uniqueFrenchMobile();
    await page.getByRole("radio", { name: "At a time I choose" }).check();
    await (await freeSlot(page)).check();
    await page.getByLabel("Phone number").fill(national);
    await page.getByRole("checkbox", { name: /I agree/ }).check();
    await page.getByRole("button", { name: "Request a callback" }).click();
    await expect(page.getByRole("heading", { name: "Callback requested" })).toBeVisible({ timeout: 10_000 });
    await expect(page).toHaveTitle(/^submitted [0-9a-f-]{36}$/);
    expect(await deliveriesTo(request, e164)).toHaveLength(1);

    // loadEmbedScript adds the script-tag embed from code, with its options, once.
    await page.getByRole("button", { name: "Add the launcher" }).click();
    const launcher = page.getByRole("button", { name: "Phone me" });
    await expect(launcher).toBeVisible();
    expect(await page.locator('script[src$="/embed.js"]').count()).toBe(1);
    await expect(page.locator("[data-callback-widget-launcher]")).toHaveCount(1);
    const box = (await launcher.boundingBox())!;
    expect(box.x + box.width).toBeLessThan(page.viewportSize()!.width / 2); // bottom-left, as asked
    await launcher.click();
    await expect(page.getByRole("dialog", { name: "Phone me" }).getByRole("heading", { name: "Request a callback" })).toBeVisible();
    expect(problems).toEqual([]);
  });
});
