// The widget's look for one rendering: the profile's theme, overridden by the host's (props or
// data attributes), and "auto" resolved from the visitor's prefers-color-scheme.
import { useEffect, useState, type CSSProperties } from "react";
import type { WidgetTheme } from "../shared/schemas";

export function mergeThemes(...themes: Array<WidgetTheme | undefined>): WidgetTheme {
  return Object.assign({}, ...themes.map((theme) => Object.fromEntries(Object.entries(theme ?? {}).filter(([, value]) => value !== undefined && value !== ""))));
}

/** Custom properties set on the widget's root (through the CSSOM, so a strict CSP allows them). */
export function themeStyle(theme: WidgetTheme): CSSProperties {
  const style: Record<string, string> = {};
  if (theme.accent) style["--cw-accent"] = theme.accent;
  if (theme.accentText) style["--cw-accent-text"] = theme.accentText;
  if (theme.radius) style["--cw-radius"] = theme.radius;
  if (theme.font) style["--cw-font"] = theme.font;
  return style as CSSProperties;
}

const DARK = "(prefers-color-scheme: dark)";

/** "light" or "dark": forced by the theme, or following the visitor's system setting. */
export function useColorScheme(mode: WidgetTheme["mode"]): "light" | "dark" {
  const query = typeof window === "undefined" || !window.matchMedia ? undefined : window.matchMedia(DARK);
  const [systemDark, setSystemDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const changed = (event: MediaQueryListEvent) => setSystemDark(event.matches);
    query.addEventListener("change", changed);
    return () => query.removeEventListener("change", changed);
  }, [query]);
  if (mode === "light" || mode === "dark") return mode;
  return systemDark ? "dark" : "light";
}
