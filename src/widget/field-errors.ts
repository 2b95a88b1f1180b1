// Where the BFF's field errors go: next to the control they are about, or, for the whole body and
// fields the visitor cannot see (profile, timeZone, attributes…), into the form-level alert.
import type { FieldError } from "../shared/schemas";

export type FormField = "when" | "slots" | "name" | "country" | "phone" | "consent";

export interface PlacedErrors {
  /** The first error for each field, as codes (they are put into words when shown). */
  fields: Partial<Record<FormField, string>>;
  /** Errors with no control of their own. */
  unplaced: FieldError[];
}

const OWN_FIELDS = new Set<string>(["name", "country", "phone", "consent"]);

/**
 * `when` is the visitor's time choice: `windows` errors belong to the slot picker, unless the
 * visitor asked for "as soon as possible" (no picker shown; e.g. `asap_unavailable`), in which
 * case they go under the time choice itself.
 */
export function placeFieldErrors(errors: readonly FieldError[], when: "asap" | "choose"): PlacedErrors {
  const placed: PlacedErrors = { fields: {}, unplaced: [] };
  for (const error of errors) {
    const root = error.field.split(".")[0] ?? "";
    const field: FormField | undefined = root === "windows" ? (when === "choose" ? "slots" : "when") : OWN_FIELDS.has(error.field) ? (error.field as FormField) : undefined;
    if (field === undefined) placed.unplaced.push(error);
    else placed.fields[field] ??= error.code;
  }
  return placed;
}
