// The form's own schema, built from the shared CallbackRequest's fields so a rule lives in one
// place; on top, the checks that need the profile (countries, how many slots) and the phone rules
// (the shared checkPhone with libphonenumber-js's small `min` metadata; the BFF re-checks with
// `max`). Every refusal's message is a shared error code, the same the BFF would send.
// The widget loads this module with the phone rules (phone-rules.ts), once the form is on screen.
import type { MetadataJson } from "libphonenumber-js/core";
import * as z from "zod/mini";
import { checkPhone } from "../shared/phone";
import { CallbackRequest, CountryCode, type PublicProfile } from "../shared/schemas";

export function buildFormSchema(profile: Pick<PublicProfile, "allowedCountries" | "maxWindows">, metadata: MetadataJson) {
  const fields = CallbackRequest.shape;
  return z
    .object({
      when: z.enum(["asap", "choose"]),
      /** Start instants of the chosen slots. */
      slots: z.array(z.string()),
      name: z.union([z.literal(""), fields.name.def.innerType]),
      country: CountryCode,
      phone: fields.phone,
      // The checkbox holds a boolean; the API's rule (the literal `true`) decides.
      consent: z.pipe(z.boolean({ error: "consent_required" }), fields.consent),
    })
    .check(
      z.superRefine(
        (values, ctx) => {
          if (values.when === "choose" && values.slots.length === 0) ctx.addIssue({ code: "custom", path: ["slots"], message: "windows_empty", input: values.slots });
          if (values.when === "choose" && values.slots.length > profile.maxWindows) ctx.addIssue({ code: "custom", path: ["slots"], message: "windows_too_many", input: values.slots });
          if (!profile.allowedCountries.includes(values.country)) ctx.addIssue({ code: "custom", path: ["country"], message: "country_not_allowed", input: values.country });
          // A phone the API's own rule already refused (empty, too long) needs no second message.
          if (!fields.phone.safeParse(values.phone).success) return;
          const phone = checkPhone(values.phone, values.country, { allowedCountries: profile.allowedCountries }, metadata);
          if (!phone.ok) ctx.addIssue({ code: "custom", path: [phone.code === "country_invalid" ? "country" : "phone"], message: phone.code, input: values.phone });
        },
        // Also run when another field (say, consent) already failed, so every problem shows at once.
        { when: ({ value }) => typeof value === "object" && value !== null },
      ),
    );
}

export type FormSchema = ReturnType<typeof buildFormSchema>;
/** What the controls hold. */
export type CallbackFormInput = z.input<FormSchema>;
/** What the schema lets through. */
export type CallbackFormValues = z.output<FormSchema>;

export { toCallbackRequest, type RequestContext } from "./form-request";
