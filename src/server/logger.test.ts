import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CENSOR, createLogger, redact } from "./logger";

describe("log redaction", () => {
  it("censors secret-named fields at the top and one level down, and leaves the rest and the caller's object alone", () => {
    const fields = { requestId: "r1", phone: "+33612345678", headers: { authorization: "Bearer abc", accept: "json" }, err: { message: "no", token: "t" }, list: ["token"] };
    expect(redact(fields)).toEqual({ requestId: "r1", phone: CENSOR, headers: { authorization: CENSOR, accept: "json" }, err: { message: "no", token: CENSOR }, list: ["token"] });
    expect(fields.phone).toBe("+33612345678");
    expect(fields.headers.authorization).toBe("Bearer abc");
  });

  it("hands back a line with nothing to censor as it is", () => {
    const fields = { requestId: "r1", status: 201, nested: { ms: 3 } };
    expect(redact(fields)).toBe(fields);
  });

  it("censors what is written", async () => {
    const lines: string[] = [];
    const logger = createLogger("info", new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    logger.info({ phoneE164: "+33612345678", accessToken: "secret", callbackRequestId: "c1" }, "scheduled");
    logger.warn({ err: { message: "refused", authorization: "Bearer secret" } }, "nested");
    const written = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written[0]).toMatchObject({ phoneE164: CENSOR, accessToken: CENSOR, callbackRequestId: "c1", msg: "scheduled" });
    expect(written[1]).toMatchObject({ err: { message: "refused", authorization: CENSOR }, msg: "nested" });
    expect(lines.join("")).not.toMatch(/\+33612345678|secret/);
  });
});

describe("standard output", () => {
  // A child process logs as the server does, then stays up and quiet: its lines must not wait for
  // the 4 kB block the logger gathers under load, nor be lost when it exits.
  const script = `
    import { createLogger } from "./src/server/logger.ts";
    const logger = createLogger("info");
    logger.info({ n: 1 }, "first");
    setTimeout(() => { logger.info({ n: 2 }, "last"); process.exit(0); }, 4000);
  `;

  it("writes a quiet process's lines within about a second, and what is left at exit", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    const started = Date.now();
    while (!output.includes('"first"') && Date.now() - started < 3500) await new Promise((resolve) => setTimeout(resolve, 50));
    // Written while the process was still running and quiet (it logs again only at 4 s).
    expect(output).toContain('"msg":"first"');
    expect(output).not.toContain('"msg":"last"');
    await new Promise((resolve) => child.once("exit", resolve));
    expect(output).toContain('"msg":"last"');
  });

  // A burst larger than the blocks, some of it still gathering and some being written when the
  // process ends: by process.exit(), or on its own once it has nothing left to do.
  const burst = (ending: string) => `
    import { createLogger } from "./src/server/logger.ts";
    const logger = createLogger("info");
    for (let n = 0; n < 3000; n++) logger.info({ n, text: "é".repeat(n % 7) }, "burst");
    ${ending}
  `;

  it.each([
    ["process.exit()", "process.exit(0);"],
    ["the event loop running dry", ""],
  ])("writes every line of a burst once and in order when it ends by %s", async (_name, ending) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", burst(ending)], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => child.once("close", resolve));
    const numbers = Buffer.concat(chunks)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, n) => n));
  });
});
