// Bundle sizes: what a visitor downloads before the form is usable, raw, gzip and brotli, with each
// library's share read from the sourcemaps. Builds are deterministic, so these figures hold as
// absolute budgets; the floor (a bare React page built the same way) is reported beside them.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { decode } from "@jridgewell/sourcemap-codec";
import { init, parse } from "es-module-lexer";
import { ROOT, TMP } from "./processes";

/** The widget's build (npm run build) and the floor's (the bare React page). */
export const CLIENT = path.join(ROOT, "dist", "client");
export const FLOOR = path.join(TMP, "floor");

/** Builds the product (widget and server) and the bare React page it is compared to. */
export function buildProductAndFloor(): void {
  const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  run("npm", ["run", "build"]);
  run("npm", ["run", "build:server"]);
  run("npx", ["vite", "build", "-c", "bench/fixtures/bare-react/vite.config.ts"]);
  // Compressed like the widget (npm run build), and served alike (startHostServer).
  run("node", ["scripts/precompress.mjs", "bench/tmp/floor"]);
}

/** What the bench reports: the loader, what each way of showing the form downloads before it is usable, and the floor. */
export async function measureBundles(): Promise<Record<"loader" | "standalone" | "embed" | "floor", Bundle>> {
  return {
    loader: measureBundle("loader (embed.js)", CLIENT, ["embed.js"]),
    standalone: measureBundle("standalone page", CLIENT, await staticClosure(CLIENT, ["index.html"])),
    embed: measureBundle("script-tag widget", CLIENT, await staticClosure(CLIENT, ["embed/widget.js"])),
    floor: measureBundle("bare React page", FLOOR, await staticClosure(FLOOR, ["index.html"])),
  };
}

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

export interface LibraryShare extends Sizes {
  /** An npm package, or `app` for our own source. */
  library: string;
}

export interface Bundle extends Sizes {
  name: string;
  files: Array<Sizes & { file: string }>;
  /** Where the gzip bytes go; each library's gzip and brotli are its raw share of each file's compressed size. */
  libraries: LibraryShare[];
}

export function compressedSizes(content: Buffer | string): Sizes {
  const buffer = typeof content === "string" ? Buffer.from(content) : content;
  return {
    raw: buffer.length,
    // What a server's precompression or a CDN serves: the strongest standard settings.
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length } }).length,
  };
}

/**
 * The files a page or module needs before anything runs: for HTML, its scripts, module preloads
 * and stylesheets; for JavaScript, the file and every module it imports statically (dynamic
 * `import()`s are what the widget fetches later, so they are left out).
 */
export async function staticClosure(root: string, entries: string[]): Promise<string[]> {
  await init;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(path.join(root, file), "utf8");
    if (file.endsWith(".html")) {
      for (const match of text.matchAll(/<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]+)"[^>]*>/g)) {
        const tag = match[0];
        if (/rel="(?:icon|preconnect)"/.test(tag) || /^(?:data:|https?:)/.test(match[1]!)) continue;
        visit(match[1]!.replace(/^\//, ""));
      }
      return;
    }
    if (!file.endsWith(".js")) return;
    const [imports] = parse(text);
    for (const entry of imports) {
      if (entry.d !== -1 || !entry.n) continue; // a dynamic import: fetched later, on demand
      visit(path.posix.join(path.posix.dirname(file), entry.n));
    }
  };
  for (const entry of entries) visit(entry);
  return [...seen].filter((file) => !file.endsWith(".html")).sort();
}

/** Which package a source path belongs to (`app` for ours), from a sourcemap's `sources`. */
export function libraryOf(source: string): string {
  const at = source.lastIndexOf("node_modules/");
  if (at === -1) return "app";
  const parts = source.slice(at + "node_modules/".length).split("/");
  return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Each library's raw bytes in one built JavaScript file, from its sourcemap's mappings. */
function librarySlices(code: string, mapText: string): Map<string, string> {
  const map = JSON.parse(mapText) as { sources: string[]; mappings: string };
  const lines = code.split("\n");
  const slices = new Map<string, string[]>();
  decode(map.mappings).forEach((segments, lineIndex) => {
    const line = lines[lineIndex] ?? "";
    segments.forEach((segment, i) => {
      const end = segments[i + 1]?.[0] ?? line.length;
      // Generated code without a source (rolldown's runtime helpers) counts as ours.
      const library = segment.length > 1 ? libraryOf(map.sources[segment[1]!]!) : "app";
      const list = slices.get(library) ?? [];
      list.push(line.slice(segment[0], end));
      slices.set(library, list);
    });
  });
  return new Map([...slices].map(([library, parts]) => [library, parts.join("")]));
}

export function measureBundle(name: string, root: string, files: string[]): Bundle {
  const totals = new Map<string, Sizes>();
  const add = (library: string, sizes: Sizes) => {
    const t = totals.get(library) ?? { raw: 0, gzip: 0, brotli: 0 };
    totals.set(library, { raw: t.raw + sizes.raw, gzip: t.gzip + sizes.gzip, brotli: t.brotli + sizes.brotli });
  };
  const measured = files.map((file) => {
    const content = readFileSync(path.join(root, file));
    const sizes = compressedSizes(content);
    if (file.endsWith(".js")) {
      let mapText: string | undefined;
      try {
        mapText = readFileSync(path.join(root, `${file}.map`), "utf8");
      } catch {
        mapText = undefined;
      }
      if (mapText) {
        // Compressed alone, a library's slices compress worse than inside the file: share the
        // file's real compressed size out in proportion to each library's own compressed size.
        const slices = [...librarySlices(content.toString("utf8"), mapText)].map(([library, code]) => ({ library, sizes: compressedSizes(code) }));
        const sum = slices.reduce((s, x) => ({ raw: s.raw + x.sizes.raw, gzip: s.gzip + x.sizes.gzip, brotli: s.brotli + x.sizes.brotli }), { raw: 0, gzip: 0, brotli: 0 });
        for (const { library, sizes: part } of slices) {
          add(library, {
            raw: part.raw,
            gzip: (sizes.gzip * part.gzip) / sum.gzip,
            brotli: (sizes.brotli * part.brotli) / sum.brotli,
          });
        }
        const unmapped = sizes.raw - sum.raw;
        if (unmapped > 0) add("app", { raw: unmapped, gzip: 0, brotli: 0 });
        return { file, ...sizes };
      }
    }
    add(file.endsWith(".css") ? "app (css)" : "app", sizes);
    return { file, ...sizes };
  });
  const total = measured.reduce((s, f) => ({ raw: s.raw + f.raw, gzip: s.gzip + f.gzip, brotli: s.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const libraries = [...totals]
    .map(([library, sizes]) => ({ library, raw: sizes.raw, gzip: Math.round(sizes.gzip), brotli: Math.round(sizes.brotli) }))
    .sort((a, b) => b.gzip - a.gzip);
  return { name, files: measured, ...total, libraries };
}
