// The widget's own sign-in, with MSAL (msal-react over msal-browser), for profiles that name an
// authority, a client id and the API's scope. Loaded with a dynamic import only when such a
// profile is shown: anonymous visitors never download MSAL. It draws the Sign in / Sign out
// button and hands the widget a token source; the widget does the rest (the BFF verifies).
// Sign-in happens in a popup that comes back to MSAL's redirect bridge (/auth/redirect).
import { InteractionRequiredAuthError, InteractionStatus, ProtocolMode, PublicClientApplication } from "@azure/msal-browser";
import { MsalProvider, useMsal } from "@azure/msal-react";
import { useEffect, useMemo, useState } from "react";
import type { MsalSignIn as MsalSettings } from "../../shared/schemas";
import type { TokenGetter } from "./use-signed-in-visitor";

export interface MsalSignInProps {
  settings: MsalSettings;
  /** Called with a way to get a token once someone is signed in, and undefined when nobody is. */
  onTokenSource(source: TokenGetter | undefined): void;
  onFailed(): void;
  labels: { signIn: string; signOut: string };
}

// One MSAL instance per configuration for the page's lifetime, as MSAL expects.
const instances = new Map<string, PublicClientApplication>();

function instanceFor(settings: MsalSettings): PublicClientApplication {
  const key = JSON.stringify(settings);
  let instance = instances.get(key);
  if (!instance) {
    instance = new PublicClientApplication({
      auth: {
        clientId: settings.clientId,
        authority: settings.authority,
        knownAuthorities: settings.knownAuthorities,
        redirectUri: new URL(settings.redirectUri ?? "/auth/redirect", window.location.origin).href,
      },
      // Signed in for this tab only: a shared computer forgets the visitor with the tab.
      cache: { cacheLocation: "sessionStorage" },
      system: { protocolMode: settings.protocolMode === "OIDC" ? ProtocolMode.OIDC : ProtocolMode.AAD },
    });
    instances.set(key, instance);
  }
  return instance;
}

export default function MsalSignIn(props: MsalSignInProps) {
  const instance = useMemo(() => instanceFor(props.settings), [props.settings]);
  return (
    <MsalProvider instance={instance}>
      <SignInButton {...props} />
    </MsalProvider>
  );
}

function SignInButton({ settings, onTokenSource, onFailed, labels }: MsalSignInProps) {
  const { instance, accounts, inProgress } = useMsal();
  const [signedOut, setSignedOut] = useState(false);
  const [busy, setBusy] = useState(false);
  const account = signedOut ? undefined : (instance.getActiveAccount() ?? accounts[0]);
  const ready = inProgress === InteractionStatus.None;

  useEffect(() => {
    if (!ready) return;
    if (!account) return onTokenSource(undefined);
    onTokenSource(async () => {
      try {
        return (await instance.acquireTokenSilent({ scopes: settings.scopes, account })).accessToken;
      } catch (error) {
        // The session ended (or consent is needed): the visitor is no longer signed in here.
        if (error instanceof InteractionRequiredAuthError) return null;
        throw error;
      }
    });
    // The account's identity, not the object, decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, account?.homeAccountId, instance, settings.scopes, onTokenSource]);

  async function signIn() {
    setBusy(true);
    try {
      const result = await instance.loginPopup({ scopes: settings.scopes });
      instance.setActiveAccount(result.account);
      setSignedOut(false);
    } catch {
      onFailed();
    } finally {
      setBusy(false);
    }
  }

  async function signOut() {
    // Forget the visitor here; their session with the identity provider is theirs to end.
    await instance.clearCache({ account });
    instance.setActiveAccount(null);
    setSignedOut(true);
  }

  return account ? (
    <button type="button" className="cw-secondary" onClick={() => void signOut()}>
      {labels.signOut}
    </button>
  ) : (
    <button type="button" className="cw-secondary" disabled={!ready || busy} aria-busy={busy || undefined} onClick={() => void signIn()}>
      {labels.signIn}
    </button>
  );
}
