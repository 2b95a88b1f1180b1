// The calendar invite a visitor can add after requesting a callback: one event per window (the
// call may come in any of them), with the reference and the link to cancel. Made with `ics`.
import { createEvents } from "ics";
import type { CallbackRecord } from "./store/types";

const TITLES: Record<string, (line: string) => string> = {
  en: (line) => `Callback from ${line}`,
  fr: (line) => `Rappel de ${line}`,
  de: (line) => `Rückruf von ${line}`,
  es: (line) => `Llamada de ${line}`,
  ar: (line) => `معاودة اتصال من ${line}`,
};

export function callbackInvite(record: CallbackRecord, line: string, links: { manage: string }): string {
  const title = (TITLES[(record.locale ?? "en").split("-")[0]!] ?? TITLES.en!)(line);
  const { error, value } = createEvents(
    record.windows.map((window, index) => ({
      uid: `${record.id}-${index}@callback-widget`,
      productId: "callback-widget",
      title,
      description: `Reference: ${record.deliveryId ?? record.id}\nSee or cancel: ${links.manage}`,
      url: links.manage,
      start: Date.parse(window.start),
      startInputType: "utc" as const,
      startOutputType: "utc" as const,
      end: Date.parse(window.end),
      endInputType: "utc" as const,
      endOutputType: "utc" as const,
      status: "CONFIRMED" as const,
      busyStatus: "FREE" as const,
    })),
  );
  if (error || !value) throw error ?? new Error("could not write the invite");
  return value;
}
