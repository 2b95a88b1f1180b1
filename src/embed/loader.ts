// embed.js: the one script tag a website adds.
//   <script src="https://<bff>/embed.js" data-profile="default" async></script>
// It is small on purpose (budget: 3 KB gzip) and costs the page nothing until a widget is needed:
// it draws a launcher button (or upgrades <callback-widget profile="…"> elements placed in the page)
// and imports the widget itself (embed/widget.js) only when one is opened or scrolled near.
// It keeps a global queue API that works before it has loaded, like the usual analytics snippets:
//   window.CallbackWidget = window.CallbackWidget || function () { (CallbackWidget.q = CallbackWidget.q || []).push(arguments) };
//   CallbackWidget("prefill", { name: "Ada", attributes: { orderNumber: "42" } });
//   CallbackWidget("getAuthToken", () => portal.accessTokenFor("api://…/Callback.Request"));
import { type AuthTokenSource, type HostCommandMap, type HostMessage, type MessageBody, type Prefill, type WidgetEventName } from "../shared/events";
import { prefetchWidgetData } from "../widget/prefetch";
import type { FrameHost } from "./frames";
import type { MountOptions, WidgetController } from "./widget-element";

type WidgetModule = typeof import("./widget-element");
type DataModule = typeof import("../widget/first-answers");
type FramesModule = typeof import("./frames");
type Api = ((command: keyof HostCommandMap, argument?: unknown) => void) & { q?: IArguments[]; loaded?: boolean };

declare global {
  interface Window {
    CallbackWidget?: Api;
  }
}

const script = document.currentScript as HTMLScriptElement | null;

