// The calendar invite a visitor can add after requesting a callback: one event per window (the
// call may come in any of them), with the reference and, named as such, the link to cancel. That
// link opens the request's page asking whether to cancel: a click in a calendar never cancels by
// itself (nor does a mail scanner following every link). Made with `ics`, loaded on the first
// invite asked for: it brings a validation library (yup) the BFF would otherwise hold in memory
// for nothing.
import type { CallbackLinks } from "../shared/schemas";
import type { CallbackRecord } from "./store/types";

interface InviteWords {
  title(line: string): string;
  reference: string;
  cancel: string;
  follow: string;
}

const WORDS: Record<string, InviteWords> = {
  en: { title: (line) => `Callback from ${line}`, reference: "Reference", cancel: "To cancel this callback", follow: "Its status" },
  fr: { title: (line) => `Rappel de ${line}`, reference: "Référence", cancel: "Pour annuler ce rappel", follow: "Son état" },
  de: { title: (line) => `Rückruf von ${line}`, reference: "Referenz", cancel: "Um diesen Rückruf abzusagen", follow: "Sein Status" },
  es: { title: (line) => `Llamada de ${line}`, reference: "Referencia", cancel: "Para cancelar esta llamada", follow: "Su estado" },
  ar: { title: (line) => `معاودة اتصال من ${line}`, reference: "المرجع", cancel: "لإلغاء معاودة الاتصال هذه", follow: "حالتها" },
};

export async function callbackInvite(record: CallbackRecord, line: string, links: Pick<CallbackLinks, "manage" | "cancelPage">): Promise<string> {
  const { createEvents } = await import("ics");
  const words = WORDS[(record.locale ?? "en").split("-")[0]!.toLowerCase()] ?? WORDS.en!;
  const description = [`${words.reference}: ${record.deliveryId ?? record.id}`, `${words.cancel}: ${links.cancelPage}`, `${words.follow}: ${links.manage}`].join("\n");
  const { error, value } = createEvents(
    record.windows.map((window, index) => ({
      uid: `${record.id}-${index}@callback-widget`,
      productId: "callback-widget",
      title: words.title(line),
      description,
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
