/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// The page's first script (src/widget/prefetch-page.ts) asks the BFF for the profile and its times
// while the widget's code downloads. Vite would bundle every module script of index.html into one
// entry, which runs only once all of it has arrived: build it as an entry of its own instead, and
// put it first in the page.
function prefetchFirst(): Plugin {
  return {
    name: "callback-widget:prefetch-first",
    transformIndexHtml: {
      order: "post",
      handler(_html, context) {
        // Only the visitor's page: the admin page and the sign-in bridge have no profile to fetch.
        if (!context.path.endsWith("/index.html")) return [];
        const chunk = Object.values(context.bundle ?? {}).find((output) => output.type === "chunk" && output.name === "prefetch");
        if (!chunk) return [];
        // `async`: it runs as soon as it has arrived, not after the (much larger) widget.
        return [{ tag: "script", attrs: { type: "module", async: true, crossorigin: true, src: `/${chunk.fileName}` }, injectTo: "head" }];
      },
    },
  };
}

// The browser half: the standalone page (index.html) and the widget it renders. The script-tag
// embed's widget (embed/widget.js) is built on its own (vite.widget.config.ts).
// Vitest's settings live here too; browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  plugins: [react(), prefetchFirst()],
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
        // Its first script, built on its own (see prefetchFirst).
        prefetch: "src/widget/prefetch-page.ts",
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
