// Writes a brotli (.br) and a gzip (.gz) copy next to every built script and stylesheet, so a
// server sends them compressed without compressing on each request: the widget's scripts are
// about 350 kB as built and about 110 kB compressed, on every host page a visitor opens.
// Usage: node scripts/precompress.mjs DIR...
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const COMPRESSIBLE = /\.(?:js|css)$/;
// Below this, compression saves less than the headers it adds.
const MIN_BYTES = 1024;

for (const dir of process.argv.slice(2)) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const body = readFileSync(file);
    if (body.length < MIN_BYTES) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  }
}
