// The iframe embed's host helper (embed/frames.js), which embed.js imports only on pages that have
// an <iframe data-callback-widget>. An ES module on its own: built with the widget, it would share
// a chunk with it and make widget.js wait for a second file.
import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist/client",
    emptyOutDir: false,
    sourcemap: true,
    lib: {
      entry: "src/embed/frames.ts",
      formats: ["es"],
      fileName: () => "embed/frames.js",
    },
  },
});
