// Time windows: half-open [start, end) intervals of epoch milliseconds, and the two ways they
// travel: our public API's ISO instants, and the Dataverse action's `{Start, End}` whose End is
// the last millisecond of the window (the documented sample ends at 15:59:59.999Z).

export interface TimeSpan {
  start: number;
  end: number;
}

export interface PublicWindow {
  start: string;
  end: string;
}

export interface ActionWindow {
  Start: string;
  End: string;
}

/** `yyyy-MM-ddTHH:mm:ss.fffZ`, the only instant format the action accepts. */
export const ACTION_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function formatActionInstant(instant: number): string {
  const text = new Date(instant).toISOString();
  // toISOString switches to a six-digit signed year outside 0000-9999.
  if (!ACTION_INSTANT.test(text)) throw new RangeError(`instant out of range: ${text}`);
  return text;
}

/** Sorts windows and merges those that touch or overlap into one. */
export function mergeAdjacent(spans: readonly TimeSpan[]): TimeSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const merged: TimeSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

export function toActionWindows(spans: readonly TimeSpan[]): ActionWindow[] {
  return mergeAdjacent(spans).map((span) => ({
    Start: formatActionInstant(span.start),
    End: formatActionInstant(span.end - 1),
  }));
}

export function fromActionWindows(windows: readonly ActionWindow[]): TimeSpan[] {
  return windows.map((w) => ({ start: Date.parse(w.Start), end: Date.parse(w.End) + 1 }));
}

export function toPublicWindow(span: TimeSpan): PublicWindow {
  return { start: new Date(span.start).toISOString(), end: new Date(span.end).toISOString() };
}

export function fromPublicWindow(window: PublicWindow): TimeSpan {
  return { start: Date.parse(window.start), end: Date.parse(window.end) };
}

/** True when any two spans share at least one instant (touching ends do not overlap). */
export function hasOverlap(spans: readonly TimeSpan[]): boolean {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  return sorted.some((span, i) => i > 0 && span.start < sorted[i - 1]!.end);
}
