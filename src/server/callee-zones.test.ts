import { describe, expect, it } from "vitest";
import { DEFAULT_CALLING_HOURS, permittedSpans } from "../shared/calling-hours";
import { calleeZones, countryZones } from "./callee-zones";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("calleeZones", () => {
  it("takes the only zone of a single-zone country", async () => {
    expect(await calleeZones("+33612345678")).toEqual({ country: "FR", zones: ["Europe/Paris"], source: "number" });
  });

  it("reads the region of a number tied to a place (US area codes, Australian and Brazilian fixed lines)", async () => {
    expect(await calleeZones("+12125551234")).toEqual({ country: "US", zones: ["America/New_York"], source: "number" });
    expect(await calleeZones("+13105551234")).toEqual({ country: "US", zones: ["America/Los_Angeles"], source: "number" });
    expect(await calleeZones("+61291234567")).toEqual({ country: "AU", zones: ["Australia/Sydney"], source: "number" });
    expect(await calleeZones("+61891234567")).toEqual({ country: "AU", zones: ["Australia/Adelaide", "Australia/Perth"], source: "number" });
    // Brazilian mobiles keep their area code, so they have a region too.
    expect(await calleeZones("+5511912345678")).toEqual({ country: "BR", zones: ["America/Sao_Paulo"], source: "number" });
  });

  it("falls back to the visitor's zone when it lies in the number's country", async () => {
    // An Australian mobile has no region.
    expect(await calleeZones("+61412345678", "Australia/Perth")).toEqual({ country: "AU", zones: ["Australia/Perth"], source: "visitor" });
    // A US toll-free number neither.
    expect(await calleeZones("+18005551234", "America/Chicago")).toEqual({ country: "US", zones: ["America/Chicago"], source: "visitor" });
  });

  it("uses every zone of Brazil for a Brazilian number without a region (toll-free), unless the visitor is in Brazil", async () => {
    const tollFree = await calleeZones("+558001234567");
    expect(tollFree).toMatchObject({ country: "BR", source: "country" });
    expect(tollFree.zones).toEqual(countryZones("BR"));
    expect(tollFree.zones).toEqual(expect.arrayContaining(["America/Noronha", "America/Sao_Paulo", "America/Manaus", "America/Rio_Branco"]));
    expect(await calleeZones("+558001234567", "America/Manaus")).toEqual({ country: "BR", zones: ["America/Manaus"], source: "visitor" });
  });

  it("finds no zone for a country missing from the data (Kosovo), and then permits no time at all", async () => {
    const kosovo = await calleeZones("+38344123456", "Europe/Paris");
    expect(kosovo).toEqual({ country: "XK", zones: [], source: "unknown" });
    expect(permittedSpans(DEFAULT_CALLING_HOURS, kosovo.country, kosovo.zones, at("2026-07-15T00:00:00Z"), at("2026-07-16T00:00:00Z"))).toEqual([]);
  });

  it("otherwise uses every zone of the country", async () => {
    expect(await calleeZones("+61412345678", "Europe/Paris")).toEqual({ country: "AU", zones: countryZones("AU"), source: "country" });
    const tollFree = await calleeZones("+18005551234");
    expect(tollFree.source).toBe("country");
    expect(tollFree.zones).toEqual(expect.arrayContaining(["America/New_York", "America/Los_Angeles", "Pacific/Honolulu", "America/Anchorage"]));
  });
  it("holds in every zone of a number without a region: a US toll-free number in July", () => {
    const zones = countryZones("US");
    const spans = permittedSpans(DEFAULT_CALLING_HOURS, "US", zones, at("2026-07-15T00:00:00Z"), at("2026-07-16T12:00:00Z"));
    // 08:00 in Honolulu (UTC-10) to 21:00 in New York (UTC-4): 14:00 to 21:00 on the east coast.
    expect(spans.map((s) => [iso(s.start), iso(s.end)])).toContainEqual(["2026-07-15T18:00:00.000Z", "2026-07-16T01:00:00.000Z"]);
    expect(spans.every((s) => s.end - s.start <= 7 * 3600_000)).toBe(true);
  });

});
