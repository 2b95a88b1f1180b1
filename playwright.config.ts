// Browser tests: Playwright driving Debian's Chromium (no browser downloads here) against the
// whole product started as `npm start` would, on its own ports and a throwaway data folder.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./e2e/chromium";

export const BFF_PORT = Number(process.env.E2E_PORT ?? 3100);
export const SIMULATOR_PORT = BFF_PORT + 1;
export const DEMO_PORT = BFF_PORT + 2;
export const FAKE_CAPTCHA_PORT = BFF_PORT + 3;
/** The development identity provider (the tests' Entra tenant), HTTPS. */
export const IDP_PORT = BFF_PORT + 10;
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "callback-widget-e2e-"));
process.env.E2E_DATA_DIR = dataDir; // the config is loaded again in each worker: keep one folder

// The demo profiles, plus one protected by a CAPTCHA (the fake provider of e2e/fake-captcha.ts).
const captcha = `http://127.0.0.1:${FAKE_CAPTCHA_PORT}`;
const demo = JSON.parse(readFileSync("config/profiles.json", "utf8")) as { profiles: Record<string, Record<string, unknown>> };
const profilesFile = path.join(dataDir, "profiles.json");
writeFileSync(
  profilesFile,
  JSON.stringify({
    profiles: {
      ...demo.profiles,
      protected: {
        ...demo.profiles.default,
        name: "Contoso protected line",
        botDefence: { honeypot: true, minFillSeconds: 0, captcha: { provider: "turnstile", siteKey: "e2e-site-key", scriptUrl: `${captcha}/api.js?render=explicit`, verifyUrl: `${captcha}/siteverify` } },
      },
    },
  }),
);

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${BFF_PORT}`,
    trace: "retain-on-failure",
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: [
    {
      command: "npx tsx e2e/fake-captcha.ts",
      url: `${captcha}/health`,
      reuseExistingServer: false,
      env: { FAKE_CAPTCHA_PORT: String(FAKE_CAPTCHA_PORT) },
    },
    {
      command: "npx tsx src/server/main.ts",
      url: `http://127.0.0.1:${BFF_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        PORT: String(BFF_PORT),
        SIMULATOR_PORT: String(SIMULATOR_PORT),
        DEMO_PORT: String(DEMO_PORT),
        DATA_DIR: dataDir,
        LOG_LEVEL: "warn",
        RATE_LIMIT_PER_ADDRESS: "1000/60s",
        PROFILES_FILE: profilesFile,
        CAPTCHA_SECRET: "e2e-captcha-secret",
        DEV_IDP_PORT: String(IDP_PORT),
      },
    },
  ],
});
