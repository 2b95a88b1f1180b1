// Whether a string names a time zone, as the schemas ask of every zone they read. Apart from
// zoned-time.ts, which builds a date formatter for each zone it reads, and without a formatter for
// the usual names: a page's first Intl formatter loads the locale's data, tens of milliseconds
// that the widget should not spend before its form is on screen.
const validZones = new Map<string, boolean>();
let listed: ReadonlySet<string> | undefined;

export function isValidTimeZone(zone: string): boolean {
  let known = validZones.get(zone);
  if (known === undefined) {
    listed ??= new Set(Intl.supportedValuesOf("timeZone"));
    // The runtime's list has one name per zone: "UTC" (which every implementation knows) and
    // aliases (Asia/Calcutta or Asia/Kolkata, US/Eastern) are left to a formatter to accept.
    known = zone.length <= 64 && (zone === "UTC" || listed.has(zone) || formatterAccepts(zone));
    if (validZones.size < 1000) validZones.set(zone, known);
  }
  return known;
}

function formatterAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
