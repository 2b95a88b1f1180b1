// Helpers for the browser tests: the BFF's own API and the simulator's ledger.
import type { APIRequestContext, FrameLocator, Locator, Page } from "@playwright/test";
import { request as playwrightRequest } from "@playwright/test";
import type { Availability } from "../src/shared/schemas";

const BFF_PORT = Number(process.env.E2E_PORT ?? 3100);
const SIMULATOR_URL = `https://127.0.0.1:${BFF_PORT + 1}`;
export const BFF_ORIGIN = `http://127.0.0.1:${BFF_PORT}`;
/** The demo host pages: an origin the demo profiles allow... */
export const DEMO_ORIGIN = `http://127.0.0.1:${BFF_PORT + 2}`;
/** ...and the same pages on an origin they do not (localhost is another origin than 127.0.0.1). */
export const FOREIGN_DEMO_ORIGIN = `http://localhost:${BFF_PORT + 2}`;
/** The development identity provider `npm start` runs as the organisation's tenant (HTTPS, self-signed). */
export const IDP_ORIGIN = `https://127.0.0.1:${BFF_PORT + 10}`;

export interface RecordedDelivery {
  deliveryId: string;
  headers: Record<string, string>;
  body: { DestinationPhoneNumber: string; Windows?: Array<{ Start: string; End: string }>; [key: string]: unknown };
}

export async function availability(request: APIRequestContext, profile: string): Promise<Availability> {
  const response = await request.get(`/api/v1/profiles/${profile}/availability`);
  return (await response.json()) as Availability;
}

/** What the simulated Dataverse received, optionally only the calls to one number. */
export async function deliveriesTo(_request: APIRequestContext, e164?: string): Promise<RecordedDelivery[]> {
  // The simulator's certificate is self-signed: a separate context that accepts it.
  const simulator = await playwrightRequest.newContext({ ignoreHTTPSErrors: true });
  try {
    const all = (await (await simulator.get(`${SIMULATOR_URL}/__simulator/deliveries`)).json()) as RecordedDelivery[];
    return e164 ? all.filter((d) => d.body.DestinationPhoneNumber === e164) : all;
  } finally {
    await simulator.dispose();
  }
}

/** A metropolitan French mobile number (06 12 …) no other test uses: national form and E.164. */
export function uniqueFrenchMobile(): { national: string; e164: string } {
  const digits = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  return { national: `0612${digits}`, e164: `+33612${digits}` };
}

/** Errors the page logs (CSP violations included) and uncaught exceptions, to assert there are none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  return problems;
}

/** Makes the simulated Dataverse fail as planned (see src/simulator/faults.ts), or stop failing. */
export async function simulatorFaults(plan?: { rules: Array<Record<string, unknown>> }): Promise<void> {
  const simulator = await playwrightRequest.newContext({ ignoreHTTPSErrors: true });
  try {
    const url = `${SIMULATOR_URL}/__simulator/faults`;
    const response = plan ? await simulator.put(url, { data: plan }) : await simulator.delete(url);
    if (!response.ok()) throw new Error(`the simulator refused the faults: ${response.status()}`);
  } finally {
    await simulator.dispose();
  }
}

/** The operations (CCaaS_CreateOperation: Cancel) the simulated Dataverse received. */
export async function simulatorOperations(): Promise<Array<{ operation: string; deliveryId: string }>> {
  const simulator = await playwrightRequest.newContext({ ignoreHTTPSErrors: true });
  try {
    return (await (await simulator.get(`${SIMULATOR_URL}/__simulator/operations`)).json()) as Array<{ operation: string; deliveryId: string }>;
  } finally {
    await simulator.dispose();
  }
}

/** Seeds a contact in the simulated Dataverse (for signed links) and answers its id. */
export async function createContact(phone: string): Promise<string> {
  const simulator = await playwrightRequest.newContext({ ignoreHTTPSErrors: true });
  try {
    const response = await simulator.post(`${SIMULATOR_URL}/__simulator/contacts`, { data: { mobilephone: phone, lastname: "Linked" } });
    return ((await response.json()) as { contactid: string }).contactid;
  } finally {
    await simulator.dispose();
  }
}

/**
 * The first free slot that starts at least ten minutes from now: the very first one may start
 * while the test fills in the form, and the BFF would then rightly refuse it as past.
 */
export async function freeSlot(scope: Page | Locator | FrameLocator): Promise<Locator> {
  const boxes = scope.locator("fieldset.cw-day input[type=checkbox]:enabled");
  await boxes.first().waitFor();
  const starts = await boxes.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
  const index = starts.findIndex((start) => Date.parse(start) >= Date.now() + 10 * 60_000);
  return boxes.nth(index < 0 ? starts.length - 1 : index);
}

/** Fills in the demo form as a visitor would (a free slot, the number if given, consent) and sends it. */
export async function sendForm(scope: Page | Locator | FrameLocator, national?: string): Promise<void> {
  await scope.getByRole("radio", { name: "At a time I choose" }).check();
  await (await freeSlot(scope)).check();
  if (national !== undefined) await scope.getByLabel("Phone number").fill(national);
  await scope.getByRole("checkbox", { name: /I agree that Contoso may call me/ }).check();
  await scope.getByRole("button", { name: "Request a callback" }).click();
}
