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
  idempotency_key_reused: "This Idempotency-Key was already used for a different request.",
  rate_limited: "Too many requests. Please wait a moment and try again.",
  link_invalid: "This callback link is not valid. Request a callback without it, or ask for a new link.",
  link_expired: "This callback link has expired. Request a callback without it, or ask for a new link.",
  origin_not_allowed: "This page may not request callbacks for this line.",
  sign_in_required: "A valid bearer token is required: sign in.",
  sign_in_invalid: "The bearer token is not valid (signature, issuer, audience or algorithm).",
  sign_in_expired: "The bearer token has expired: sign in again.",
  sign_in_unavailable: "The identity provider's signing keys cannot be fetched right now.",
  contact_not_found: "No Dataverse contact (or more than one) matches the signed-in account.",
  contact_mismatch: "The request names another contact than the signed-in one.",
  role_required: "The signed-in account does not have the role this needs.",
  phone_rate_limited: "We already have several requests for this number. Please wait before asking again.",
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_MESSAGES, value);
}

export function describeError(code: ErrorCode): string {
  return ERROR_MESSAGES[code];
}
