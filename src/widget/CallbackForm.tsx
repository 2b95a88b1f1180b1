// The callback form: when to call, name, phone, consent. react-hook-form holds the values and the
// form schema (built on the shared one) checks them; the BFF's refusals come back onto the same
// fields, and nothing the visitor typed is lost whatever the BFF answers.
import { useEffect, useMemo, useRef, useState } from "react";
import { useController, useForm, useWatch, type FieldErrors, type Resolver } from "react-hook-form";
import { localize } from "../shared/localized-text";
import type { Availability, Problem, PublicProfile } from "../shared/schemas";
import type { CallbackApi } from "./api";
import { placeFieldErrors, type FormField } from "./field-errors";
import { CaptchaField } from "./CaptchaField";
import { toCallbackRequest } from "./form-request";
import type { CallbackFormInput, CallbackFormValues } from "./form-schema";
import { createAttemptKeys } from "./idempotency";
import { useI18n } from "./i18n";
import { messageFor } from "./messages";
import { PhoneField } from "./PhoneField";
import { toCallbackResult, type CallbackResult } from "./result";
import { groupSlotsByDay, type SlotFormatter } from "./slot-groups";
import { SlotPicker } from "./SlotPicker";
import { loadPhoneRules, usePhoneRules } from "./use-phone-rules";

/** Values the host page already knows, to save the visitor typing them. */
export interface CallbackDefaults {
  name?: string;
  phone?: string;
  /** ISO 3166-1 alpha-2; used only when the profile allows it. */
  country?: string;
}

export interface CallbackFormProps {
  api: CallbackApi;
  profile: PublicProfile;
  availability: Availability;
  timeZone: string;
  locale?: string;
  format: SlotFormatter;
  defaultValues?: CallbackDefaults;
  onDone(result: CallbackResult): void;
  /** The BFF refused the request, or could not be reached. */
  onProblem?(problem: { title: string; status?: number }): void;
  /** Attribute values the host page passes on (only keys the profile allows are accepted). */
  attributes?: Record<string, string>;
  link?: string;
  /** A plausible number was entered (or cleared): the times offered may depend on where it rings. */
  onNumberChange?(number: { phone: string; country: string } | undefined): void;
  /** The visitor picked another time zone to see the times in. */
  onTimeZoneChange?(zone: string): void;
  /** The BFF said a chosen time is no longer offered: fetch the times again. */
  onTimesStale?(): void;
  /** The signed-in visitor's token, sent with the request (null when nobody is signed in). */
  getToken?(): Promise<string | null | undefined>;
}

interface FormAlert {
  /** A new id for each alert, so the live region announces it again even with the same words. */
  id: number;
  title: string;
  details: string[];
  /** Made only of field errors: goes once the visitor has corrected them all. */
  onlyFields: boolean;
}

// The order fields appear in, so the first one needing attention gets focus.
const FIELD_ORDER: readonly FormField[] = ["when", "slots", "name", "country", "phone", "consent"];
const STALE_TIME_CODES = new Set(["window_not_offered", "window_in_past", "slot_full", "window_outside_calling_hours", "asap_unavailable"]);
const FORM_ALERT_ID = "cw-form-alert";
const WHEN_ERROR_ID = "cw-when-error";
const NAME_ERROR_ID = "cw-name-error";
const CONSENT_ERROR_ID = "cw-consent-error";

