// Structured JSON logs (pino). Anything that could carry a token or a phone number is censored by
// key name, on the line's own fields and one level down, as a second line of defence; callers log
// masked numbers only. (pino's own `redact` parses its paths again on every line: over a dozen
// kilobytes of garbage per line, the largest allocation of a callback request. This does the same
// for the keys we name, and copies a line only when it has something to censor.)
import { pino, type DestinationStream, type Logger } from "pino";

const SECRET_KEYS = new Set(["authorization", "token", "accessToken", "phone", "phoneE164"]);
export const CENSOR = "[redacted]";

function hasSecret(fields: object): boolean {
  for (const key in fields) if (SECRET_KEYS.has(key)) return true;
  return false;
}

function censored(fields: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in fields) copy[key] = SECRET_KEYS.has(key) ? CENSOR : fields[key];
  return copy;
}

/** The line's fields with every secret-named key, at the top or one level down, censored. */
export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  let result = hasSecret(fields) ? censored(fields) : fields;
  for (const key in result) {
    const value = result[key];
    if (value === null || typeof value !== "object" || Array.isArray(value) || !hasSecret(value)) continue;
    if (result === fields) result = { ...fields };
    result[key] = censored(value as Record<string, unknown>);
  }
  return result;
}

/**
 * Logs to `destination`, by default standard output written asynchronously and in blocks: lines
 * wait until 4 kB have gathered (under load one write carries a dozen lines: ~3 % less CPU per
 * callback request than a write per event-loop turn) or for at most a second on a quiet server,
 * and pino writes what is left when the process exits.
 */
export function createLogger(level: string, destination: DestinationStream = bufferedStandardOutput()): Logger {
  return pino(
    {
      level,
      base: { service: "callback-widget" },
      // Every line's own fields (the BFF logs no child loggers: their bindings would not pass here).
      formatters: { log: redact },
    },
    destination,
  );
}

function bufferedStandardOutput(): DestinationStream {
  // sonic-boom (pino's destination) given text measures the UTF-8 length of its whole pending block
  // again for every line (Buffer.byteLength of up to 16 kB, a flattening copy first): ~2 % of a
  // callback request's instructions under load. Given bytes, it keeps each block's length as it goes.
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096, contentMode: "buffer" });
  setInterval(() => stream.flush(), 1000).unref();
  return {
    // (Its types know only text; in this mode it takes buffers.)
    write: (line: string) => stream.write(Buffer.from(line) as unknown as string),
    flush: (callback?: (error?: Error) => void) => stream.flush(callback),
  } as DestinationStream;
}
