// Every reason the BFF or the widget can give for refusing a field, with its English wording.
// Schemas put the code in the zod issue's message; the BFF sends `{ field, code, message }`,
// and the widget shows its own wording for the code (so translations key on codes, not sentences).

export const ERROR_MESSAGES = {
  required: "This field is required.",
  invalid: "This value is not valid.",
  invalid_type: "This value has the wrong type.",
  too_long: "This value is too long.",
  unknown_field: "This field is not accepted.",
  malformed_json: "The request body is not valid JSON.",
  body_too_large: "The request body is too large.",
  unsupported_media_type: "The request body must be JSON (Content-Type: application/json).",
  unknown_profile: "There is no callback profile with this name.",
  phone_required: "Enter a phone number.",
  phone_not_a_number: "This is not a phone number.",
  phone_too_short: "This phone number is too short.",
  phone_too_long: "This phone number is too long.",
  phone_invalid_length: "This phone number has the wrong number of digits.",
  phone_invalid_for_country: "This phone number is not valid for the chosen country.",
  phone_country_required: "Choose a country, or enter the number with its international prefix (+…).",
  phone_country_not_allowed: "We cannot call numbers in this country.",
  country_invalid: "This is not a country code we know.",
  country_not_allowed: "We cannot call numbers in this country.",
  time_zone_invalid: "This is not a time zone we know.",
  locale_invalid: "This is not a language tag we know.",
  consent_required: "Please agree to be called.",
  windows_empty: "Choose at least one time, or ask for a call as soon as possible.",
  windows_too_many: "You have chosen more times than this line accepts.",
  window_invalid: "This time window is not valid.",
  window_in_past: "This time has already passed.",
  window_not_offered: "This time is not offered. Choose one of the times shown.",
  window_overlaps: "These times overlap.",
  window_outside_calling_hours: "That time is too early or too late to call where this number is. Choose another time.",
  slot_full: "This time is fully booked. Choose another.",
  phone_not_callable: "We cannot call this number.",
  asap_unavailable: "We cannot call right now. Choose a time instead.",
  attribute_not_allowed: "This attribute is not accepted for this line.",
  attribute_invalid: "Attribute values must be short strings.",
  name_too_long: "This name is too long.",
  bot_suspected: "This request looks automated.",
  form_token_missing: "Please reload the page and fill in the form again.",
  form_too_fast: "That was quick! Please check your details and send the form again.",
  captcha_required: "Please complete the check that you are not a robot.",
  captcha_failed: "The check that you are not a robot did not succeed. Please try again.",
  captcha_unavailable: "The CAPTCHA provider could not be asked; try again shortly.",
  idempotency_key_reused: "This Idempotency-Key was already used for a different request.",
  rate_limited: "Too many requests. Please wait a moment and try again.",
  link_invalid: "This callback link is not valid. Request a callback without it, or ask for a new link.",
  link_expired: "This callback link has expired. Request a callback without it, or ask for a new link.",
  link_phone_mismatch: "This link was issued for another phone number.",
  origin_not_allowed: "This page may not request callbacks for this line.",
  phone_rate_limited: "We already have several requests for this number. Please wait before asking again.",
  not_found: "There is no such resource.",
  request_not_found: "There is no callback request with this id (and token).",
  request_cancelled: "This callback request was cancelled.",
  request_failed: "The contact centre could not schedule the call.",
  cancel_in_progress: "The request is being passed to the contact centre right now; try again in a moment.",
  not_cancellable: "This callback can no longer be cancelled.",
  cancel_failed: "The contact centre could not cancel the call; try again later.",
  internal_error: "Something went wrong on our side.",
  unauthorized: "A valid token is required.",
  forbidden: "This token does not allow this.",
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_MESSAGES, value);
}

export function describeError(code: ErrorCode): string {
  return ERROR_MESSAGES[code];
}
