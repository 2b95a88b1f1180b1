import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Confirmation } from "./Confirmation";
import { createSlotFormatter } from "./slot-groups";

const format = createSlotFormatter("en-GB", "Asia/Kathmandu");
const windows = [{ start: "2026-03-10T07:15:00.000Z", end: "2026-03-10T08:15:00.000Z" }];

describe("Confirmation", () => {
  it("lists the booked times in the visitor's zone with the reference", () => {
    const html = renderToStaticMarkup(<Confirmation status="scheduled" reference="761e062f-c734-ef11-8e4f-00224808a166" asap={false} windows={windows} format={format} />);
    expect(html).toContain('<h2 id="cw-confirmation-title" tabindex="-1">Callback requested</h2>');
    expect(html).toContain("<li>Tuesday 10 March, 13:00 to 14:00</li>");
    expect(html).toContain("<dt>Reference</dt><dd>761e062f-c734-ef11-8e4f-00224808a166</dd>");
  });

  it("says as soon as possible, and that a queued request is queued", () => {
    const html = renderToStaticMarkup(<Confirmation status="queued" reference="req-1" asap={true} windows={windows} format={format} />);
    expect(html).toContain("As soon as possible");
    expect(html).toContain("Tuesday 10 March, 13:00 to 14:00");
    expect(html).toContain("queued");
    expect(html).toContain("<dd>req-1</dd>");
  });
});
