// Loads the phone rules (phone-rules.ts) once per page, on first use, and hands them to components.
import { useEffect, useState } from "react";
import { afterPaint } from "./after-paint";
import type { PhoneRules } from "./phone-rules";

let loading: Promise<PhoneRules> | undefined;
let loaded: PhoneRules | undefined;

export function loadPhoneRules(): Promise<PhoneRules> {
  loading ??= import("./phone-rules").then(
    (module) => (loaded = module.phoneRules),
    (error: unknown) => {
      // A failed fetch (a flaky connection) is tried again on the next use.
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * The phone rules, or undefined until they have arrived: asked for once the component has been
 * painted, so that they never delay the form showing (a submission asks for them at once).
 */
export function usePhoneRules(): PhoneRules | undefined {
  const [rules, setRules] = useState(loaded);
  useEffect(() => {
    if (rules) return;
    let current = true;
    const cancel = afterPaint(() => {
      loadPhoneRules().then(
        (next) => current && setRules(next),
        () => undefined,
      );
    });
    return () => {
      current = false;
      cancel();
    };
  }, [rules]);
  return rules;
}
