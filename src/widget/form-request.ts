// The API request a filled-in form stands for. Apart from the form's schema (form-schema.ts), so
// that building a request does not pull libphonenumber-js into the code needed to show the form.
import type { CallbackRequest } from "../shared/schemas";
import type { CallbackFormValues } from "./form-schema";

export type TimeChoice = "asap" | "choose";

export interface RequestContext {
  profile: string;
  /** The offered slots, to send each chosen one exactly as the API gave it. */
  slots: ReadonlyArray<{ start: string; end: string }>;
  timeZone: string;
  locale?: string;
  /** The profile's form token: the BFF checks that the form was not sent impossibly fast. */
  formToken?: string;
  /** The CAPTCHA's answer, when the profile uses one. */
  captchaToken?: string;
  /** The honeypot field's content: empty for people, who never see it. */
  website?: string;
  attributes?: Record<string, string>;
  /** The attribute keys the profile accepts: a host's prefill of any other key is left out, not refused. */
  allowedAttributes?: readonly string[];
  link?: string;
}

/** The API request the form's values stand for: one window per chosen slot, in time order. */
export function toCallbackRequest(values: CallbackFormValues, context: RequestContext): CallbackRequest {
  const chosen = new Set(values.slots);
  const request: CallbackRequest = {
    profile: context.profile,
    phone: values.phone.trim(),
    country: values.country,
    timeZone: context.timeZone,
    consent: true,
  };
  const name = values.name.trim();
  if (name) request.name = name;
  if (values.when === "choose") request.windows = context.slots.filter((slot) => chosen.has(slot.start)).map(({ start, end }) => ({ start, end }));
  if (context.locale) request.locale = context.locale;
  if (context.formToken) request.formToken = context.formToken;
  if (context.website) request.website = context.website;
  if (context.captchaToken) request.captchaToken = context.captchaToken;
  const allowed = new Set(context.allowedAttributes ?? []);
  const attributes = Object.entries(context.attributes ?? {}).filter(([key]) => allowed.has(key));
  if (attributes.length > 0) request.attributes = Object.fromEntries(attributes);
  if (context.link) request.link = context.link;
  return request;
}
