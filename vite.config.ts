/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The browser half: the standalone page (index.html) and the widget it renders.
// Vitest's settings live here too; browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  plugins: [react()],
  // public/ holds the demo host pages, served from another origin (src/server/demo-host.ts).
  publicDir: false,
  build: {
    outDir: "dist/client",
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      // Keep the widget entry's exports (`mount`): the loader imports them.
      preserveEntrySignatures: "exports-only",
      input: {
        // The standalone page, which is also the iframe page (/callback/:profile, /embed/iframe).
        index: "index.html",
        // What the script-tag loader imports on demand: a stable name, revalidated by the BFF.
        widget: "src/embed/widget-element.tsx",
        // The admin page (/admin) and MSAL's redirect bridge (/auth/redirect): their own bundles,
        // so nothing of MSAL is in what an anonymous visitor downloads.
        admin: "admin.html",
        "auth-redirect": "auth-redirect.html",
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === "widget" ? "embed/widget.js" : "assets/[name]-[hash].js"),
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
