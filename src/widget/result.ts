// What the widget reports once a request is accepted (onSubmitted), built from the BFF's answer.
import type { CallbackLinks, CallbackRequest, CallbackScheduled, TimeWindow } from "../shared/schemas";
import { fromPublicWindow, mergeAdjacent, toPublicWindow } from "../shared/windows";
import type { CallbackQueued } from "../shared/schemas";

export type CallbackResult =
  | {
      status: "scheduled";
      requestId: string;
      deliveryId: string;
      /** What the visitor is shown as "Reference": the delivery id. */
      reference: string;
      asap: boolean;
      /** The merged windows the BFF booked. */
      windows: TimeWindow[];
      /** Signed links to follow, add to a calendar, or cancel the request. */
      links?: CallbackLinks;
    }
  | {
      status: "queued";
      requestId: string;
      /** What the visitor is shown as "Reference": the request id (there is no delivery yet). */
      reference: string;
      asap: boolean;
      /** The windows asked for, merged the way the BFF merges them. */
      windows: TimeWindow[];
      links?: CallbackLinks;
    };

export function toCallbackResult(
  answer: { kind: "scheduled"; body: CallbackScheduled } | { kind: "queued"; body: CallbackQueued },
  request: CallbackRequest,
): CallbackResult {
  const asap = request.windows === undefined;
  if (answer.kind === "scheduled") {
    const { requestId, deliveryId, windows, links } = answer.body;
    return { status: "scheduled", requestId, deliveryId, reference: deliveryId, asap, windows, links };
  }
  const windows = answer.body.windows ?? mergeAdjacent((request.windows ?? []).map(fromPublicWindow)).map(toPublicWindow);
  return { status: "queued", requestId: answer.body.requestId, reference: answer.body.requestId, asap, windows, links: answer.body.links };
}
