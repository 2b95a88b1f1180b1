// Rendered to static HTML (the unit tests run in Node, without a DOM): what assistive technology gets.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { createSlotFormatter, groupSlotsByDay } from "./slot-groups";
import { SlotPicker } from "./SlotPicker";

const slots = ["13:00", "13:30", "14:00", "14:30"].map((time, i) => ({
  start: `2026-03-10T${time}:00.000Z`,
  end: new Date(Date.parse(`2026-03-10T${time}:00.000Z`) + 30 * 60_000).toISOString(),
  available: i !== 2,
}));
const days = groupSlotsByDay(slots, createSlotFormatter("en-GB", "UTC"));
const render = (selected: string[], error?: string) =>
  renderToStaticMarkup(<SlotPicker days={days} dateLang="en-GB" selected={selected} maxWindows={2} timeZone="UTC" error={error} onToggle={() => undefined} />);
// Accessible names end with the slot's state: ", available" or ", fully booked".
const checkbox = (html: string, name: string) => html.match(new RegExp(`<input[^>]*aria-label="${name}, (available|fully booked)"[^>]*>`))?.[0] ?? "";

describe("SlotPicker", () => {
  it("shows one fieldset per day with the day as its legend and a checkbox named by sentence per slot", () => {
    const html = render([]);
    expect(html).toContain('<fieldset class="cw-day"><legend lang="en-GB">Tuesday 10 March</legend>');
    expect(checkbox(html, "Tuesday 10 March, 13:00 to 13:30")).toContain('type="checkbox"');
    expect(html).toContain("13:00 – 13:30");
    expect(html).toContain("Times are in your time zone (UTC).");
  });

  it("disables slots that are taken", () => {
    const html = render([]);
    expect(checkbox(html, "Tuesday 10 March, 14:00 to 14:30")).toContain("disabled");
    expect(checkbox(html, "Tuesday 10 March, 14:00 to 14:30")).toContain("fully booked");
    expect(checkbox(html, "Tuesday 10 March, 13:00 to 13:30")).not.toContain("disabled");
  });

  it("disables the rest once the maximum is chosen, and says so", () => {
    const html = render([slots[0]!.start, slots[1]!.start]);
    expect(checkbox(html, "Tuesday 10 March, 13:00 to 13:30")).not.toContain("disabled");
    expect(checkbox(html, "Tuesday 10 March, 14:30 to 15:00")).toContain("disabled");
    expect(html).toContain("You have chosen 2 times, the most we accept");
  });

  it("ties its error to the group and the checkboxes", () => {
    const html = render([], "Choose at least one time, or ask for a call as soon as possible.");
    expect(html).toContain('<fieldset class="cw-slots" aria-describedby="cw-slots-hint cw-slots-error">');
    expect(html).toContain('<p id="cw-slots-error" class="cw-error">Choose at least one time');
    expect(checkbox(html, "Tuesday 10 March, 13:00 to 13:30")).toContain('aria-describedby="cw-slots-error"');
  });
});
