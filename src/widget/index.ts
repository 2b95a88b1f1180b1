// The package's entry for React hosts: the same widget the embeds render, as a typed component.
//   import { CallbackWidget } from "callback-widget";
//   import "callback-widget/widget.css";
//   <CallbackWidget profile="default" apiBase="https://callbacks.example.com" onSubmitted={(r) => …} />
// Pages that are not React apps use the script tag (callback-widget/embed.js) instead.
import "./widget.css";

export { CallbackWidget } from "./CallbackWidget";
export type { CallbackDefaults, CallbackResult, CallbackWidgetProps } from "./CallbackWidget";
export type { Prefill, SubmittedDetail, WidgetEventMap, WidgetEventName } from "../shared/events";

export interface EmbedScriptOptions {
  /** The BFF's origin, e.g. https://callbacks.example.com */
  bff: string;
  profile?: string;
  /** false: no launcher button (inline <callback-widget> elements and iframes only). */
  launcher?: boolean;
  label?: string;
  position?: "bottom-right" | "bottom-left";
  locale?: string;
}

/** Adds the script-tag embed to the page (once), for hosts that load it from code. */
export function loadEmbedScript(options: EmbedScriptOptions): HTMLScriptElement {
  const src = `${options.bff.replace(/\/+$/, "")}/embed.js`;
  const existing = document.querySelector<HTMLScriptElement>(`script[src="${src}"]`);
  if (existing) return existing;
  const script = document.createElement("script");
  script.src = src;
  script.async = true;
  if (options.profile) script.dataset.profile = options.profile;
  if (options.launcher === false) script.dataset.launcher = "false";
  if (options.label) script.dataset.label = options.label;
  if (options.position) script.dataset.position = options.position;
  if (options.locale) script.dataset.locale = options.locale;
  document.head.append(script);
  return script;
}
