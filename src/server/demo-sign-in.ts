// The demo's tenant: when `npm start` runs on the simulator and no sign-in is configured, the
// development identity provider stands in for the organisation's Entra tenant, with a customer
// (whose Dataverse contact the simulator holds), an administrator and someone with no role.
// Tokens are verified exactly as a real tenant's would be (issuer, audience, JWKS, algorithms):
// only where the trust comes from differs.
import type { DevUser, RunningDevIdp } from "../dev-idp/index";
import type { AdminAuthSettings, VisitorAuthSettings } from "./config";
import type { Profile, Profiles } from "./profiles";

export const DEMO_API = "api://callback-widget";
export const DEMO_REQUEST_SCOPE = `${DEMO_API}/Callback.Request`;
export const DEMO_MANAGE_SCOPE = `${DEMO_API}/Callback.Manage`;
export const DEMO_WIDGET_CLIENT = "callback-widget-demo";
export const DEMO_ADMIN_CLIENT = "callback-widget-admin-demo";
export const DEMO_PASSWORD = "demo";

/** The signed-in customer's contact in the simulated Dataverse. */
export const DEMO_CUSTOMER = {
  contactid: "5f2d7c1e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
  firstname: "Ada",
  lastname: "Lovelace",
  fullname: "Ada Lovelace",
  emailaddress1: "ada@contoso.example",
  mobilephone: "+33612345678",
};

export const DEMO_USERS: DevUser[] = [
  { username: "ada", password: DEMO_PASSWORD, name: "Ada Lovelace", email: DEMO_CUSTOMER.emailaddress1 },
  { username: "grace", password: DEMO_PASSWORD, name: "Grace Hopper", email: "grace@contoso.example", roles: ["Callback.Admin"] },
  { username: "eve", password: DEMO_PASSWORD, name: "Eve Moneypenny", email: "eve@contoso.example" },
];

/** Both spellings of a loopback origin: MSAL sends back to the origin the page was opened on. */
export function loopbackVariants(origin: string): string[] {
  const url = new URL(origin);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") return [origin];
  return ["127.0.0.1", "localhost"].map((host) => `${url.protocol}//${host}:${url.port}`);
}

/** The redirect URIs the demo's app registrations list. */
export function demoClients(bffOrigin: string, demoOrigin: string | undefined) {
  const bff = loopbackVariants(bffOrigin);
  const demo = demoOrigin ? loopbackVariants(demoOrigin) : [];
  return [
    { clientId: DEMO_WIDGET_CLIENT, redirectUris: [...bff.map((o) => `${o}/auth/redirect`), ...demo.map((o) => `${o}/portal.html`)], postLogoutRedirectUris: demo.map((o) => `${o}/portal.html`) },
    { clientId: DEMO_ADMIN_CLIENT, redirectUris: bff.map((o) => `${o}/admin`), postLogoutRedirectUris: bff.map((o) => `${o}/admin`) },
  ];
}

/** How the BFF trusts the development provider's tokens, for visitors and administrators alike. */
function demoTrust(idp: RunningDevIdp, timeoutMs: number) {
  return { issuer: idp.issuer, audiences: [DEMO_API], algorithms: ["RS256"], extraCaPem: idp.caCertPem, clockToleranceSeconds: 60, timeoutMs };
}

export function demoVisitorAuth(idp: RunningDevIdp, timeoutMs: number): VisitorAuthSettings {
  return { ...demoTrust(idp, timeoutMs), contact: { claim: "email", field: "emailaddress1" } };
}

export function demoAdminAuth(idp: RunningDevIdp, timeoutMs: number): AdminAuthSettings {
  return {
    ...demoTrust(idp, timeoutMs),
    role: "Callback.Admin",
    page: { authority: idp.issuer, clientId: DEMO_ADMIN_CLIENT, scopes: [DEMO_MANAGE_SCOPE], protocolMode: "OIDC", knownAuthorities: [new URL(idp.issuer).host] },
  };
}

/** The demo's "portal" line: the default one, where customers may sign in with MSAL in the widget. */
export function withPortalProfile(profiles: Profiles, idp: RunningDevIdp): Profiles {
  const base = profiles.get("default") ?? profiles.values().next().value!;
  if (profiles.has("portal")) return profiles;
  const portal: Profile = {
    ...base,
    id: "portal",
    name: `${base.name} (signed-in customers)`,
    signIn: {
      required: false,
      msal: { authority: idp.issuer, clientId: DEMO_WIDGET_CLIENT, scopes: [DEMO_REQUEST_SCOPE], protocolMode: "OIDC", knownAuthorities: [new URL(idp.issuer).host] },
    },
  };
  return new Map([...profiles, ["portal", portal]]);
}
