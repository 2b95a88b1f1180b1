// The OpenAPI 3.1 document of the public API, generated from the same zod schemas that validate
// requests, so the document cannot drift from what the BFF accepts.
import * as z from "zod/mini";
import { Availability, AvailabilityQuery, CallbackRequest, CallbackScheduled, Problem, PublicProfile, SignedInVisitor } from "../shared/schemas";

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodMiniType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ "application/json": { schema: ref(name) } });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
const profileParameter = { name: "profile", in: "path", required: true, schema: { type: "string" }, example: "default" };

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
          description: "With a bearer token, the request is for the signed-in visitor's contact and no other.",
          security: [{}, { bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: ref("CallbackRequest") } } },
          responses: {
            "201": { description: "The call is scheduled", content: json("CallbackScheduled") },
            "400": problem("The body is not JSON"),
            "413": problem("The body is too large"),
            "415": problem("The body is not declared as JSON"),
            "401": problem("A token that is not valid or has expired, or none on a profile that requires signing in"),
            "403": problem("A signed-in request naming another contact (a signed link for someone else)"),
            "422": problem("Some fields are not valid"),
            "502": problem("The contact centre refused the request"),
            "503": problem("The contact centre is unavailable; try again later"),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token for this API from the organisation's Microsoft Entra tenant." } },
      schemas: {
        SignedInVisitor: schemaOf(SignedInVisitor),
        CallbackRequest: schemaOf(CallbackRequest, "input"),
        CallbackScheduled: schemaOf(CallbackScheduled),
        PublicProfile: schemaOf(PublicProfile),
        Availability: schemaOf(Availability),
        Problem: schemaOf(Problem),
      },
    },
  };
}