export function CallbackForm({ api, profile, availability, timeZone, locale, format, defaultValues, attributes, link, onDone, onProblem, onTimesStale, onNumberChange, onTimeZoneChange, getToken }: CallbackFormProps) {
  const { t, language } = useI18n();
  // The phone rules (and the schema built on them) arrive just after the form is shown; a
  // submission in that moment waits for them rather than skipping the checks.
  const rules = usePhoneRules();
  const resolver = useMemo<Resolver<CallbackFormInput, unknown, CallbackFormValues>>(() => {
    let resolve: Promise<Resolver<CallbackFormInput, unknown, CallbackFormValues>> | undefined;
    return async (values, context, options) => {
      resolve ??= loadPhoneRules().then((loaded) => loaded.resolver(profile));
      return (await resolve)(values, context, options);
    };
  }, [profile]);
  const keys = useRef(createAttemptKeys());
  const honeypot = useRef<HTMLInputElement>(null);
  const shownAt = useRef(Date.now());
  const [alert, setAlertState] = useState<FormAlert | undefined>();
  const alertCount = useRef(0);
  const setAlert = (next: Omit<FormAlert, "id"> | undefined) => setAlertState(next && { ...next, id: ++alertCount.current });
  // The CAPTCHA's token is good for one request: each answer from the BFF asks for a fresh check.
  const [captchaToken, setCaptchaToken] = useState<string | undefined>();
  const [captchaGeneration, setCaptchaGeneration] = useState(0);
  const [captchaCode, setCaptchaCode] = useState<string | undefined>();
  const captchaRef = useRef<HTMLDivElement>(null);

  const { control, register, handleSubmit, setError, setValue, getValues, trigger, formState } = useForm<CallbackFormInput, unknown, CallbackFormValues>({
    resolver,
    defaultValues: initialValues(profile, availability, defaultValues),
    shouldFocusError: true,
  });
  const { errors, isSubmitting, isSubmitted } = formState;
  const when = useWatch({ control, name: "when" });
  // Weeks of slots put into words cost a few milliseconds: only when the visitor chooses a time.
  const days = useMemo(() => (when === "choose" ? groupSlotsByDay(availability.slots, format) : []), [when, availability.slots, format]);
  const slots = useController({ control, name: "slots" });
  const country = useController({ control, name: "country" });
  const phone = useController({ control, name: "phone" });

  // A number the host prefilled is shown as written in its country once the phone rules are here
  // (unless the visitor has changed it meanwhile).
  const unformatted = useRef(initialValues(profile, availability, defaultValues).phone);
  useEffect(() => {
    if (!rules || !unformatted.current) return;
    if (getValues("phone") === unformatted.current) setValue("phone", rules.format(unformatted.current, getValues("country")));
    unformatted.current = "";
  }, [rules, getValues, setValue]);

  // The host may prefill after the form is shown (its embed API called late): fill those fields now.
  const prefilled = useRef(defaultValues);
  const rulesRef = useRef(rules);
  rulesRef.current = rules;
  useEffect(() => {
    if (defaultValues === prefilled.current) return;
    prefilled.current = defaultValues;
    const next = initialValues(profile, availability, defaultValues);
    if (defaultValues?.name !== undefined) setValue("name", next.name);
    if (defaultValues?.country !== undefined) setValue("country", next.country);
    if (defaultValues?.phone !== undefined) {
      const format = rulesRef.current?.format;
      setValue("phone", format ? format(next.phone, next.country) : next.phone);
      if (!format) unformatted.current = next.phone;
    }
  }, [defaultValues, profile, availability, setValue]);

  // Once the number looks right, ask which times are permitted where it rings (debounced).
  const numberChangeRef = useRef(onNumberChange);
  numberChangeRef.current = onNumberChange;
  const lastNumber = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!rules) return;
    const timer = setTimeout(() => {
      const check = rules.check(phone.field.value, country.field.value, profile.allowedCountries);
      const key = check.ok ? check.e164 : undefined;
      if (key === lastNumber.current) return;
      lastNumber.current = key;
      numberChangeRef.current?.(check.ok ? { phone: check.e164, country: country.field.value } : undefined);
    }, 400);
    return () => clearTimeout(timer);
  }, [rules, phone.field.value, country.field.value, profile.allowedCountries]);



  // "As soon as possible" may stop being offered (for this number, or as the clock turns).
  useEffect(() => {
    if (!availability.asap && getValues("when") === "asap") setValue("when", "choose");
  }, [availability.asap, getValues, setValue]);

  // Fresh times (after a refusal) may no longer offer what was chosen: keep only what still is.
  useEffect(() => {
    const open = new Set(availability.slots.filter((slot) => slot.available).map((slot) => slot.start));
    const chosen = getValues("slots");
    if (chosen.some((start) => !open.has(start))) setValue("slots", chosen.filter((start) => open.has(start)));
  }, [availability.slots, getValues, setValue]);

  async function submit(values: CallbackFormValues) {
    setAlert(undefined);
    if (profile.captcha && !captchaToken) {
      setCaptchaCode("captcha_required");
      setAlert({ title: t.checkFields, details: [t.errors.captcha_required], onlyFields: false });
      captchaRef.current?.focus();
      return;
    }
    setCaptchaCode(undefined);
    // The BFF refuses forms sent faster than the profile's minimum fill time (a bot's speed);
    // a quick person (autofill) just waits the rest of it here, with the button showing "Sending…".
    const early = shownAt.current + profile.minFillSeconds * 1000 + 250 - Date.now();
    if (profile.minFillSeconds > 0 && early > 0) await new Promise((resolve) => setTimeout(resolve, early));
    const request = toCallbackRequest(values, {
      profile: profile.id,
      slots: availability.slots,
      timeZone,
      locale,
      formToken: profile.formToken,
      attributes,
      allowedAttributes: profile.attributes,
      link,
      website: honeypot.current?.value,
      captchaToken,
    });
    // A fresh token for each attempt (the host's or MSAL's cache keeps it cheap).
    const token = (await getToken?.().catch(() => null)) ?? undefined;
    const outcome = await api.submit(request, keys.current.keyFor(JSON.stringify(request)), token);
    if (outcome.kind === "unanswered") {
      onProblem?.({ title: "unreachable" });
      setAlert({ title: t.unreachableTitle, details: [t.unreachableDetail], onlyFields: false });
      return;
    }
    keys.current.answered();
    if (profile.captcha) setCaptchaGeneration((generation) => generation + 1);
    if (outcome.kind === "problem") {
      showProblem(outcome.problem, values.when, outcome.retryAfterSeconds);
      onProblem?.({ title: outcome.problem.title, status: outcome.problem.status });
      return;
    }
    onDone(toCallbackResult(outcome, request));
  }

  // The form's own checks failed: the fields say why, and the live region says it too, so that a
  // screen reader announces it whichever side (the form or the BFF) found the problem.
  function showInvalid(invalid: FieldErrors<CallbackFormInput>) {
    const codes = FIELD_ORDER.flatMap((field) => (invalid[field]?.message ? [invalid[field]!.message!] : []));
    setAlert({ title: t.checkFields, details: codes.map((code) => messageFor(code, undefined, t)), onlyFields: true });
  }

  function showProblem(problem: Problem, choice: CallbackFormValues["when"], retryAfterSeconds?: number) {
    const captchaError = problem.errors?.find((error) => error.field === "captchaToken");
    setCaptchaCode(captchaError?.code);
    const { fields, unplaced } = placeFieldErrors((problem.errors ?? []).filter((error) => error !== captchaError), choice);
    const placed = FIELD_ORDER.flatMap((field) => (fields[field] === undefined ? [] : [fields[field]!]));
    const first = FIELD_ORDER.find((field) => fields[field] !== undefined);
    for (const field of FIELD_ORDER) {
      const code = fields[field];
      // Field errors hold codes, as the schema's do; they are put into words when shown.
      if (code !== undefined) setError(field, { type: "server", message: code }, { shouldFocus: field === first });
    }
    if ((problem.errors ?? []).some((error) => STALE_TIME_CODES.has(error.code))) onTimesStale?.();
    const details = [
      ...placed.map((code) => messageFor(code, undefined, t)),
      captchaError ? messageFor(captchaError.code, captchaError.message, t) : undefined,
      ...unplaced.map((error) => messageFor(error.code, error.message, t)),
      // The BFF writes its own sentences in English; in another language the codes above say it.
      language === "en" ? problem.detail : undefined,
      retryAfterSeconds ? t.tryAgainIn(retryAfterSeconds) : undefined,
      problem.requestId ? `${t.reference}: ${problem.requestId}` : undefined,
    ].filter((text): text is string => Boolean(text));
    // Only field errors (with at most the BFF's reference for them): it goes once they are corrected.
    const onlyFields = placed.length > 0 && unplaced.length === 0 && !retryAfterSeconds;
    setAlert({ title: placed.length > 0 ? t.checkFields : t.notSent, details, onlyFields });
  }

  const errorText = (field: keyof FieldErrors<CallbackFormInput>) => {
    const error = errors[field];
    return error ? messageFor(error.message, undefined, t) : undefined;
  };
  // An alert that only repeated field errors goes once they are all corrected.
  const fieldsInError = FIELD_ORDER.filter((field) => errors[field] !== undefined).length;
  useEffect(() => {
    if (fieldsInError === 0) setAlertState((current) => (current?.onlyFields ? undefined : current));
  }, [fieldsInError]);
  // The profile's texts in the visitor's language when it gives them (the BFF records the same one).
  const lineName = localize(profile.names, locale, profile.language);
  const consentText = localize(profile.consent.texts, locale, profile.language);
  const whenError = errorText("when");
  const nameError = errorText("name");
  const consentError = errorText("consent");

  return (
    <form className="cw-form" noValidate aria-labelledby="cw-title" aria-describedby={alert ? FORM_ALERT_ID : undefined} onSubmit={handleSubmit(submit, showInvalid)}>
      <h2 id="cw-title">{t.title}</h2>
      <p className="cw-hint" lang={lineName.language} dir="auto">
        {lineName.text}
      </p>

      <fieldset className="cw-when" aria-describedby={whenError ? WHEN_ERROR_ID : undefined}>
        <legend>{t.whenLegend}</legend>
        {availability.asap && (
          <label className="cw-choice">
            <input type="radio" value="asap" {...register("when")} />
            <span>{t.asap}</span>
          </label>
        )}
        <label className="cw-choice">
          <input type="radio" value="choose" {...register("when")} />
          <span>{t.atChosenTime}</span>
        </label>
        {whenError && (
          <p id={WHEN_ERROR_ID} className="cw-error">
            {whenError}
          </p>
        )}
      </fieldset>

      {when === "choose" && (
        <SlotPicker
          days={days}
          dateLang={format.locale}
          selected={slots.field.value}
          maxWindows={profile.maxWindows}
          timeZone={timeZone}
          onTimeZoneChange={onTimeZoneChange}
          error={errorText("slots")}
          focusRef={slots.field.ref}
          onToggle={(start, checked) => {
            const chosen = slots.field.value;
            slots.field.onChange(checked ? [...chosen, start] : chosen.filter((s) => s !== start));
          }}
        />
      )}

      <div className="cw-field">
        <label htmlFor="cw-name">{t.yourName}</label>
        <input
          id="cw-name"
          type="text"
          autoComplete="name"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? NAME_ERROR_ID : undefined}
          {...register("name")}
        />
        {nameError && (
          <p id={NAME_ERROR_ID} className="cw-error">
            {nameError}
          </p>
        )}
      </div>

      <PhoneField
        countries={profile.allowedCountries}
        locale={locale}
        country={{
          value: country.field.value,
          error: errorText("country"),
          ref: country.field.ref,
          onBlur: country.field.onBlur,
          onChange(value) {
            country.field.onChange(value);
            // The number's validity depends on the country: recheck both once the visitor has tried to send.
            if (isSubmitted) void trigger(["country", "phone"]);
          },
        }}
        phone={{ value: phone.field.value, error: errorText("phone"), ref: phone.field.ref, onBlur: phone.field.onBlur, onChange: phone.field.onChange }}
        rules={rules}
      />

      <div className="cw-field cw-consent">
        <label className="cw-choice">
          <input
            type="checkbox"
            aria-invalid={consentError ? true : undefined}
            aria-describedby={consentError ? CONSENT_ERROR_ID : undefined}
            {...register("consent")}
          />
          <span lang={consentText.language} dir="auto">
            {consentText.text}
          </span>
        </label>
        {consentError && (
          <p id={CONSENT_ERROR_ID} className="cw-error">
            {consentError}
          </p>
        )}
      </div>

      {profile.captcha && (
        <CaptchaField
          settings={profile.captcha}
          generation={captchaGeneration}
          onToken={(token) => {
            setCaptchaToken(token);
            if (token) setCaptchaCode(undefined);
          }}
          error={captchaCode ? messageFor(captchaCode, undefined, t) : undefined}
          focusRef={captchaRef}
        />
      )}

      {/* A trap for bots: hidden from people and assistive technology, never focused. */}
      <div className="cw-trap" aria-hidden="true">
        <label htmlFor="cw-website">Website</label>
        <input id="cw-website" ref={honeypot} type="text" name="website" tabIndex={-1} autoComplete="off" defaultValue="" />
      </div>

      {/* Always in the page, so screen readers announce what is put into it. */}
      <div id={FORM_ALERT_ID} role="alert" className={alert ? "cw-alert" : "cw-alert-empty"}>
        {alert && (
          // Keyed by the alert's id: new nodes each time, which screen readers announce anew.
          <div key={alert.id}>
            <p className="cw-alert-title">{alert.title}</p>
            {alert.details.length <= 1 ? (
              alert.details.map((detail) => <p key={detail}>{detail}</p>)
            ) : (
              <ul className="cw-alert-list">
                {alert.details.map((detail, i) => (
                  <li key={i}>{detail}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>

      <button type="submit" className="cw-primary" disabled={isSubmitting} aria-busy={isSubmitting || undefined}>
        {isSubmitting ? t.sending : t.submit}
      </button>
    </form>
  );
}

function initialValues(profile: PublicProfile, availability: Availability, given: CallbackDefaults = {}): CallbackFormInput {
  const allowed = (code: string | undefined): code is string => code !== undefined && profile.allowedCountries.includes(code);
  const country = [given.country?.toUpperCase(), profile.defaultCountry].find(allowed) ?? profile.allowedCountries[0] ?? "";
  return {
    when: availability.asap ? "asap" : "choose",
    slots: [],
    name: given.name ?? "",
    country,
    phone: given.phone ?? "",
    consent: false,
  };
}
