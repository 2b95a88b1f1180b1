// The script-tag loader (embed.js) is a classic script, so it is built on its own as one small
// IIFE; the widget it imports on demand (embed/widget.js) comes from vite.config.ts's build.
import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist/client",
    emptyOutDir: false,
    // The map is written, but no comment pointing at it: every host page pays for each byte.
    sourcemap: "hidden",
    lib: {
      entry: "src/embed/loader.ts",
      formats: ["iife"],
      name: "CallbackWidgetLoader",
      fileName: () => "embed.js",
    },
  },
});
