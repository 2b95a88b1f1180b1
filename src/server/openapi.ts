// The OpenAPI 3.1 document of the public API, generated from the same zod schemas that validate
// requests, so the document cannot drift from what the BFF accepts.
import * as z from "zod/mini";
import { Availability, AvailabilityQuery, CallbackCancelled, CallbackQueued, CallbackRequest, CallbackScheduled, CallbackStatus, Problem, PublicProfile } from "../shared/schemas";

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodMiniType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ "application/json": { schema: ref(name) } });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
const profileParameter = { name: "profile", in: "path", required: true, schema: { type: "string" }, example: "default" };
const requestIdParameter = { name: "requestId", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const tokenParameter = (required: boolean) => ({
  name: "token",
  in: "query",
  required,
  schema: { type: "string" },
  description: "The request's signed token, from the links in the answer that accepted it.",
});

export function buildOpenApiDocument() {
  const query = schemaOf(AvailabilityQuery, "input") as { properties: Record<string, JsonSchema> };
  return {
    openapi: "3.1.0",
    info: {
      title: "callback-widget API",
      version: "1.0.0",
      description:
        "Ask a contact centre to call back at a time that suits you. Every refusal is application/problem+json with an `errors` list naming each field and why.",
    },
    paths: {
      "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "The process serves." } } } },
      "/readyz": {
        get: {
          summary: "Readiness: the store, a Dataverse token and Dataverse itself",
          responses: { "200": { description: "Ready" }, "503": { description: "Not ready; the body names the failing check" } },
        },
      },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "text/plain; version=0.0.4" } } } },
      "/api/v1/profiles/{profile}": {
        get: {
          summary: "What a widget needs to know about a callback profile",
          parameters: [profileParameter],
          responses: { "200": { description: "The profile", content: json("PublicProfile") }, "404": problem("Unknown profile") },
        },
      },
      "/api/v1/profiles/{profile}/availability": {
        get: {
          summary: "Future slots a callback may be requested in",
          parameters: [
            profileParameter,
            ...Object.entries(query.properties).map(([name, schema]) => ({ name, in: "query", required: false, schema })),
          ],
          responses: {
            "200": { description: "Slots as half-open UTC windows", content: json("Availability") },
            "404": problem("Unknown profile"),
            "422": problem("A query parameter is not valid"),
          },
        },
      },
      "/api/v1/callbacks": {
        post: {
          summary: "Request a callback",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              schema: { type: "string", maxLength: 200 },
              description: "One per submission: a retry with the same key and body gets the same answer and places one call.",
            },
          ],
          requestBody: { required: true, content: { "application/json": { schema: ref("CallbackRequest") } } },
          responses: {
            "201": { description: "The call is scheduled", content: json("CallbackScheduled") },
            "202": { description: "Accepted and queued: the outbox delivers it; poll the Location", content: json("CallbackQueued") },
            "400": problem("The body is not JSON"),
            "403": problem("The calling page's origin may not use this profile"),
            "409": problem("A replay of a request that was cancelled since"),
            "413": problem("The body is too large"),
            "415": problem("The body is not declared as JSON"),
            "422": problem("Some fields are not valid"),
            "429": problem("Too many requests from this address, for this number or for this profile; see Retry-After"),
            "502": problem("The contact centre refused the request"),
            "503": problem("The CAPTCHA provider cannot be asked right now; see Retry-After"),
          },
        },
      },
      "/api/v1/callbacks/{requestId}": {
        get: {
          summary: "A request's status; with its ?token=, also Dataverse's own state and the request's links",
          parameters: [requestIdParameter, tokenParameter(false)],
          responses: { "200": { description: "The request", content: json("CallbackStatus") }, "404": problem("No such request") },
        },
      },
      "/api/v1/callbacks/{requestId}/cancel": {
        post: {
          summary: "Cancel a request: out of the outbox if not yet sent, else CCaaS_CreateOperation Cancel",
          parameters: [requestIdParameter, tokenParameter(true)],
          responses: {
            "200": { description: "Cancelled (or already was)", content: json("CallbackCancelled") },
            "404": problem("No such request, or a wrong token"),
            "409": problem("Being sent right now (see Retry-After), or too late to cancel"),
            "502": problem("The contact centre could not cancel the call"),
          },
        },
      },
      "/api/v1/callbacks/{requestId}/invite.ics": {
        get: {
          summary: "A calendar invite, one event per window",
          parameters: [requestIdParameter, tokenParameter(true)],
          responses: { "200": { description: "iCalendar", content: { "text/calendar": { schema: { type: "string" } } } }, "404": problem("No such request, or a wrong token") },
        },
      },
      "/api/v1/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
    },
    components: {
      schemas: {
        CallbackRequest: schemaOf(CallbackRequest, "input"),
        CallbackScheduled: schemaOf(CallbackScheduled),
        CallbackQueued: schemaOf(CallbackQueued),
        CallbackStatus: schemaOf(CallbackStatus),
        CallbackCancelled: schemaOf(CallbackCancelled),
        PublicProfile: schemaOf(PublicProfile),
        Availability: schemaOf(Availability),
        Problem: schemaOf(Problem),
      },
    },
  };
}
