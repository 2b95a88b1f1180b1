/// <reference types="vitest/config" />
import { createHash } from "node:crypto";
import react from "@vitejs/plugin-react";
import { build as esbuild } from "esbuild";
import { defineConfig, type Plugin } from "vite";

// The page's first script (src/widget/prefetch-page.ts) asks the BFF for the profile and its times
// while the widget's code downloads. Built by Vite as one more entry, it would share chunks with
// the widget (page-options, prefetch) and so run only once those had arrived, and in practice after
// the widget's own (much larger) module: it is bundled on its own instead, a file that imports
// nothing, and is put first in the page.
function prefetchFirst(): Plugin {
  let fileName: string | undefined;
  return {
    name: "callback-widget:prefetch-first",
    apply: "build",
    async buildStart() {
      const { outputFiles } = await esbuild({
        entryPoints: ["src/widget/prefetch-page.ts"],
        bundle: true,
        write: false,
        format: "esm",
        minify: true,
        target: "es2022",
        sourcemap: "external",
        outdir: "dist/client/assets",
        logLevel: "warning",
      });
      const code = outputFiles.find((file) => file.path.endsWith(".js"))!.text;
      const map = outputFiles.find((file) => file.path.endsWith(".map"))!.text;
      fileName = `assets/prefetch-${createHash("sha256").update(code).digest("base64url").slice(0, 8)}.js`;
      this.emitFile({ type: "asset", fileName, source: `${code}//# sourceMappingURL=${fileName.slice("assets/".length)}.map\n` });
      this.emitFile({ type: "asset", fileName: `${fileName}.map`, source: map });
    },
    transformIndexHtml: {
      order: "post",
      handler(_html, context) {
        // Only the visitor's page: the admin page and the sign-in bridge have no profile to fetch.
        if (!fileName || !context.path.endsWith("/index.html")) return [];
        // `async`: it runs as soon as it has arrived, not after the widget.
        return [{ tag: "script", attrs: { type: "module", async: true, crossorigin: true, fetchpriority: "high", src: `/${fileName}` }, injectTo: "head" }];
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
