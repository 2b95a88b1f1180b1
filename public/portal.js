// A support portal's own sign-in, as portals do it: msal-browser against the organisation's tenant
// (here the development tenant), and the widget given a way to get the signed-in customer's
// access token for the callback API: CallbackWidget("getAuthToken", …). ?embed=element puts the
// widget in the page (shadow DOM) instead of an iframe.
(function () {
  const settings = document.currentScript.dataset;
  const scopes = [settings.scope];
  const app = new msal.PublicClientApplication({
    auth: { clientId: settings.clientId, authority: settings.authority, knownAuthorities: [new URL(settings.authority).host], redirectUri: location.origin + location.pathname },
    cache: { cacheLocation: "sessionStorage" },
    system: { protocolMode: "OIDC" },
  });
  // Signed in (or not) once MSAL has read a sign-in coming back from the tenant.
  const ready = app
    .initialize()
    .then(() => app.handleRedirectPromise())
    .then((result) => {
      if (result?.account) app.setActiveAccount(result.account);
      return app.getActiveAccount() || app.getAllAccounts()[0] || null;
    });

  CallbackWidget("getAuthToken", async () => {
    const account = await ready;
    if (!account) return null;
    try {
      return (await app.acquireTokenSilent({ scopes, account })).accessToken;
    } catch {
      return null;
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const slot = document.getElementById("widget-slot");
    if (new URLSearchParams(location.search).get("embed") === "element") {
      const element = document.createElement("callback-widget");
      element.setAttribute("profile", "default");
      slot.append(element);
    } else {
      const frame = document.createElement("iframe");
      frame.dataset.callbackWidget = "";
      frame.dataset.profile = "default";
      frame.title = "Request a callback";
      slot.append(frame);
    }
    void ready.then((account) => {
      document.getElementById("account").textContent = account ? `Signed in as ${account.name || account.username}.` : "You are not signed in.";
      const signIn = document.getElementById("sign-in");
      const signOut = document.getElementById("sign-out");
      signIn.hidden = Boolean(account);
      signOut.hidden = !account;
      signIn.addEventListener("click", () => app.loginRedirect({ scopes }));
      signOut.addEventListener("click", () => app.logoutRedirect({ account, postLogoutRedirectUri: location.origin + location.pathname }));
    });
  });
})();