// Included twice (a tag manager and a template, say): the second copy does nothing.
if (!window.CallbackWidget?.loaded && script) {
  const data = script.dataset;
  const apiBase = data.api ?? new URL(script.src).origin;
  const state: { prefill?: Prefill; locale?: string; getAuthToken?: AuthTokenSource } = { locale: data.locale };
  const controllers = new Set<WidgetController>();
  // data-theme="dark|light|auto", data-accent, data-radius, data-font on the script or the element.
  const themeOf = (d: DOMStringMap) =>
    Object.fromEntries(Object.entries({ mode: d.theme, accent: d.accent, radius: d.radius, font: d.font }).filter(([, v]) => v)) as MountOptions["theme"];
  const theme = themeOf(data);
  let module: Promise<WidgetModule> | undefined;
  const load = () => (module ??= import(/* @vite-ignore */ new URL("embed/widget.js", script.src).href) as Promise<WidgetModule>);
  let checker: Promise<DataModule> | undefined;
  // The profile and times, asked for at once and checked as soon as their checker (embed/data.js,
  // small) has arrived, while widget.js is still on its way.
  const prepare = (base: string, name: string) => {
    prefetchWidgetData(base, name);
    (checker ??= import(/* @vite-ignore */ new URL("embed/data.js", script.src).href) as Promise<DataModule>).then((m) => m.checkFirstAnswers(base, name), () => undefined);
  };

  const emit = (target: EventTarget, name: WidgetEventName, profile: string) =>
    target.dispatchEvent(new CustomEvent(name, { detail: { profile }, bubbles: true, composed: true }));

  class CallbackWidgetElement extends HTMLElement {
    private controller?: WidgetController;
    private pendingUnmount = false;
    private observer?: IntersectionObserver;

    private options(): MountOptions {
      return {
        profile: this.getAttribute("profile") ?? data.profile ?? "default",
        apiBase: this.getAttribute("api") ?? apiBase,
        locale: this.getAttribute("locale") ?? state.locale,
        prefill: state.prefill,
        getAuthToken: state.getAuthToken,
        theme: { ...theme, ...themeOf(this.dataset) },
      };
    }

    connectedCallback() {
      // Moved within the page (a framework re-parenting it): keep the widget as it is.
      if (this.controller) {
        this.pendingUnmount = false;
        return;
      }
      const start = () => {
        const options = this.options();
        prepare(options.apiBase, options.profile);
        void load().then((m) => {
          if (this.isConnected && !this.controller) {
            this.controller = m.mount(this, this.options());
            controllers.add(this.controller);
          }
        });
      };
      // Load when the element comes near the viewport: below the fold it costs nothing.
      this.observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          this.observer?.disconnect();
          start();
        }
      }, { rootMargin: "200px" });
      this.observer.observe(this);
    }

    disconnectedCallback() {
      this.observer?.disconnect();
      // Unmount a moment later, so a single-page app's re-render that moves us does not.
      this.pendingUnmount = true;
      queueMicrotask(() => {
        if (!this.pendingUnmount || this.isConnected || !this.controller) return;
        this.pendingUnmount = false;
        controllers.delete(this.controller);
        this.controller.unmount();
        this.controller = undefined;
      });
    }
  }
  if (!customElements.get("callback-widget")) customElements.define("callback-widget", CallbackWidgetElement);

  // ---------- the launcher ----------
  // Its two words in the widget's languages (the widget itself carries full catalogues).
  const WORDS: Record<string, [string, string]> = {
    en: ["Request a callback", "Close"],
    fr: ["Demander un rappel", "Fermer"],
    de: ["Rückruf anfordern", "Schließen"],
    es: ["Solicitar una llamada", "Cerrar"],
    ar: ["طلب معاودة الاتصال", "إغلاق"],
  };
  const words = () => WORDS[(state.locale || document.documentElement.lang || navigator.language).slice(0, 2).toLowerCase()] ?? WORDS.en!;
  let panel: HTMLElement | undefined;
  let launcher: HTMLButtonElement | undefined;
  const profile = data.profile ?? "default";

  function drawLauncher(): void {
    if (launcher) return;
    const host = document.createElement("div");
    host.setAttribute("data-callback-widget-launcher", "");
    if (data.accent) host.style.setProperty("--cw-accent", data.accent);
    // Where it sits is themable like the rest: --cw-launcher-left, -right and -bottom, set by the
    // host's CSS on the page or this element; data-position="bottom-left" sets them here.
    if (data.position === "bottom-left") host.style.cssText += "--cw-launcher-left:20px;--cw-launcher-right:auto";
    const shadow = host.attachShadow({ mode: "open" });
    // The panel around the widget follows the same light or dark choice.
    const scheme = data.theme === "dark" || data.theme === "light" ? data.theme : "light dark";
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`:host{all:initial}
.l,.p{position:fixed;left:var(--cw-launcher-left,auto);right:var(--cw-launcher-right,20px);z-index:2147483000}
.l{bottom:var(--cw-launcher-bottom,20px);display:flex}
button{all:initial;box-sizing:border-box;min-height:48px;padding:12px 20px;border-radius:999px;background:var(--cw-accent,#0b5cad);color:var(--cw-accent-text,#fff);font:600 16px/1.4 system-ui,sans-serif;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}
button:focus-visible{outline:3px solid #1b1b1f;outline-offset:3px}
.p{bottom:calc(var(--cw-launcher-bottom,20px) + 60px);box-sizing:border-box;width:min(400px,calc(100vw - 40px));height:min(640px,calc(100vh - var(--cw-launcher-bottom,20px) - 90px));overflow:auto;color-scheme:${scheme};background:Canvas;color:CanvasText;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3)}
.x{color-scheme:inherit;display:block;margin:8px 8px 0 auto;min-height:32px;padding:4px 12px;border-radius:8px;background:transparent;color:CanvasText;box-shadow:none;font-weight:400}
@media (pointer:coarse){.x{min-height:44px;min-width:44px}}
.p{animation:a .2s ease-out}@keyframes a{from{transform:translateY(12px)}}
@media (prefers-reduced-motion:reduce){.p{animation:none}}
[hidden]{display:none}`);
    shadow.adoptedStyleSheets = [sheet];
    const layout = document.createElement("div");
    layout.className = "l";
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.textContent = data.label ?? words()[0];
    launcher.setAttribute("aria-expanded", "false");
    launcher.addEventListener("click", () => (panel && !panel.hidden ? close() : open()));
    // A click mostly comes a moment after the visitor points at the launcher or tabs to it: the
    // widget's code is asked for then, and its data once they press (still fresh when it shows).
    launcher.addEventListener("pointerenter", () => void load(), { once: true });
    launcher.addEventListener("focus", () => void load(), { once: true });
    launcher.addEventListener("pointerdown", () => prepare(apiBase, profile), { once: true });
    layout.append(launcher);
    shadow.append(layout);
    document.body.append(host);
  }

  // The panel opens at its final size (its content scrolls) and out of the launcher's flow, so
  // opening and loading move nothing, not even the launcher.
  function open(): void {
    if (!launcher) drawLauncher();
    if (!panel) {
      panel = document.createElement("div");
      panel.className = "p";
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-label", data.label ?? words()[0]);
      const closer = document.createElement("button");
      closer.className = "x";
      closer.type = "button";
      closer.textContent = words()[1];
      closer.addEventListener("click", close);
      panel.addEventListener("keydown", (event) => event.key === "Escape" && close());
      // The widget's code and its data, asked for together and at once, not when it shows.
      prepare(apiBase, profile);
      void load();
      const widget = document.createElement("callback-widget");
      widget.setAttribute("profile", profile);
      panel.append(closer, widget);
      launcher!.before(panel);
    }
    panel.hidden = false;
    launcher!.setAttribute("aria-expanded", "true");
    // The panel is fixed in the viewport: nothing to scroll to, and no layout to force for it.
    (panel.firstElementChild as HTMLElement).focus({ preventScroll: true });
    emit(launcher!, "callback-widget:open", profile);
  }

  function close(): void {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    launcher!.setAttribute("aria-expanded", "false");
    launcher!.focus();
    emit(launcher!, "callback-widget:close", profile);
  }

  // ---------- iframes: <iframe data-callback-widget data-profile="…"> ----------
  // Their helper (frames.ts) is fetched only when the page has such a frame.
  let frameHost: Promise<FrameHost> | undefined;
  const attachFrames = () => {
    if (!frameHost && !document.querySelector("iframe[data-callback-widget]")) return;
    frameHost ??= (import(/* @vite-ignore */ new URL("embed/frames.js", script.src).href) as Promise<FramesModule>).then((m) =>
      m.createFrameHost(apiBase, state, (frame) => {
        // The frame's address says ?theme= for the look's mode, as data-theme does.
        const { mode, ...look } = { ...theme, ...themeOf(frame.dataset) };
        return { profile: frame.dataset.profile ?? profile, locale: state.locale ?? document.documentElement.lang, theme: mode, ...look };
      }),
    );
    void frameHost.then((host) => host.attach());
  };
  const tellFrames = (message: MessageBody<HostMessage>) => void frameHost?.then((host) => host.tell(message));

  // ---------- the global API ----------
  const queued = window.CallbackWidget?.q ?? [];
  const api: Api = (command, argument) => {
    if (command === "open") open();
    else if (command === "close") close();
    else if (command === "prefill") {
      state.prefill = { ...state.prefill, ...(argument as Prefill) };
      tellFrames({ type: "prefill", prefill: state.prefill });
    } else if (command === "setLocale") {
      state.locale = argument as string;
      tellFrames({ type: "setLocale", locale: state.locale });
    } else if (command === "getAuthToken" && typeof argument === "function") {
      state.getAuthToken = argument as AuthTokenSource;
      tellFrames({ type: "auth", available: true });
    }
    if (command === "prefill" || command === "setLocale" || command === "getAuthToken") {
      for (const c of controllers) c.update({ prefill: state.prefill, locale: state.locale, getAuthToken: state.getAuthToken });
    }
  };
  api.loaded = true;
  window.CallbackWidget = api;

  // The queue is replayed once the page has a body: an early "open" then opens the one launcher.
  const start = () => {
    if (data.launcher !== "false") drawLauncher();
    attachFrames();
    new MutationObserver(attachFrames).observe(document.body, { childList: true, subtree: true });
    for (const args of queued) api(args[0], args[1]);
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
}
