// The widget inside an iframe on another origin (support portals). It speaks the versioned
// postMessage protocol of shared/events.ts, and only with its parent, only if the parent's origin
// is on the profile's allow-list: it posts to that explicit origin and accepts messages only from
// that origin *and* from the parent window itself.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { isHostMessage, PROTOCOL_VERSION, type FrameMessage, type MessageBody, type Prefill } from "../shared/events";
import type { WidgetTheme } from "../shared/schemas";
import { createApi } from "../widget/api";
import { CallbackWidget } from "../widget/CallbackWidget";

export interface FramedWidgetProps {
  profile: string;
  /** The parent page's origin as the host helper told us (?parentOrigin=). */
  claimedParentOrigin?: string;
  link?: string;
  locale?: string;
  theme?: WidgetTheme;
}

/** Who framed us: the browser's own record when it has one, else what the host helper said. */
export function parentOrigin(claimed: string | undefined): string | undefined {
  const ancestors = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  return ancestors && ancestors.length > 0 ? ancestors[0] : claimed;
}

type Outgoing = MessageBody<FrameMessage>;

/** How long the host may take to hand over a token (its own sign-in may refresh one). */
const TOKEN_TIMEOUT_MS = 15_000;

export function FramedWidget({ profile, claimedParentOrigin, link, locale: initialLocale, theme }: FramedWidgetProps) {
  const [target, setTarget] = useState<string | undefined>();
  const [prefill, setPrefill] = useState<Prefill | undefined>();
  const [locale, setLocale] = useState<string | undefined>(initialLocale);
  const api = useMemo(() => createApi(), []);
  const targetRef = useRef<string | undefined>(undefined);
  targetRef.current = target;
  // The host said it can hand over its visitor's token; requests waiting for its answer.
  const [hostSignIn, setHostSignIn] = useState(false);
  const pendingTokens = useRef(new Map<string, (token: string | null) => void>());
  const readied = useRef(false);

  // Talk only to a parent the profile allows (the server's frame-ancestors already enforces framing).
  useEffect(() => {
    const origin = parentOrigin(claimedParentOrigin);
    if (!origin || window.parent === window) return;
    api.profile(profile).then(
      (p) => setTarget(p.allowedOrigins.includes(origin.toLowerCase()) ? origin : undefined),
      () => setTarget(undefined),
    );
  }, [api, profile, claimedParentOrigin]);

  // Messages sent before the parent's origin is confirmed ("ready" often is) wait for it, so the
  // host hears them and answers "ready" with what it queued; an unconfirmed parent hears nothing.
  const waiting = useRef<Outgoing[]>([]);
  const send = (message: Outgoing, to: string) => window.parent.postMessage({ source: "callback-widget", version: PROTOCOL_VERSION, ...message }, to);
  const post = (message: Outgoing) => {
    if (targetRef.current) send(message, targetRef.current);
    else if (window.parent !== window) waiting.current.push(message);
  };

  useEffect(() => {
    if (!target) return;
    for (const message of waiting.current.splice(0)) send(message, target);
    const onMessage = (event: MessageEvent) => {
      if (event.source !== window.parent || event.origin !== target || !isHostMessage(event.data)) return;
      const message = event.data;
      if (message.type === "prefill") setPrefill((current) => ({ ...current, ...message.prefill }));
      else if (message.type === "setLocale") setLocale(message.locale);
      else if (message.type === "auth") setHostSignIn(message.available);
      else if (message.type === "authToken") {
        pendingTokens.current.get(message.id)?.(typeof message.token === "string" ? message.token : null);
        pendingTokens.current.delete(message.id);
      }
    };
    window.addEventListener("message", onMessage);
    // The form may have been ready before we knew whom to tell: tell them now, so the host
    // answers with what it has (prefill, language, sign-in).
    if (readied.current) post({ type: "ready", detail: { profile } });
    // Keep the iframe exactly as tall as the content, whatever state it is in.
    const observer = new ResizeObserver(() => post({ type: "resize", height: document.documentElement.getBoundingClientRect().height }));
    observer.observe(document.documentElement);
    return () => {
      window.removeEventListener("message", onMessage);
      observer.disconnect();
    };
  }, [target]);

  // Asks the host for its token over the protocol; nothing if it does not answer in time.
  const getAuthToken = useCallback(
    () =>
      new Promise<string | null>((resolve) => {
        const id = crypto.randomUUID();
        const timer = setTimeout(() => {
          pendingTokens.current.delete(id);
          resolve(null);
        }, TOKEN_TIMEOUT_MS);
        pendingTokens.current.set(id, (token) => {
          clearTimeout(timer);
          resolve(token);
        });
        post({ type: "authTokenRequest", id });
      }),
    [],
  );

  return (
    <CallbackWidget
      profile={profile}
      link={link}
      getAuthToken={hostSignIn ? getAuthToken : undefined}
      locale={locale}
      theme={theme}
      defaultValues={prefill}
      attributes={prefill?.attributes}
      onReady={() => {
        readied.current = true;
        post({ type: "ready", detail: { profile } });
      }}
      onClose={target ? () => post({ type: "close", detail: { profile } }) : undefined}
      onError={(error) => post({ type: "error", detail: { profile, ...error } })}
      onSubmitted={(result) =>
        post({
          type: "submitted",
          detail: {
            profile,
            requestId: result.requestId,
            deliveryId: result.status === "scheduled" ? result.deliveryId : undefined,
            status: result.status,
            windows: result.windows,
          },
        })
      }
    />
  );
}
