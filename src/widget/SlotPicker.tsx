// The time slots, one group of checkboxes per day in the visitor's zone (a native pattern that
// screen readers announce well). Once the profile's maximum is chosen, the rest are disabled.
import type { DayGroup } from "./slot-groups";
import { useI18n } from "./i18n";
import { TimeZoneField } from "./TimeZoneField";

export interface SlotPickerProps {
  days: readonly DayGroup[];
  /** The language the dates are written in. */
  dateLang?: string;
  /** Start instants of the chosen slots. */
  selected: readonly string[];
  maxWindows: number;
  timeZone: string;
  onTimeZoneChange?(zone: string): void;
  error?: string;
  onToggle(start: string, checked: boolean): void;
  /** Lets the form focus the picker when it needs attention. */
  focusRef?: (element: HTMLElement | null) => void;
}

export const SLOTS_HINT_ID = "cw-slots-hint";
export const SLOTS_ERROR_ID = "cw-slots-error";

export function SlotPicker({ days, dateLang, selected, maxWindows, timeZone, onTimeZoneChange, error, onToggle, focusRef }: SlotPickerProps) {
  const { t } = useI18n();
  const full = selected.length >= maxWindows;
  const describedBy = error ? `${SLOTS_HINT_ID} ${SLOTS_ERROR_ID}` : SLOTS_HINT_ID;
  // The first control that can take focus, for the form to move to when the picker has an error.
  const firstEnabled = days.flatMap((day) => day.slots).find((slot) => slot.available && (!full || selected.includes(slot.start)))?.start;
  return (
    <fieldset className="cw-slots" aria-describedby={describedBy}>
      <legend>{t.chooseTimes(maxWindows)}</legend>
      <p id={SLOTS_HINT_ID} className="cw-hint">
        <TimeZoneField timeZone={timeZone} onChange={onTimeZoneChange} />
        {full && t.chosenMost(maxWindows)}
      </p>
      {days.length === 0 && <p className="cw-hint">{t.noTimes}</p>}
      {days.map((day) => (
        <fieldset key={day.date} className="cw-day">
          <legend lang={dateLang}>{day.label}</legend>
          <div className="cw-day-slots">
            {day.slots.map((slot) => {
              const checked = selected.includes(slot.start);
              return (
                <label key={slot.start} className={slot.available ? "cw-slot" : "cw-slot cw-slot-taken"}>
                  <input
                    ref={slot.start === firstEnabled ? focusRef : undefined}
                    type="checkbox"
                    value={slot.start}
                    checked={checked}
                    disabled={!slot.available || (full && !checked)}
                    aria-label={slot.accessibleName}
                    aria-describedby={error ? SLOTS_ERROR_ID : undefined}
                    onChange={(event) => onToggle(slot.start, event.target.checked)}
                  />
                  <span aria-hidden="true">{slot.timeLabel}</span>
                </label>
              );
            })}
          </div>
        </fieldset>
      ))}
      {error && (
        <p id={SLOTS_ERROR_ID} className="cw-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
