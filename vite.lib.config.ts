// The package for React hosts (dist/lib): the widget component as an ES module that uses the
// host's React, with its stylesheet beside it. Types come from tsconfig.lib.json.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  publicDir: false,
  build: {
    outDir: "dist/lib",
    emptyOutDir: true,
    sourcemap: true,
    lib: {
      entry: "src/widget/index.ts",
      formats: ["es"],
      fileName: () => "index.js",
      cssFileName: "widget",
    },
    rollupOptions: {
      external: ["react", "react-dom", "react-dom/client", "react/jsx-runtime"],
    },
  },
});
