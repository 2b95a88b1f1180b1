// The line above the form saying whether the visitor is signed in, with the sign-in button when
// the widget signs people in itself. Announced politely when it changes.
import type { ReactNode } from "react";
import { useI18n } from "../i18n";
import type { VisitorState } from "./use-signed-in-visitor";

export interface SignInBarProps {
  visitor: VisitorState;
  /** The profile refuses requests from visitors who are not signed in. */
  required: boolean;
  /** The widget has its own Sign in button (MSAL), rather than the host's sign-in. */
  canSignIn: boolean;
  /** The last attempt to sign in did not succeed. */
  failed: boolean;
  /** The Sign in / Sign out button, when the widget signs people in itself. */
  children?: ReactNode;
}

export function SignInBar({ visitor, required, canSignIn, failed, children }: SignInBarProps) {
  const { t } = useI18n();
  let text: string | undefined;
  switch (visitor.state) {
    case "signed-in":
      text = visitor.details.name ? t.signedInAs(visitor.details.name) : t.signedIn;
      break;
    case "refused":
      text = t.errors[visitor.code];
      break;
    case "anonymous":
      text = failed ? t.signInFailed : required ? t.signInRequired : canSignIn ? t.signInHint : undefined;
      break;
    case "checking":
      text = undefined;
  }
  if (text === undefined && !children) return null;
  return (
    <div className="cw-signin">
      <p className="cw-hint" aria-live="polite">
        {text}
      </p>
      {children}
    </div>
  );
}
