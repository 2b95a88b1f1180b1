// The admin page's client for /api/v1/admin: every call carries the administrator's access token,
// fresh from MSAL's cache; answers are checked against the shared schemas.
import * as z from "zod/mini";
import { AdminCallbacks, DoNotCallList, DoNotCallOutcome, Problem } from "../shared/schemas";

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(problem?.title ?? `HTTP ${status}`);
    this.name = "AdminApiError";
  }
}

const Me = z.object({ subject: z.string(), name: z.optional(z.string()), role: z.string() });
const Revealed = z.object({ requestId: z.string(), phone: z.string() });

export type AdminApi = ReturnType<typeof createAdminApi>;

export function createAdminApi(getToken: () => Promise<string>) {
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const token = await getToken();
    const response = await fetch(`/api/v1/admin${path}`, {
      ...init,
      headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers, authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      const parsed = Problem.safeParse(await response.json().catch(() => undefined));
      throw new AdminApiError(response.status, parsed.success ? parsed.data : undefined);
    }
    return response;
  }
  const json = async <T,>(schema: z.ZodMiniType<T>, path: string, init?: RequestInit) => {
    const parsed = schema.safeParse(await (await send(path, init)).json());
    if (!parsed.success) throw new AdminApiError(200);
    return parsed.data;
  };
  return {
    me: () => json(Me, "/me"),
    callbacks: (limit = 50) => json(AdminCallbacks, `/callbacks?limit=${limit}`),
    revealPhone: (requestId: string) => json(Revealed, `/callbacks/${encodeURIComponent(requestId)}/phone`),
    doNotCall: () => json(DoNotCallList, "/do-not-call"),
    addNumbers: (change: { numbers: string[]; country?: string; note?: string }) =>
      json(DoNotCallOutcome, "/do-not-call", { method: "POST", body: JSON.stringify(change) }),
    removeEntry: (phoneHash: string) => json(DoNotCallOutcome, `/do-not-call/${phoneHash}`, { method: "DELETE" }),
    consentCsv: async (from: string, to: string) =>
      (await send(`/consent?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { accept: "text/csv" } })).blob(),
  };
}
