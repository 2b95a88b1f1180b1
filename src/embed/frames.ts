// The host page's side of the iframe embed (<iframe data-callback-widget data-profile="…">),
// imported by embed.js only on pages that have such a frame, so pages with just the launcher do
// not pay for it. It points each frame at the BFF, keeps it as tall as its content, turns the
// frame's messages into the same DOM events as the launcher's, and passes on what the page asked
// (prefill, language, its sign-in token). It listens only to that frame's window, from the BFF's
// origin, and posts only to that origin.
import { isFrameMessage, PROTOCOL_VERSION, type AuthTokenSource, type HostMessage, type MessageBody, type Prefill } from "../shared/events";

/** What the page asked through the embed API, shared with the loader (it keeps changing). */
export interface HostState {
  prefill?: Prefill;
  locale?: string;
  getAuthToken?: AuthTokenSource;
}

export interface FrameHost {
  /** Takes on the page's frames not seen yet. */
  attach(): void;
  /** Tells every frame that is ready. */
  tell(message: MessageBody<HostMessage>): void;
}

/** `query(frame)`: the profile, language and look a frame's address carries. */
export function createFrameHost(apiBase: string, state: HostState, query: (frame: HTMLIFrameElement) => Record<string, string | undefined>): FrameHost {
  const frames = new Map<HTMLIFrameElement, string>();
  // Frames that said "ready": before that, a frame's window may still be its first about:blank,
  // which a message would not reach (the browser only warns). A frame hears the page's state on "ready".
  const ready = new WeakSet<HTMLIFrameElement>();

  function post(frame: HTMLIFrameElement, message: MessageBody<HostMessage>): void {
    frame.contentWindow?.postMessage({ source: "callback-widget-host", version: PROTOCOL_VERSION, ...message }, frames.get(frame)!);
  }

  window.addEventListener("message", (event) => {
    for (const [frame, origin] of frames) {
      if (event.source !== frame.contentWindow || event.origin !== origin || !isFrameMessage(event.data)) continue;
      const message = event.data;
      if (message.type === "resize") frame.style.height = `${Math.ceil(message.height)}px`;
      else if (message.type === "authTokenRequest") {
        // The host's token goes to this frame's origin (the BFF's) and nowhere else.
        const id = message.id;
        void Promise.resolve()
          .then(() => state.getAuthToken?.())
          .catch(() => null)
          .then((token) => post(frame, { type: "authToken", id, token: typeof token === "string" ? token : null }));
      } else frame.dispatchEvent(new CustomEvent(`callback-widget:${message.type}`, { detail: message.detail, bubbles: true }));
      // A frame that just got ready hears what the page asked before it was there.
      if (message.type === "ready") {
        ready.add(frame);
        if (state.prefill) post(frame, { type: "prefill", prefill: state.prefill });
        if (state.locale) post(frame, { type: "setLocale", locale: state.locale });
        if (state.getAuthToken) post(frame, { type: "auth", available: true });
      }
    }
  });

  return {
    attach() {
      document.querySelectorAll<HTMLIFrameElement>("iframe[data-callback-widget]").forEach((frame) => {
        if (frames.has(frame)) return;
        if (!frame.getAttribute("src")) {
          const search = new URLSearchParams({ parentOrigin: location.origin });
          for (const [key, value] of Object.entries(query(frame))) if (value) search.set(key, value);
          frame.src = `${apiBase}/embed/iframe?${search}`;
        }
        frame.style.border = "0";
        frame.style.width = "100%";
        frames.set(frame, new URL(frame.src, location.href).origin);
      });
    },
    tell(message) {
      for (const frame of frames.keys()) if (ready.has(frame)) post(frame, message);
    },
  };
}
