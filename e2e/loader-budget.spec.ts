// The script-tag loader is what every page of a host pays for, opened or not: it must stay within
// 3 KB gzip. test:e2e builds before running, so this checks the file that ships (dist/client/embed.js),
// compressed as `gzip -9 -c dist/client/embed.js | wc -c` would, and as the BFF serves it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync, constants } from "node:zlib";
import { expect, test } from "@playwright/test";

const BUDGET_BYTES = 3 * 1024;

test("the loader stays within 3 KB gzip", async ({ request }) => {
  const built = readFileSync(path.resolve("dist/client/embed.js"));
  const gzipped = gzipSync(built, { level: constants.Z_BEST_COMPRESSION }).length;
  expect(gzipped, `embed.js is ${gzipped} bytes gzip`).toBeLessThanOrEqual(BUDGET_BYTES);
  // The BFF serves that same file.
  const served = await request.get("/embed.js");
  expect(Buffer.from(await served.body()).equals(built)).toBe(true);
});
