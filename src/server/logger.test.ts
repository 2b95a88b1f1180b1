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
