// The words the widget shows for a refusal. Errors travel as the shared error codes (from the form
// schema and from the BFF) and become sentences here, in the visitor's language.
import { isErrorCode } from "../shared/error-codes";
import type { Messages } from "./i18n";
import { en } from "./i18n/en";

/** `fallback` is used for a code this widget does not know yet (say, the BFF's own `message`). */
export function messageFor(code: string | undefined, fallback?: string, t: Messages = en): string {
  if (isErrorCode(code)) return t.errors[code];
  return fallback ?? t.errors.invalid;
}
