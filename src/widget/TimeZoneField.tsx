// "Times are in your time zone (X). Change": the detected zone, and a searchable list of every zone
// the browser knows (a native input + datalist, which keyboards and screen readers handle).
import { useId, useMemo, useState } from "react";
import { useI18n } from "./i18n";

export interface TimeZoneFieldProps {
  timeZone: string;
  onChange?(zone: string): void;
}

export function TimeZoneField({ timeZone, onChange }: TimeZoneFieldProps) {
  const { t, locale } = useI18n();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(timeZone);
  const listId = useId();
  const zones = useMemo(() => (editing ? Intl.supportedValuesOf("timeZone") : []), [editing]);
  const described = t.timesInZone(zoneName(timeZone, locale));
  if (!onChange) return <>{described}</>;
  if (!editing) {
    return (
      <>
        {described}{" "}
        <button type="button" className="cw-link" onClick={() => (setText(timeZone), setEditing(true))}>
          {t.changeZone}
        </button>
      </>
    );
  }
  const choose = (value: string) => {
    setText(value);
    const zone = knownZone(value, zones);
    if (zone) {
      onChange(zone);
      setEditing(false);
    }
  };
  return (
    <span className="cw-zone">
      <label htmlFor={`${listId}-input`}>{t.timeZone}</label>
      <input id={`${listId}-input`} list={listId} value={text} autoFocus autoComplete="off" spellCheck={false} onChange={(event) => choose(event.target.value)} />
      <datalist id={listId}>
        {zones.map((zone) => (
          <option key={zone} value={zone} label={zoneName(zone, locale)} />
        ))}
      </datalist>
    </span>
  );
}

/**
 * The listed zone a typed name stands for. Browsers list some zones by their old names
 * (Asia/Calcutta, Europe/Kiev): the current one (Asia/Kolkata, Europe/Kyiv) is found through Intl.
 */
export function knownZone(value: string, zones: readonly string[]): string | undefined {
  if (zones.includes(value)) return value;
  if (!value.includes("/")) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
    return zones.includes(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/** "Central European Time (Europe/Paris)", the zone's name in the visitor's language. */
export function zoneName(zone: string, locale: string): string {
  const name = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "longGeneric" }).formatToParts(new Date()).find((part) => part.type === "timeZoneName")?.value;
  // Zones without a name of their own come back as "GMT+00:00": their id says more.
  return name && name !== zone && !/^(GMT|UTC)\b/.test(name) ? `${name}, ${zone}` : zone;
}
