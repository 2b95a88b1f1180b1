import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { consentCsv } from "./consent-export";
import { doNotCallCsv } from "./do-not-call";

describe("CSV exports for audits", () => {
  it("never hand a spreadsheet a formula, whatever a visitor put in their user agent", () => {
    const csv = consentCsv([
      {
        requestId: "r1",
        createdAt: Date.parse("2030-03-12T09:00:00Z"),
        profile: "default",
        consentVersion: "1",
        consentLanguage: "en",
        consentTextHash: "abc",
        phoneHash: "h",
        clientAddressHash: "a",
        userAgent: '=HYPERLINK("https://evil.example","click")',
        status: "scheduled",
      },
    ]);
    const [header, row] = parse(csv) as string[][];
    expect(row![header!.indexOf("user_agent")]).toBe(`'=HYPERLINK("https://evil.example","click")`);
    expect(row![1]).toBe("2030-03-12T09:00:00.000Z");
  });

  it("escapes a formula in a do-not-call note too", () => {
    const csv = doNotCallCsv([{ phoneHash: "h", addedAt: 0, source: "cli", note: "+1 SUM(A1:A9)" }]);
    expect((parse(csv) as string[][])[1]![3]).toBe("'+1 SUM(A1:A9)");
  });
});
