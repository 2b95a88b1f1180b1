// The profile and its times, asked for before the widget's code has arrived, by the script-tag
// loader when a widget is opened (the standalone page has preload links for them instead). The
// widget's API client takes a prefetched answer instead of asking again, so the BFF's answer and
// the code download overlap. The answers wait in one map on the global object, shared by those
// bundles.
const KEY = Symbol.for("callback-widget.prefetched");

/** An answer on its way, or `null` once the widget has asked for that address itself. */
type Prefetched = Map<string, Promise<Response> | null>;

function prefetched(): Prefetched {
  const global = globalThis as { [KEY]?: Prefetched };
  return (global[KEY] ??= new Map());
}

/** The GETs a widget makes first, for `profile` on the BFF at `apiBase` ("" for this origin). */
export function widgetDataUrls(apiBase: string, profile: string): string[] {
  const path = `${apiBase.replace(/\/+$/, "")}/api/v1/profiles/${encodeURIComponent(profile)}`;
  return [path, `${path}/availability`];
}

export function prefetchWidgetData(apiBase: string, profile: string): void {
  const answers = prefetched();
  for (const url of widgetDataUrls(apiBase, profile)) {
    // Already asked for: by an earlier prefetch, or by the widget (should this script run late).
    if (answers.has(url)) continue;
    const answer = fetch(url, { headers: { accept: "application/json" } });
    // A failed prefetch is simply not used: the widget asks again and shows that error.
    answer.catch(() => answers.delete(url));
    answers.set(url, answer);
  }
}

/** The prefetched answer for `url`, once (a response body can be read only once). */
export function takePrefetched(url: string): Promise<Response> | undefined {
  const answers = prefetched();
  const answer = answers.get(url);
  answers.set(url, null);
  return answer ?? undefined;
}
