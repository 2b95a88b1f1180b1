// Who the visitor is, when they are signed in: a token from the host page's sign-in or the
// widget's own (MSAL), checked by the BFF, which answers with their contact's details to prefill
// the form. Nothing here trusts the token: the BFF decides, on every call.
import { useEffect, useState } from "react";
import type { SignedInVisitor } from "../../shared/schemas";
import type { ErrorCode } from "../../shared/error-codes";
import { isErrorCode } from "../../shared/error-codes";
import { ApiError, type CallbackApi } from "../api";

/** An access token for the BFF's API, or null when nobody is signed in. */
export type TokenGetter = () => Promise<string | null | undefined>;

export type VisitorState =
  | { state: "anonymous" }
  | { state: "checking" }
  | { state: "signed-in"; details: SignedInVisitor }
  /** The BFF refused the token (expired, not valid, no matching customer record). */
  | { state: "refused"; code: ErrorCode };

export function useSignedInVisitor(api: CallbackApi, profile: string, tokens: TokenGetter | undefined, active: boolean): VisitorState {
  const [visitor, setVisitor] = useState<VisitorState>({ state: "anonymous" });
  useEffect(() => {
    if (!active || !tokens) return setVisitor({ state: "anonymous" });
    let current = true;
    setVisitor({ state: "checking" });
    void (async () => {
      const token = await tokens().catch(() => null);
      if (!current) return;
      if (!token) return setVisitor({ state: "anonymous" });
      try {
        const details = await api.me(profile, token);
        if (current) setVisitor({ state: "signed-in", details });
      } catch (error) {
        const code = error instanceof ApiError ? error.problem?.errors?.[0]?.code : undefined;
        if (current) setVisitor({ state: "refused", code: isErrorCode(code) ? code : "sign_in_unavailable" });
      }
    })();
    return () => {
      current = false;
    };
  }, [api, profile, tokens, active]);
  return visitor;
}
