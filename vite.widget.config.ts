// What the script-tag loader imports when a widget is needed, under stable names the BFF
// revalidates: embed/data.js (the API client, zod and the schemas: it checks the profile and times
// while the rest downloads) and embed/widget.js (React and the form, importing data.js). Built on
// its own, not sharing chunks with the standalone page, so that the loader can ask for both at
// once: a chunk only widget.js named would be asked for only once widget.js had arrived. What the
// form loads later (phone rules, catalogues) stays in chunks beside them.
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
      input: { widget: "src/embed/widget-element.tsx", data: "src/widget/first-answers.ts" },
      output: {
        entryFileNames: "embed/[name].js",
        chunkFileNames: "embed/[name]-[hash].js",
        assetFileNames: "embed/[name]-[hash][extname]",
      },
    },
  },
});
