// The admin page (/admin): staff sign in with MSAL (msal-react) against the organisation's Entra
// tenant, and the BFF checks the admin app role on every call; this page only reflects its
// answers. It has its own bundle: nothing of it, MSAL included, reaches visitors.
import { InteractionRequiredAuthError, InteractionStatus, ProtocolMode, PublicClientApplication, type AccountInfo } from "@azure/msal-browser";
import { MsalProvider, useMsal } from "@azure/msal-react";
import { useEffect, useMemo, useState } from "react";
import { AdminSignIn } from "../shared/schemas";
import { AdminApiError, createAdminApi, type AdminApi } from "./admin-api";
import { ConsentExport } from "./ConsentExport";
import { DoNotCallManager } from "./DoNotCallManager";
import { RecentRequests } from "./RecentRequests";

type Settings = AdminSignIn;

export function AdminApp() {
  const [settings, setSettings] = useState<Settings | "unconfigured" | undefined>();
  useEffect(() => {
    fetch("/admin/settings.json", { headers: { accept: "application/json" } })
      .then(async (response) => {
        const parsed = AdminSignIn.safeParse(response.ok ? await response.json() : undefined);
        setSettings(parsed.success ? parsed.data : "unconfigured");
      })
      .catch(() => setSettings("unconfigured"));
  }, []);
  const instance = useMemo(
    () =>
      typeof settings === "object"
        ? new PublicClientApplication({
            auth: { clientId: settings.clientId, authority: settings.authority, knownAuthorities: settings.knownAuthorities, redirectUri: settings.redirectUri },
            cache: { cacheLocation: "sessionStorage" },
            system: { protocolMode: settings.protocolMode === "OIDC" ? ProtocolMode.OIDC : ProtocolMode.AAD },
          })
        : undefined,
    [settings],
  );

  return (
    <>
      <header className="admin-header">
        <h1>Callbacks: administration</h1>
      </header>
      {settings === undefined && <p role="status">Loading…</p>}
      {settings === "unconfigured" && (
        <p role="alert">Signing in to the admin page is not configured on this server (ADMIN_AUTH_* settings, see the README).</p>
      )}
      {typeof settings === "object" && instance && (
        <MsalProvider instance={instance}>
          <SignedInArea settings={settings} />
        </MsalProvider>
      )}
    </>
  );
}

function SignedInArea({ settings }: { settings: Settings }) {
  const { instance, accounts, inProgress } = useMsal();
  const account = instance.getActiveAccount() ?? accounts[0];
  if (inProgress !== InteractionStatus.None) return <p role="status">Signing in…</p>;
  if (!account) {
    return (
      <section aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">Sign in</h2>
        <p>Sign in with your organisation account. You need the {settings.role} role.</p>
        <button type="button" onClick={() => void instance.loginRedirect({ scopes: settings.scopes })}>
          Sign in
        </button>
      </section>
    );
  }
  return <Administrator account={account} settings={settings} />;
}

function Administrator({ account, settings }: { account: AccountInfo; settings: Settings }) {
  const { instance } = useMsal();
  const api = useMemo<AdminApi>(
    () =>
      createAdminApi(async () => {
        try {
          return (await instance.acquireTokenSilent({ scopes: settings.scopes, account })).accessToken;
        } catch (error) {
          if (error instanceof InteractionRequiredAuthError) await instance.acquireTokenRedirect({ scopes: settings.scopes, account });
          throw error;
        }
      }),
    [instance, account, settings.scopes],
  );
  // The BFF says whether this account is an administrator; the page never decides it.
  const [access, setAccess] = useState<"checking" | "granted" | "refused" | "failed">("checking");
  useEffect(() => {
    api.me().then(
      () => setAccess("granted"),
      (error: unknown) => setAccess(error instanceof AdminApiError && error.status === 403 ? "refused" : "failed"),
    );
  }, [api]);
  const signOut = () => void instance.logoutRedirect({ account, postLogoutRedirectUri: settings.redirectUri });

  return (
    <>
      <p className="admin-account">
        Signed in as {account.name ?? account.username}.{" "}
        <button type="button" className="link" onClick={signOut}>
          Sign out
        </button>
      </p>
      {access === "checking" && <p role="status">Checking your access…</p>}
      {access === "refused" && (
        <p role="alert" className="admin-error">
          Your account does not have the {settings.role} role: you cannot administer callbacks. Ask an administrator of your organisation to assign it to you.
        </p>
      )}
      {access === "failed" && (
        <p role="alert" className="admin-error">
          The server could not check your access. Try again later.
        </p>
      )}
      {access === "granted" && (
        <>
          <RecentRequests api={api} />
          <DoNotCallManager api={api} />
          <ConsentExport api={api} />
        </>
      )}
    </>
  );
}
