// Country and phone number. The number is formatted as it is typed, the way it is written in the
// chosen country; only while typing at the end, so editing in the middle never makes the caret jump
// and deleting a space or bracket is not undone by the formatter. The rules arrive just after the
// form is shown (use-phone-rules.ts): until then the number is taken as typed.
import { useEffect, useMemo, useState, type ChangeEvent } from "react";
import { afterPaint } from "./after-paint";
import { useI18n } from "./i18n";
import type { PhoneRules } from "./phone-rules";

export interface ControlProps<T> {
  value: T;
  error?: string;
  onChange(value: T): void;
  onBlur(): void;
  /** Lets the form focus the control that needs attention. */
  ref?: (element: HTMLElement | null) => void;
}

export interface PhoneFieldProps {
  countries: readonly string[];
  locale?: string;
  country: ControlProps<string>;
  phone: ControlProps<string>;
  rules?: PhoneRules;
}

export const COUNTRY_ERROR_ID = "cw-country-error";
export const PHONE_ERROR_ID = "cw-phone-error";

/** "France (+33)" in the visitor's language ("France" until the phone rules have arrived). */
export function countryOptionLabel(code: string, names: Intl.DisplayNames, rules?: PhoneRules): string {
  const name = names.of(code) ?? code;
  const callingCode = rules?.callingCode(code);
  return callingCode ? `${name} (+${callingCode})` : name;
}

export function PhoneField({ countries, locale, country, phone, rules }: PhoneFieldProps) {
  const { t } = useI18n();
  // The countries' names come just after the form is first painted (their codes until then): the
  // page's first Intl formatter loads the locale's data, which would hold the form back.
  const [names, setNames] = useState<Intl.DisplayNames>();
  useEffect(() => afterPaint(() => setNames(new Intl.DisplayNames(locale ? [locale, "en"] : ["en"], { type: "region", fallback: "code" }))), [locale]);
  const options = useMemo(() => countries.map((code) => ({ code, label: names ? countryOptionLabel(code, names, rules) : code })), [countries, names, rules]);

  function onPhoneChange(event: ChangeEvent<HTMLInputElement>) {
    const input = event.target;
    const typingAtEnd = input.selectionStart === input.value.length && input.value.length > phone.value.length;
    phone.onChange(typingAtEnd && rules ? rules.format(input.value, country.value) : input.value);
  }

  return (
    <div className="cw-phone">
      <div className="cw-field">
        <label htmlFor="cw-country">{t.country}</label>
        <select
          id="cw-country"
          ref={country.ref}
          value={country.value}
          aria-invalid={country.error ? true : undefined}
          aria-describedby={country.error ? COUNTRY_ERROR_ID : undefined}
          onChange={(event) => country.onChange(event.target.value)}
          onBlur={country.onBlur}
        >
          {options.map(({ code, label }) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
        {country.error && (
          <p id={COUNTRY_ERROR_ID} className="cw-error">
            {country.error}
          </p>
        )}
      </div>
      <div className="cw-field">
        <label htmlFor="cw-phone">{t.phoneNumber}</label>
        <input
          id="cw-phone"
          ref={phone.ref}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={phone.value}
          aria-invalid={phone.error ? true : undefined}
          aria-describedby={phone.error ? PHONE_ERROR_ID : undefined}
          onChange={onPhoneChange}
          onBlur={phone.onBlur}
        />
        {phone.error && (
          <p id={PHONE_ERROR_ID} className="cw-error">
            {phone.error}
          </p>
        )}
      </div>
    </div>
  );
}
