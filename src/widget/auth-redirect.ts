// /auth/redirect: where the identity provider sends a sign-in popup back to. MSAL's redirect bridge
// hands the answer to the page that opened the popup (same origin), then closes the popup.
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

broadcastResponseToMainFrame().catch(() => {
  const status = document.getElementById("status");
  if (status) status.textContent = "Signing in did not finish. Close this window and try again.";
});
