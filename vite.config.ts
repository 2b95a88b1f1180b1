/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// The visitor's page runs a small script before the widget, first in the page (module scripts run
// in the page's order, each as soon as it and those before it have arrived; Chromium runs `async`
// ones late, at low priority, after the widget): src/widget/first-answers-page.ts checks the
// profile and times (which the BFF's page asks for with preload links, see routes/pages.ts) with
// the API client and the schemas (a chunk the widget shares), while React and the form are still
// downloading and compiling.
function earlyScripts(): Plugin {
  return {
    name: "callback-widget:early-scripts",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, context) {
        // Only the visitor's page: the admin page and the sign-in bridge have no profile to fetch.
        if (!context.path.endsWith("/index.html")) return html;
        const checker = Object.values(context.bundle ?? {}).find((output) => output.type === "chunk" && output.name === "first-answers");
        if (checker?.type !== "chunk") return html;
        const preload = (href: string) => `<link rel="modulepreload" crossorigin href="/${href}">`;
        // Before the widget's own scripts, with the chunks the checker imports: the browser asks
        // for files in the page's order, a few at a time per server, and these are needed first.
        const checkerImports = staticImports(checker.fileName, context.bundle!);
        const early = [`<script type="module" crossorigin src="/${checker.fileName}"></script>`, ...checkerImports.map(preload)].join("\n    ");
        const rest = html.split("\n").filter((line) => !checkerImports.some((file) => line.trim() === preload(file))).join("\n");
        return rest.replace(/<script\b/, `${early}\n    $&`);
      },
    },
  };
}

/** Every chunk `fileName` imports, directly or not, in the order they are first reached. */
function staticImports(fileName: string, bundle: Record<string, { type: string; imports?: string[] }>): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    for (const imported of bundle[file]?.imports ?? []) {
      if (seen.has(imported)) continue;
      seen.add(imported);
      visit(imported);
    }
  };
  visit(fileName);
  return [...seen];
}

// The browser half: the standalone page (index.html) and the widget it renders. The script-tag
// embed's widget (embed/widget.js) is built on its own (vite.widget.config.ts).
// Vitest's settings live here too; browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  plugins: [react(), earlyScripts()],
  // public/ holds the demo host pages, served from another origin (src/server/demo-host.ts).
  publicDir: false,
  build: {
    outDir: "dist/client",
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: {
        // The standalone page, which is also the iframe page (/callback/:profile, /embed/iframe).
        index: "index.html",
        // Its second script (see earlyScripts).
        "first-answers": "src/widget/first-answers-page.ts",
        // The admin page (/admin) and MSAL's redirect bridge (/auth/redirect): their own bundles,
        // so nothing of MSAL is in what an anonymous visitor downloads.
        admin: "admin.html",
        "auth-redirect": "auth-redirect.html",
      },
    },
  },
  server: {
    // `vite` alone serves the widget with hot reload; the API comes from a running BFF.
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
