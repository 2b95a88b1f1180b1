// The widget: loads a profile and its availability from the BFF, shows the form, then the
// confirmation. Every way of embedding the widget renders this one component.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ComponentType } from "react";
import type { AuthTokenSource } from "../shared/events";
import type { Availability, PublicProfile, WidgetTheme } from "../shared/schemas";
import { afterPaint } from "./after-paint";
import { ApiError, checkSlots, createApi, type UncheckedAvailability } from "./api";
import { CallbackForm, type CallbackDefaults } from "./CallbackForm";
import { Confirmation } from "./Confirmation";
import { readyFirstAnswers, takeFirstAnswers, type FirstAnswers } from "./first-answers";
import type { CallbackResult } from "./result";
import { createSlotFormatter } from "./slot-groups";
import { ENGLISH, I18nContext, isRightToLeft, loadMessages, pickLanguage, type I18n, type Messages } from "./i18n";
import type { MsalSignInProps } from "./sign-in/MsalSignIn";
import { SignInBar } from "./sign-in/SignInBar";
import { useSignedInVisitor, type TokenGetter } from "./sign-in/use-signed-in-visitor";
import { mergeThemes, themeStyle, useColorScheme } from "./theme";
import { visitorLocale, visitorTimeZone } from "./visitor";

export type { CallbackDefaults } from "./CallbackForm";
export type { CallbackResult } from "./result";

// MSAL is fetched only for a profile whose visitors sign in with it, never by anonymous visitors.
// Should it fail to load, the widget goes on without a Sign in button.
const MsalSignIn = lazy<ComponentType<MsalSignInProps>>(() => import("./sign-in/MsalSignIn").catch(() => ({ default: () => null })));

export interface CallbackWidgetProps {
  /** The callback profile's name, e.g. "default". */
  profile: string;
  /** Where the BFF is (origin, optionally with a path prefix); the page's own origin when absent. */
  apiBase?: string;
  /** Called once the BFF has accepted the request (scheduled or queued). */
  onSubmitted?: (result: CallbackResult) => void;
  /** What the host page already knows about the visitor; they can still change it. */
  defaultValues?: CallbackDefaults;
  /** Values for the agent flow the host page knows (an order number); only keys the profile allows. */
  attributes?: Record<string, string>;
  /** A BCP 47 language tag; the browser's language when absent. */
  locale?: string;
  /** The signed link the page was opened with; the BFF checks it and uses its contact. */
  link?: string;
  /** The form is shown and ready for input. */
  onReady?: (info: { profile: string }) => void;
  /** Colours, radius, font, light or dark: overrides the profile's theme. */
  theme?: WidgetTheme;
  /** When given, a Close button asks the host to put the widget away (an iframe's host, say). */
  onClose?: () => void;
  /** Loading failed, or the BFF refused or did not answer a submission. */
  onError?: (error: { stage: "load" | "submit"; title: string; status?: number }) => void;
  /**
   * The host page's own sign-in: an access token for the BFF's API, or null when nobody is signed
   * in. The BFF verifies it, prefills the form from the visitor's contact and books the call for it.
   */
  getAuthToken?: AuthTokenSource;
}

type Loaded = { profile: PublicProfile; availability: Availability };
type State =
  | { step: "loading" }
  | { step: "failed"; message: string }
  | ({ step: "form" } & Loaded)
  | ({ step: "done"; result: CallbackResult } & Loaded);

