// Structured JSON logs (pino). Anything that could carry a token or a phone number is redacted
// by path as a second line of defence; callers log masked numbers only.
import { pino, type DestinationStream, type Logger } from "pino";

export function createLogger(level: string, destination?: DestinationStream): Logger {
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
