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

/**
 * The host page's own sign-in (a portal that signed its user in with MSAL, say): the widget calls
 * it whenever it needs an access token for the BFF's API, and gets null when nobody is signed in.
 */
export type AuthTokenSource = () => Promise<string | null | undefined> | string | null | undefined;

export interface HostCommandMap {
  open: undefined;
  close: undefined;
  prefill: Prefill;
  setLocale: string;
  getAuthToken: AuthTokenSource;
}

// ---------- the iframe's postMessage protocol, version 1 ----------
// Message types may be added to a version (a side ignores types it does not know); an existing
// message's shape never changes within one.

export const PROTOCOL_VERSION = 1;

/** Widget (iframe) to host page. */
export type FrameMessage =
  | { source: "callback-widget"; version: 1; type: "resize"; height: number }
  | { source: "callback-widget"; version: 1; type: "ready"; detail: WidgetEventMap["callback-widget:ready"] }
  | { source: "callback-widget"; version: 1; type: "submitted"; detail: SubmittedDetail }
  | { source: "callback-widget"; version: 1; type: "close"; detail: WidgetEventMap["callback-widget:close"] }
  | { source: "callback-widget"; version: 1; type: "error"; detail: WidgetEventMap["callback-widget:error"] }
  /** The widget needs the host's token (after an `auth` message saying the host has one). */
  | { source: "callback-widget"; version: 1; type: "authTokenRequest"; id: string };

/** Host page to widget (iframe). */
export type HostMessage =
  | { source: "callback-widget-host"; version: 1; type: "prefill"; prefill: Prefill }
  | { source: "callback-widget-host"; version: 1; type: "setLocale"; locale: string }
  /** The host can hand over tokens (it called CallbackWidget("getAuthToken", …)). */
  | { source: "callback-widget-host"; version: 1; type: "auth"; available: boolean }
  /** The answer to an `authTokenRequest`, posted to the frame's origin only; null: not signed in. */
  | { source: "callback-widget-host"; version: 1; type: "authToken"; id: string; token: string | null };

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
