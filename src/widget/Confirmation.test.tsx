import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { createApi } from "./api";
import { Confirmation } from "./Confirmation";
import { createSlotFormatter } from "./slot-groups";

const links = {
  manage: "https://bff.example/requests/r1?token=t",
  cancelPage: "https://bff.example/requests/r1?token=t&action=cancel",
  invite: "https://bff.example/api/v1/callbacks/r1/invite.ics?token=t",
  cancel: "https://bff.example/api/v1/callbacks/r1/cancel?token=t",
  status: "https://bff.example/api/v1/callbacks/r1?token=t",
};
const api = createApi("https://bff.example", () => Promise.reject(new Error("no network in this test")));

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

  it("links the request's own page (in a new tab) and offers to check the status, but not on that page itself", () => {
    const inWidget = renderToStaticMarkup(<Confirmation status="scheduled" reference="d1" asap={false} windows={windows} format={format} links={links} api={api} />);
    expect(inWidget).toContain(`<a class="cw-secondary cw-button-link" href="${links.manage.replace("&", "&amp;")}" target="_blank" rel="noopener">Your request’s page (opens in a new tab)</a>`);
    expect(inWidget).toContain(">Check the status</button>");
    const onPage = renderToStaticMarkup(<Confirmation status="scheduled" reference="d1" asap={false} windows={windows} format={format} links={links} api={api} onRequestPage />);
    expect(onPage).not.toContain("Your request’s page");
    expect(onPage).toContain(">Check the status</button>");
  });

  it("shows Dataverse's own state of a scheduled call next to ours", () => {
    const html = renderToStaticMarkup(<Confirmation status="scheduled" reference="d1" asap={false} windows={windows} format={format} deliveryStatus="InProcess" />);
    expect(html).toContain('<dd class="cw-request-status" aria-live="polite">Scheduled with the contact centre (InProcess)</dd>');
  });

  it("asks whether to cancel when opened from the cancel link, with Cancel first, only while it can be cancelled", () => {
    const asking = renderToStaticMarkup(<Confirmation status="queued" reference="r1" asap={false} windows={windows} format={format} links={links} api={api} onRequestPage offerCancel />);
    expect(asking).toContain(">Cancel your callback?</h2>");
    expect(asking).toContain("Do you want to cancel this callback? If you do, we will not call you.");
    expect(asking).toMatch(/<div class="cw-actions"><button type="button" class="cw-primary">Cancel this callback<\/button>/);
    const done = renderToStaticMarkup(<Confirmation status="cancelled" reference="r1" asap={false} windows={windows} format={format} links={links} api={api} heading="Your callback" onRequestPage offerCancel />);
    expect(done).toContain(">Your callback</h2>");
    expect(done).not.toContain("Cancel this callback");
    expect(done).toContain("Your callback is cancelled.");
  });

  it("does not promise a call for a request that failed or expired", () => {
    for (const status of ["failed", "expired"] as const) {
      const html = renderToStaticMarkup(<Confirmation status={status} reference="r1" asap={false} windows={windows} format={format} />);
      expect(html).not.toContain("We will call you");
    }
  });
});
