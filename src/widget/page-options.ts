// What the page's address says: which profile, framed or not, prefilled values, a signed link.
import type { WidgetTheme } from "../shared/schemas";
import type { CallbackDefaults } from "./CallbackForm";

export interface PageOptions {
  profile: string;
  framed: boolean;
  parentOrigin?: string;
  link?: string;
  locale?: string;
  defaults: CallbackDefaults;
  /** ?theme=dark&accent=…: set by the iframe's host. */
  theme: WidgetTheme;
  /** /requests/:id?token=…: a request's own page; `&action=cancel` (the cancel link) asks to cancel it. */
  request?: { id: string; token: string; cancel: boolean };
}

export function pageOptions(location: Pick<Location, "pathname" | "search">): PageOptions {
  const params = new URLSearchParams(location.search);
  const fromPath = /^\/callback\/([^/]+)\/?$/.exec(location.pathname)?.[1];
  const link = params.get("link") ?? undefined;
  const signedPhone = link ? phoneInLink(link) : undefined;
  const value = (name: string) => params.get(name) || undefined;
  const requestId = /^\/requests\/([^/]+)\/?$/.exec(location.pathname)?.[1];
  return {
    profile: (fromPath && decodeURIComponent(fromPath)) || value("profile") || "default",
    framed: location.pathname.startsWith("/embed/iframe"),
    parentOrigin: value("parentOrigin"),
    link,
    locale: value("locale"),
    defaults: { name: value("name"), phone: value("phone") ?? signedPhone, country: value("country")?.toUpperCase() },
    theme: Object.fromEntries(
      (["theme", "accent", "radius", "font"] as const).flatMap((name) => (value(name) ? [[name === "theme" ? "mode" : name, value(name)]] : [])),
    ) as WidgetTheme,
    request: requestId ? { id: decodeURIComponent(requestId), token: value("token") ?? "", cancel: params.get("action") === "cancel" } : undefined,
  };
}

/** A signed link may carry the number the organisation knows; the BFF checks the link itself. */
function phoneInLink(link: string): string | undefined {
  try {
    const body = link.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/");
    const payload = JSON.parse(atob(body)) as { n?: unknown };
    return typeof payload.n === "string" ? payload.n : undefined;
  } catch {
    return undefined;
  }
}
