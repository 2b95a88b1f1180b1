// The widget inside a shadow root, for pages we do not control. The loader (loader.ts) imports this
// module only when a widget is actually needed, and calls `mount` on a host element. The styles are
// a constructed stylesheet in the shadow root: nothing of the page's styles gets in (but inherited
// properties, which the root resets), and nothing of ours gets out.
import { StrictMode } from "react";
import { createRoot, type Root } from "react-dom/client";
import type { AuthTokenSource, Prefill, WidgetEventMap, WidgetEventName } from "../shared/events";
import type { WidgetTheme } from "../shared/schemas";
import { CallbackWidget } from "../widget/CallbackWidget";
import type { CallbackResult } from "../widget/result";
import widgetCss from "../widget/widget.css?inline";

export interface MountOptions {
  profile: string;
  apiBase: string;
  locale?: string;
  prefill?: Prefill;
  theme?: WidgetTheme;
  /** The host page's own sign-in, when it has one. */
  getAuthToken?: AuthTokenSource;
}

export interface WidgetController {
  update(options: Partial<MountOptions>): void;
  unmount(): void;
}

// `all: initial` on the shadow host's inner root stops inherited properties (font, colour, line
// height, letter spacing...) of a hostile page from reaching the widget.
const ISOLATION = `:host { all: initial; display: block; } .cw-isolate { all: initial; display: block; }`;
let sheet: CSSStyleSheet | undefined;

function stylesheet(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(`${ISOLATION}\n${widgetCss}`);
  }
  return sheet;
}

export function mount(host: HTMLElement, initial: MountOptions): WidgetController {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  shadow.adoptedStyleSheets = [stylesheet()];
  shadow.replaceChildren();
  const container = document.createElement("div");
  container.className = "cw-isolate";
  shadow.append(container);
  const root: Root = createRoot(container);
  let options = initial;

  const emit = <K extends WidgetEventName>(name: K, detail: WidgetEventMap[K]) =>
    host.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));

  const render = () =>
    root.render(
      <StrictMode>
        <CallbackWidget
          profile={options.profile}
          apiBase={options.apiBase}
          // The host's language: its attribute, else the page's own <html lang>.
          locale={options.locale ?? (document.documentElement.lang || undefined)}
          theme={options.theme}
          defaultValues={options.prefill}
          attributes={options.prefill?.attributes}
          getAuthToken={options.getAuthToken}
          onReady={() => emit("callback-widget:ready", { profile: options.profile })}
          onError={(error) => emit("callback-widget:error", { profile: options.profile, ...error })}
          onSubmitted={(result: CallbackResult) =>
            emit("callback-widget:submitted", {
              profile: options.profile,
              requestId: result.requestId,
              deliveryId: result.status === "scheduled" ? result.deliveryId : undefined,
              status: result.status,
              windows: result.windows,
            })
          }
        />
      </StrictMode>,
    );
  render();

  return {
    update(next) {
      options = { ...options, ...next };
      render();
    },
    unmount() {
      root.unmount();
      container.remove();
    },
  };
}
