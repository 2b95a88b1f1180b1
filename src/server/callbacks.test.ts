// Accepting requests when the store answers slowly, as PostgreSQL over a network does: requests
// for one number that arrive together must not all find room under its limit.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createCaptchaVerifier, FormTokens } from "./abuse/bot-defence";
import { RateLimiter } from "./abuse/rate-limiter";
import { acceptCallback, type AcceptDeps } from "./callbacks";
import { cachedCalleeZones } from "./callee-zones";
import { createVault } from "./personal-data";
import { parseProfiles } from "./profiles";
import { LinkSigner, ManageTokens } from "./signed-links";
import { openPostgresStore } from "./store/postgres-store";
import { openSqliteStore } from "./store/sqlite-store";
import { dropSchema, postgresAvailable, TEST_DATABASE_URL, uniqueSchema } from "./store/test-databases";
import type { Store } from "./store/types";

const NOW = Date.parse("2030-03-12T09:00:00Z");
const profiles = parseProfiles({
  profiles: {
    line: {
      name: "Line",
      proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
      timeZone: "UTC",
      openingHours: Object.fromEntries(["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((d) => [d, ["00:00-24:00"]])),
      slotMinutes: 30,
      horizonDays: 2,
      maxWindows: 2,
      allowedCountries: ["FR"],
      consent: { version: "1", text: "Call me." },
      limits: { perNumber: { max: 2, windowSeconds: 3600 }, perProfile: { max: 1000, windowSeconds: 60 } },
    },
  },
});

/** The same store, each call answered a few milliseconds late (after other requests have had their turn). */
function slow(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, 3));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function depsFor(store: Store): AcceptDeps {
  const key = randomBytes(32);
  return {
    links: new LinkSigner(key, () => NOW),
    manageTokens: new ManageTokens(key),
    calleeZones: cachedCalleeZones(),
    profiles,
    store,
    vault: createVault({ hashKey: key }),
    limiter: new RateLimiter(store, () => NOW),
    formTokens: new FormTokens(key, () => NOW),
    captcha: createCaptchaVerifier(undefined),
    now: () => NOW,
  };
}

async function parallelRequestsForOneNumber(store: Store): Promise<string[]> {
  const deps = depsFor(slow(store));
  const request = {
    profile: "line",
    phone: "+33612000001",
    timeZone: "UTC",
    consent: true as const,
    windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T10:30:00.000Z" }],
  };
  const outcomes = await Promise.all(Array.from({ length: 8 }, () => acceptCallback(deps, request, { clientAddress: "192.0.2.1" })));
  return outcomes.map((outcome) => (outcome.kind === "rate_limited" ? outcome.errors[0]!.code : outcome.kind));
}

const withPostgres = await postgresAvailable();
const schema = uniqueSchema("cw_accept");
afterAll(async () => {
  if (withPostgres) await dropSchema(schema);
});

describe("the limit per number, with a slow store", () => {
  it("holds on SQLite when requests for one number arrive together", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cw-accept-"));
    const store = openSqliteStore(dir);
    try {
      const outcomes = await parallelRequestsForOneNumber(store);
      expect(outcomes.filter((o) => o === "accepted")).toHaveLength(2);
      expect(outcomes.filter((o) => o === "phone_rate_limited")).toHaveLength(6);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(withPostgres)("holds on PostgreSQL when requests for one number arrive together", async () => {
    const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema });
    try {
      const outcomes = await parallelRequestsForOneNumber(store);
      expect(outcomes.filter((o) => o === "accepted")).toHaveLength(2);
      expect(outcomes.filter((o) => o === "phone_rate_limited")).toHaveLength(6);
    } finally {
      await store.close();
    }
  });
});
