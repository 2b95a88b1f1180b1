// What the script-tag loader imports when a widget is needed: embed/widget.js, under a stable name
// the BFF revalidates. Built on its own so that it holds all the code the form needs (React
// included) in one file: sharing a chunk with the standalone page would make the loader wait for
// widget.js before it could even ask for that chunk. What the form loads later (phone rules,
// catalogues) stays in chunks beside it.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  publicDir: false,
  build: {
    outDir: "dist/client",
    emptyOutDir: false,
    sourcemap: true,
    rollupOptions: {
      // Keep the entry's exports (`mount`): the loader imports them. The entry may export more, for
      // its lazy chunks, so that what they share with it stays in it rather than in a third file.
      preserveEntrySignatures: "allow-extension",
      input: { widget: "src/embed/widget-element.tsx" },
      output: {
        entryFileNames: "embed/widget.js",
        chunkFileNames: "embed/[name]-[hash].js",
        assetFileNames: "embed/[name]-[hash][extname]",
      },
    },
  },
});
