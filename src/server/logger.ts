// Structured JSON logs (pino). Anything that could carry a token or a phone number is redacted
// by path as a second line of defence; callers log masked numbers only.
import { pino, type DestinationStream, type Logger } from "pino";

/**
 * Logs to `destination`, by default standard output written asynchronously: lines logged while a
 * write is under way go out together in the next one (under load, one system call for many lines
 * rather than one each), and pino writes what is left when the process exits.
 */
export function createLogger(level: string, destination: DestinationStream = pino.destination({ dest: 1, sync: false })): Logger {
  return pino(
    {
      level,
      base: { service: "callback-widget" },
      redact: {
        paths: ["authorization", "*.authorization", "headers.authorization", "token", "*.token", "accessToken", "phone", "*.phone", "phoneE164", "*.phoneE164"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
