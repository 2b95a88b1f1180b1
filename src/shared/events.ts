// The one map of what the widget tells its host, whatever the embedding: DOM CustomEvents for the
// script-tag embed and the custom element, postMessage for the iframe. Payloads are never changed
// in place: a new shape is a new protocol version.

export interface SubmittedDetail {
  profile: string;
  requestId: string;
  /** Dataverse's delivery id, once scheduled (absent while queued). */
  deliveryId?: string;
  status: "scheduled" | "queued";
  windows: Array<{ start: string; end: string }>;
}

export interface WidgetEventMap {
  "callback-widget:ready": { profile: string };
  "callback-widget:open": { profile: string };
  "callback-widget:close": { profile: string };
  "callback-widget:submitted": SubmittedDetail;
  "callback-widget:error": { profile: string; stage: "load" | "submit"; title: string; status?: number };
}

export type WidgetEventName = keyof WidgetEventMap;

/** What the host page can ask of a widget (the global API's commands, and iframe messages). */
export interface Prefill {
  name?: string;
  phone?: string;
  country?: string;
  attributes?: Record<string, string>;
}

export interface HostCommandMap {
  open: undefined;
  close: undefined;
  prefill: Prefill;
  setLocale: string;
}

// ---------- the iframe's postMessage protocol, version 1 ----------

export const PROTOCOL_VERSION = 1;

/** Widget (iframe) to host page. */
export type FrameMessage =
  | { source: "callback-widget"; version: 1; type: "resize"; height: number }
  | { source: "callback-widget"; version: 1; type: "ready"; detail: WidgetEventMap["callback-widget:ready"] }
  | { source: "callback-widget"; version: 1; type: "submitted"; detail: SubmittedDetail }
  | { source: "callback-widget"; version: 1; type: "close"; detail: WidgetEventMap["callback-widget:close"] }
  | { source: "callback-widget"; version: 1; type: "error"; detail: WidgetEventMap["callback-widget:error"] };

/** Host page to widget (iframe). */
export type HostMessage =
  | { source: "callback-widget-host"; version: 1; type: "prefill"; prefill: Prefill }
  | { source: "callback-widget-host"; version: 1; type: "setLocale"; locale: string };

/** A message without its envelope (what a sender fills in). */
export type MessageBody<M> = M extends unknown ? Omit<M, "source" | "version"> : never;

export function isFrameMessage(data: unknown): data is FrameMessage {
  const message = data as Partial<FrameMessage> | null;
  return typeof message === "object" && message !== null && message.source === "callback-widget" && message.version === PROTOCOL_VERSION && typeof message.type === "string";
}

export function isHostMessage(data: unknown): data is HostMessage {
  const message = data as Partial<HostMessage> | null;
  return typeof message === "object" && message !== null && message.source === "callback-widget-host" && message.version === PROTOCOL_VERSION && typeof message.type === "string";
}