export function CallbackWidget({ profile, apiBase, onSubmitted, defaultValues, attributes, link, locale: wantedLocale, theme, onReady, onError, onClose, getAuthToken }: CallbackWidgetProps) {
  const api = useMemo(() => createApi(apiBase), [apiBase]);
  // The page or the loader may have fetched and checked the profile and times already: then the
  // first rendering is the form, not "Loading…".
  const answersFor = `${apiBase ?? ""} ${profile}`;
  const [first] = useState(() => readyFirstAnswers(apiBase ?? "", profile));
  const loadedFor = useRef(first ? answersFor : undefined);
  // The visitor's zone as detected; they may pick another (travelling, calling for someone else).
  const [timeZone, setTimeZone] = useState(visitorTimeZone);
  // The number being entered, once it looks valid: the offer is narrowed to where it rings.
  const number = useRef<{ phone: string; country: string } | undefined>(undefined);
  // The host's language (prop or attribute), else the browser's; English when we have no catalogue.
  const wanted = visitorLocale(wantedLocale ?? (typeof navigator === "undefined" ? undefined : navigator.language));
  const language = pickLanguage([wanted]);
  // English ships with the widget: start in it, in the visitor's variant (en-GB dates), so that the
  // catalogue arriving does not draw everything a second time.
  const [i18n, setI18n] = useState<I18n>(() => (language === "en" && wanted && pickLanguage([wanted]) === "en" ? { ...ENGLISH, locale: wanted } : ENGLISH));
  useEffect(() => {
    let current = true;
    void loadMessages(language).then((t) => {
      // Dates in the visitor's own variant (fr-CA) when it is of the language we speak.
      const locale = wanted && pickLanguage([wanted]) === language ? wanted : language;
      if (current) {
        setI18n((shown) =>
          shown.language === language && shown.locale === locale && shown.t === t ? shown : { language, locale, dir: isRightToLeft(language) ? "rtl" : "ltr", t },
        );
      }
    });
    return () => {
      current = false;
    };
  }, [language, wanted]);
  const locale = i18n.locale;
  const t = i18n.t;
  const format = useMemo(() => createSlotFormatter(locale, timeZone, t), [locale, timeZone, t]);
  const [profileTheme, setProfileTheme] = useState<WidgetTheme | undefined>(first?.profile.theme);
  const look = mergeThemes(profileTheme, theme);
  const scheme = useColorScheme(look.mode);
  const [state, setState] = useState<State>(first ? { step: "form", profile: first.profile, availability: first.availability } : { step: "loading" });
  // Callbacks change identity on every host render; keep the latest without reloading.
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  const i18nRef = useRef(i18n);
  i18nRef.current = i18n;
  const step = state.step;
  useEffect(() => {
    if (step === "form") onReady?.({ profile });
    // Only when the form appears, not on every host render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step, profile]);
  // A new form (fresh values, fresh idempotency keys) for each request the visitor makes.
  const [round, setRound] = useState(0);

  // Signed in: the host's token (its own sign-in) when it gives one, else the widget's MSAL.
  // Hosts often pass a new function on every render: keep the latest, react only to its presence.
  const hostTokens = useRef(getAuthToken);
  hostTokens.current = getAuthToken;
  const hasHostTokens = getAuthToken !== undefined;
  const hostSource = useMemo<TokenGetter | undefined>(() => (hasHostTokens ? async () => (await hostTokens.current?.()) ?? null : undefined), [hasHostTokens]);
  const [msalSource, setMsalSource] = useState<TokenGetter | undefined>();
  const onMsalSource = useCallback((source: TokenGetter | undefined) => {
    setMsalSource(() => source);
    if (source) setSignInFailed(false);
  }, []);
  const [signInFailed, setSignInFailed] = useState(false);
  const tokens = hostSource ?? msalSource;
  const visitor = useSignedInVisitor(api, profile, tokens, state.step === "form" || state.step === "done");
  // The contact's name and number prefill the form (the visitor may still change them).
  const prefill = useMemo(() => {
    if (visitor.state !== "signed-in") return defaultValues;
    // The BFF writes the number as people do in its country (its full metadata is not in the widget).
    const { name, phone, phoneNational, country } = visitor.details;
    return { ...defaultValues, ...(name ? { name } : {}), ...(phone ? { phone: phoneNational ?? phone, country } : {}) };
  }, [defaultValues, visitor]);

  const failed = useCallback((error: unknown) => {
    const message = loadFailure(error, i18nRef.current.t);
    setState({ step: "failed", message });
    onErrorRef.current?.({ stage: "load", title: message, status: error instanceof ApiError ? error.status : undefined });
  }, []);
  // First answers may come with their slots still to check (first-answers.ts): checked once the
  // form has been painted, and put in place unless fresher times have replaced them meanwhile.
  const [slotsLater, setSlotsLater] = useState(first?.slotsLater);
  useEffect(() => {
    if (!slotsLater) return;
    return afterPaint(() => {
      setSlotsLater(undefined);
      let checked: Availability;
      try {
        checked = checkSlots(slotsLater.outline);
      } catch (error) {
        return failed(error);
      }
      setState((current) => (current.step !== "loading" && current.step !== "failed" && current.availability === slotsLater.shown ? { ...current, availability: checked } : current));
    });
  }, [slotsLater, failed]);

  const load = useCallback(
    (signal?: AbortSignal, answers?: Promise<FirstAnswers>) => {
      setState({ step: "loading" });
      (answers ?? Promise.all([api.profile(profile, signal), api.availability(profile, signal)]).then(([loaded, availability]): FirstAnswers => ({ profile: loaded, availability })))
        .then(({ profile: loaded, availability, slotsLater: later }) => {
          if (signal?.aborted) return;
          setProfileTheme(loaded.theme);
          setState({ step: "form", profile: loaded, availability });
          setSlotsLater(later);
        })
        .catch((error: unknown) => {
          if (!signal?.aborted) failed(error);
        });
    },
    [api, profile, failed],
  );
  useEffect(() => {
    const answers = takeFirstAnswers(apiBase ?? "", profile);
    if (loadedFor.current === answersFor) return;
    loadedFor.current = answersFor;
    const controller = new AbortController();
    load(controller.signal, answers);
    return () => controller.abort();
    // `load` changes with the API and the profile, as `answersFor` does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load]);

  const refreshTimes = useCallback(() => {
    api.availability(profile, undefined, { ...number.current, timeZone }).then(
      (availability) => setState((current) => (current.step === "form" ? { ...current, availability } : current)),
      // The visitor still has the form and the refusal's message; the old times will do.
      () => undefined,
    );
  }, [api, profile, timeZone]);
  // The visitor's zone is the callee's best guess for numbers without a region: ask again.
  useEffect(() => {
    if (number.current) refreshTimes();
  }, [refreshTimes]);
  const numberChanged = useCallback(
    (entered: { phone: string; country: string } | undefined) => {
      number.current = entered;
      refreshTimes();
    },
    [refreshTimes],
  );

  return (
    <I18nContext.Provider value={i18n}>
    <div className="cw-root" lang={locale} dir={i18n.dir} data-theme={scheme} style={themeStyle(look)}>
      {onClose && (
        <button type="button" className="cw-close" onClick={onClose}>
          {t.close}
        </button>
      )}
      {state.step === "loading" && (
        <p role="status" className="cw-status">
          {t.loading}
        </p>
      )}
      {state.step === "failed" && (
        <div role="alert" className="cw-alert">
          <p className="cw-alert-title">{t.loadFailed}</p>
          <p>{state.message}</p>
          <button type="button" className="cw-secondary" onClick={() => load()}>
            {t.tryAgain}
          </button>
        </div>
      )}
      {(state.step === "form" || state.step === "done") && (state.profile.signIn || hostSource) && (
        <SignInBar visitor={visitor} required={state.profile.signIn?.required ?? false} canSignIn={Boolean(state.profile.signIn?.msal && !hostSource)} failed={signInFailed}>
          {state.profile.signIn?.msal && !hostSource && (
            <Suspense fallback={null}>
              <MsalSignIn
                settings={state.profile.signIn.msal}
                onTokenSource={onMsalSource}
                onFailed={() => setSignInFailed(true)}
                labels={{ signIn: t.signIn, signOut: t.signOut }}
              />
            </Suspense>
          )}
        </SignInBar>
      )}
      {state.step === "form" && (
        <CallbackForm
          key={round}
          api={api}
          profile={state.profile}
          availability={state.availability}
          timeZone={timeZone}
          locale={locale}
          format={format}
          defaultValues={prefill}
          attributes={attributes}
          link={link}
          getToken={tokens}
          onProblem={(problem) => onErrorRef.current?.({ stage: "submit", ...problem })}
          onTimesStale={refreshTimes}
          onNumberChange={numberChanged}
          onTimeZoneChange={setTimeZone}
          onDone={(result) => {
            setState({ step: "done", profile: state.profile, availability: state.availability, result });
            onSubmitted?.(result);
          }}
        />
      )}
      {state.step === "done" && (
        <Confirmation
          status={state.result.status}
          reference={state.result.reference}
          asap={state.result.asap}
          windows={state.result.windows}
          format={format}
          links={state.result.links}
          api={api}
          follow
          onAnother={() => {
            setRound((n) => n + 1);
            load();
          }}
        />
      )}
    </div>
    </I18nContext.Provider>
  );
}

function loadFailure(error: unknown, t: Messages): string {
  if (error instanceof ApiError && error.problem) return [error.problem.title, error.problem.detail].filter(Boolean).join(". ");
  if (error instanceof ApiError) return error.status < 400 ? t.loadFailedUnreadable : t.loadFailedStatus(error.status);
  return t.checkConnection;
}
