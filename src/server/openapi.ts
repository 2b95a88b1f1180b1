// The OpenAPI 3.1 document of the public API, generated from the same zod schemas that validate
// requests, so the document cannot drift from what the BFF accepts.
import * as z from "zod/mini";
import { Availability, AvailabilityQuery, CallbackCancelled, CallbackQueued, CallbackRequest, CallbackScheduled, CallbackStatus, Problem, ProfileQuery, PublicProfile, SignedInVisitor } from "../shared/schemas";

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodMiniType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ "application/json": { schema: ref(name) } });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
const profileParameter = { name: "profile", in: "path", required: true, schema: { type: "string" }, example: "default" };
const requestParameter = { name: "requestId", in: "path", required: true, schema: { type: "string" } };
const tokenParameter = (required: boolean, description: string) => ({ name: "token", in: "query", required, schema: { type: "string" }, description });
/** A query schema's properties as OpenAPI parameters. */
const queryParameters = (schema: z.ZodMiniType) =>
  Object.entries((schemaOf(schema, "input") as { properties: Record<string, JsonSchema> }).properties).map(([name, property]) => ({ name, in: "query", required: false, schema: property }));

export function buildOpenApiDocument() {
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
          parameters: [profileParameter, ...queryParameters(ProfileQuery)],
          responses: {
            "200": { description: "The profile, its texts in the visitor's language when it has them (and in every language it has)", content: json("PublicProfile") },
            "404": problem("Unknown profile"),
            "422": problem("A query parameter is not valid"),
          },
        },
      },
      "/api/v1/profiles/{profile}/availability": {
        get: {
          summary: "Future slots a callback may be requested in",
          parameters: [profileParameter, ...queryParameters(AvailabilityQuery)],
          responses: {
            "200": { description: "Slots as half-open UTC windows", content: json("Availability") },
            "404": problem("Unknown profile"),
            "422": problem("A query parameter is not valid"),
          },
        },
      },
      "/api/v1/profiles/{profile}/me": {
        get: {
          summary: "The signed-in visitor's details from their Dataverse contact, to prefill the form",
          parameters: [profileParameter],
          security: [{ bearer: [] }],
          responses: {
            "200": { description: "Name and number of the contact the token maps to", content: json("SignedInVisitor") },
            "401": problem("No token, or a token that is not valid (signature, issuer, audience, algorithm) or has expired"),
            "403": problem("No single contact matches the signed-in account"),
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
          description: "With a bearer token, the request is for the signed-in visitor's contact and no other.",
          security: [{}, { bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: ref("CallbackRequest") } } },
          responses: {
            "201": { description: "The call is scheduled", content: json("CallbackScheduled") },
            "202": { description: "Accepted and queued: the outbox delivers it; poll the Location", content: json("CallbackQueued") },
            "400": problem("The body is not JSON"),
            "403": problem("The calling page's origin may not use this profile, or a signed-in request names another contact (a signed link for someone else)"),
            "409": problem("A replay of a request that was cancelled since"),
            "413": problem("The body is too large"),
            "415": problem("The body is not declared as JSON"),
            "401": problem("A token that is not valid or has expired, or none on a profile that requires signing in"),
            "422": problem("Some fields are not valid"),
            "429": problem("Too many requests from this address, for this number or for this profile; see Retry-After"),
            "502": problem("The contact centre refused the request"),
            "503": problem("The CAPTCHA provider cannot be asked right now; see Retry-After"),
          },
        },
      },
      "/api/v1/callbacks/{requestId}": {
        get: {
          summary: "A request's status",
          parameters: [requestParameter, tokenParameter(false, "The request's token (from its `links`): adds Dataverse's own state of the delivery, and the links.")],
          responses: { "200": { description: "The request", content: json("CallbackStatus") }, "404": problem("No such request") },
        },
      },
      "/api/v1/callbacks/{requestId}/cancel": {
        post: {
          summary: "Cancel a request: out of the outbox if not sent yet, with CCaaS_CreateOperation (Cancel) in Dataverse if it was",
          parameters: [requestParameter, tokenParameter(true, "The request's token (from its `links`).")],
          responses: {
            "200": { description: "Cancelled (or already was)", content: json("CallbackCancelled") },
            "404": problem("No such request, or a wrong token"),
            "409": problem("Being sent right now (try again shortly), or too late to cancel"),
            "502": problem("The contact centre could not cancel it"),
          },
        },
      },
      "/api/v1/callbacks/{requestId}/invite.ics": {
        get: {
          summary: "A calendar invite: one event per window, with the links to the request's page and to cancel it",
          parameters: [requestParameter, tokenParameter(true, "The request's token (from its `links`).")],
          responses: { "200": { description: "An iCalendar file", content: { "text/calendar": { schema: { type: "string" } } } }, "404": problem("No such request, or a wrong token") },
        },
      },
      "/api/v1/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token for this API from the organisation's Microsoft Entra tenant." } },
      schemas: {
        SignedInVisitor: schemaOf(SignedInVisitor),
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
