// Whether a string names a time zone, as the schemas ask of every zone they read. Apart from
// zoned-time.ts, which builds a date formatter for each zone it reads, and without a formatter for
// the usual names: a page's first Intl formatter loads the locale's data, tens of milliseconds
// that the widget should not spend before its form is on screen. Where the runtime has Temporal
// (browsers, not Node 20), it asks Temporal, which knows a zone in well under a millisecond; the
// runtime's list of zones costs a few milliseconds to build on first use.
const validZones = new Map<string, boolean>();
let listed: ReadonlySet<string> | undefined;

interface TemporalZones {
  Now: { zonedDateTimeISO(zone: string): unknown };
}

export function isValidTimeZone(zone: string): boolean {
  let known = validZones.get(zone);
  if (known === undefined) {
    const temporal = (globalThis as { Temporal?: TemporalZones }).Temporal;
    // Names only: Temporal also takes UTC offsets ("+01:00") as zones, which the servers' runtime does not.
    known = zone.length <= 64 && (zone === "UTC" || (temporal ? !/^[+-]/.test(zone) && temporalAccepts(temporal, zone) : listedOrFormatterAccepts(zone)));
    if (validZones.size < 1000) validZones.set(zone, known);
  }
  return known;
}

function temporalAccepts(temporal: TemporalZones, zone: string): boolean {
  try {
    temporal.Now.zonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

function listedOrFormatterAccepts(zone: string): boolean {
  listed ??= new Set(Intl.supportedValuesOf("timeZone"));
  // The runtime's list has one name per zone: "UTC" (which every implementation knows) and
  // aliases (Asia/Calcutta or Asia/Kolkata, US/Eastern) are left to a formatter to accept.
  return listed.has(zone) || formatterAccepts(zone);
}

function formatterAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
