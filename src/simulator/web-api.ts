// The Dataverse Web API subset the BFF uses: `contacts` (query, read, create), the
// `CCaaS_CreateProactiveVoiceDelivery` action, and `msdyn_proactive_deliveries` (query, read).
// Every call needs a valid bearer token; every refusal is a Dataverse-shaped OData error.
import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as z from "zod/mini";
import { Guid, ProactiveVoiceDeliveryRequest } from "../shared/schemas";
import type { Identity } from "./identity";
import { FilterSyntaxError, ODATA_JSON, odataError, parseFilter } from "./odata";
import type { SimulatorState } from "./state";

const CONTACT_FIELDS = ["contactid", "firstname", "lastname", "fullname", "mobilephone", "telephone1", "emailaddress1"] as const;
const CONTACT_WRITABLE: Record<string, number> = { firstname: 50, lastname: 50, mobilephone: 50, telephone1: 50, emailaddress1: 100 };
const DELIVERY_FIELDS = [
  "msdyn_proactive_deliveryid",
  "msdyn_to_address",
  "msdyn_contact_id",
  "msdyn_proactive_engagement_config_id",
  "msdyn_status",
  "msdyn_result",
  "createdon",
] as const;
const AGENT_ROLES = ["omnichannel agent", "omnichannel supervisor"];

type Env = { Variables: { appId: string } };

const CreateOperationRequest = z.strictObject({ ApiVersion: z.literal("1.0"), Operation: z.literal("Cancel"), DeliveryId: Guid });

// Choice values as Dataverse stores them (numbers); labels come back as formatted-value annotations.
const CHOICES = {
  type: { Voice: 192_350_000, SMS: 192_350_001 },
  dialMode: { Copilot: 192_350_000, Progressive: 192_350_001, Preview: 192_350_002, Predictive: 192_350_003 },
} as const;

export function createWebApi(state: SimulatorState, identity: Identity, options: { orgUrl: string; tenantId: string; appRoles: string[]; now: () => number }) {
  const api = new Hono<Env>();
  const base = `${options.orgUrl}/api/data/v9.2`;
  // The Omnichannel roles carry the proactive engagement privileges; Basic User does not.
  const hasAgentRole = () => options.appRoles.some((role) => AGENT_ROLES.includes(role.toLowerCase()));

  api.use(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    const challenge = { "WWW-Authenticate": `Bearer authorization_uri=${options.orgUrl}/${options.tenantId}/oauth2/authorize, resource_id=${options.orgUrl}` };
    if (!token) return odataError(c, 401, "0x80072183", "Bearer token is missing from the Authorization header.", challenge);
    try {
      c.set("appId", (await identity.verifyAccessToken(token)).appId);
    } catch (error) {
      return odataError(c, 401, "0x80072182", `The access token is not valid: ${(error as Error).message}`, challenge);
    }
    await next();
  });

  api.use(
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => odataError(c, 413, "0x8004f0fb", "The request body is larger than the maximum allowed size."),
    }),
  );

  // ---------- contacts ----------

  api.get("/contacts", (c) => {
    state.stats.contactQueries++;
    const query = collectionQuery(c, CONTACT_FIELDS);
    if (query instanceof Response) return query;
    const rows = firstMatches(state.contacts.values(), query);
    return c.body(
      JSON.stringify({ "@odata.context": `${base}/$metadata#contacts(${query.select.join(",")})`, value: rows.map((row) => project(row, query.select)) }),
      200,
      { "Content-Type": ODATA_JSON },
    );
  });

  api.post("/contacts", async (c) => {
    state.stats.contactCreates++;
    const body = await jsonBody(c);
    if (body instanceof Response) return body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) return odataError(c, 400, "0x80040216", "The request body must be a JSON object.");
    for (const [key, value] of Object.entries(body)) {
      const max = CONTACT_WRITABLE[key];
      if (max === undefined) {
        return odataError(c, 400, "0x80060888", `An undeclared property '${key}' which only has property annotations in the payload but no property value was found in the payload.`);
      }
      if (typeof value !== "string") return odataError(c, 400, "0x80048d19", `Invalid value for property '${key}': expected a string.`);
      if (value.length > max) return odataError(c, 400, "0x80044331", `A validation error occurred. The length of the '${key}' attribute of the 'contact' entity exceeded the maximum allowed length of '${max}'.`);
    }
    const fields = body as Record<string, string>;
    const contactid = randomUUID();
    const contact = {
      contactid,
      fullname: [fields.firstname, fields.lastname].filter(Boolean).join(" "),
      ...fields,
      "@odata.etag": `W/"${state.nextVersion()}"`,
    };
    state.contacts.set(contactid, contact);
    const entityId = `${base}/contacts(${contactid})`;
    if ((c.req.header("prefer") ?? "").includes("return=representation")) {
      return c.body(JSON.stringify({ "@odata.context": `${base}/$metadata#contacts/$entity`, ...contact }), 201, { "Content-Type": ODATA_JSON, "OData-EntityId": entityId });
    }
    return c.body(null, 204, { "OData-EntityId": entityId, "OData-Version": "4.0" });
  });

  // ---------- proactive deliveries ----------

  api.post("/CCaaS_CreateProactiveVoiceDelivery", async (c) => {
    state.stats.actionCalls++;
    const refuse = (status: 400 | 403 | 404, code: string, message: string) => {
      state.stats.refusedActionCalls++;
      return odataError(c, status, code, message);
    };
    if (!hasAgentRole()) {
      return refuse(403, "0x80040220", `Principal user (Id=${c.get("appId")}, type=8) is missing the Omnichannel agent or Omnichannel supervisor role required for CCaaS_CreateProactiveVoiceDelivery.`);
    }
    if (!(c.req.header("content-type") ?? "").includes("application/json")) {
      state.stats.refusedActionCalls++;
      return odataError(c, 415, "0x80048d02", "The request's Content-Type must be application/json.");
    }
    const body = parseJson(await c.req.text());
    if (body === undefined) return refuse(400, "0x80040216", "Syntax error in the request body: it is not valid JSON.");
    // Some clients send the two collections as JSON-encoded strings; both forms are accepted.
    const decoded = decodeStringCollections(body);
    if (decoded === undefined) return refuse(400, "0x80040203", "Invalid argument 'Windows' or 'InputAttributes': the string is not valid JSON.");
    const parsed = ProactiveVoiceDeliveryRequest.safeParse(decoded);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === "unrecognized_keys" ? (issue as { keys: string[] }).keys.join(", ") : issue.path.join(".");
      return refuse(400, "0x80040203", `Invalid argument '${field}': ${issue.message === "Invalid input" ? issue.code : issue.message}.`);
    }
    const request = parsed.data;
    for (const [index, window] of (request.Windows ?? []).entries()) {
      // Dataverse parses the instants itself: one that does not exist (2031-13-45T25:61:61.000Z) is refused.
      for (const [key, text] of Object.entries(window)) {
        if (!isRealUtcInstant(text)) return refuse(400, "0x80040203", `Invalid argument 'Windows.${index}.${key}': '${text}' is not a valid UTC date and time.`);
      }
      if (Date.parse(window.Start) >= Date.parse(window.End)) return refuse(400, "0x80040203", `Invalid argument 'Windows.${index}': Start must be before End.`);
      if (Date.parse(window.End) <= options.now()) return refuse(400, "0x80040203", `Invalid argument 'Windows.${index}': the window has already ended.`);
    }
    const config = state.engagementConfigs.get(request.ProactiveEngagementConfigId.toLowerCase());
    if (!config) return refuse(404, "0x80040217", `msdyn_proactive_engagement_config With Id = ${request.ProactiveEngagementConfigId} Does Not Exist`);
    if (!config.active || config.type !== "Voice") {
      return refuse(400, "0x80040203", `Invalid argument 'ProactiveEngagementConfigId': the configuration is ${config.active ? "not a Voice configuration" : "inactive"}.`);
    }
    if (!state.contacts.has(request.ContactId.toLowerCase())) return refuse(404, "0x80040217", `contact With Id = ${request.ContactId} Does Not Exist`);

    const deliveryId = randomUUID();
    state.recordDelivery({ deliveryId, appId: c.get("appId"), headers: recordedHeaders(c), body, request });
    return c.body(
      JSON.stringify({ "@odata.context": `${base}/$metadata#Microsoft.Dynamics.CRM.CCaaS_CreateProactiveVoiceDeliveryResponse`, DeliveryId: deliveryId }),
      200,
      { "Content-Type": ODATA_JSON },
    );
  });

  // Cancel (the only operation we use): { ApiVersion: "1.0", Operation: "Cancel", DeliveryId } answers 202.
  api.post("/CCaaS_CreateOperation", async (c) => {
    const body = (await jsonBody(c)) as unknown;
    if (body instanceof Response) return body;
    const parsed = CreateOperationRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === "unrecognized_keys" ? (issue as { keys: string[] }).keys.join(", ") : issue.path.join(".");
      return odataError(c, 400, "0x80040203", `Invalid argument '${field}'.`);
    }
    if (!hasAgentRole()) return odataError(c, 403, "0x80040220", `Principal user (Id=${c.get("appId")}, type=8) is missing the Omnichannel agent or Omnichannel supervisor role.`);
    const row = state.deliveryRows.get(parsed.data.DeliveryId.toLowerCase());
    if (!row) return odataError(c, 404, "0x80040217", `msdyn_proactive_delivery With Id = ${parsed.data.DeliveryId} Does Not Exist`);
    if (row.msdyn_status !== "Pending") return odataError(c, 400, "0x80040203", `The delivery is ${String(row.msdyn_status)} and can no longer be cancelled.`);
    row.msdyn_status = "Cancelled";
    row.msdyn_result = "Cancelled";
    state.operations.push({ operation: parsed.data.Operation, deliveryId: parsed.data.DeliveryId, receivedAt: new Date(options.now()).toISOString() });
    return c.body(null, 202);
  });

  api.get("/msdyn_proactive_deliveries", (c) => {
    const query = collectionQuery(c, DELIVERY_FIELDS);
    if (query instanceof Response) return query;
    const rows = firstMatches(state.deliveryRows.values(), query);
    return c.body(
      JSON.stringify({ "@odata.context": `${base}/$metadata#msdyn_proactive_deliveries(${query.select.join(",")})`, value: rows.map((row) => project(row, query.select)) }),
      200,
      { "Content-Type": ODATA_JSON },
    );
  });

  api.get("/WhoAmI()", (c) =>
    c.body(
      JSON.stringify({
        "@odata.context": `${base}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: state.businessUnitId,
        UserId: state.applicationUserId,
        OrganizationId: state.organizationId,
      }),
      200,
      { "Content-Type": ODATA_JSON },
    ),
  );

  api.get("/:segment{msdyn_proactive_engagement_configs\\([^/]+\\)}", (c) => {
    if (!hasAgentRole()) return odataError(c, 403, "0x80040220", `Principal user (Id=${c.get("appId")}, type=8) is missing prvReadmsdyn_proactive_engagement_config privilege.`);
    const id = /\((.+)\)$/.exec(c.req.param("segment"))![1]!;
    const config = state.engagementConfigs.get(id.toLowerCase());
    if (!config) return odataError(c, 404, "0x80040217", `msdyn_proactive_engagement_config With Id = ${id} Does Not Exist`);
    const formatted = (c.req.header("prefer") ?? "").includes("OData.Community.Display.V1.FormattedValue");
    const F = "@OData.Community.Display.V1.FormattedValue";
    const row: Record<string, unknown> = {
      "@odata.context": `${base}/$metadata#msdyn_proactive_engagement_configs/$entity`,
      msdyn_proactive_engagement_configid: config.id,
      msdyn_name: config.name,
      msdyn_type: CHOICES.type[config.type],
      msdyn_dialmode_type: CHOICES.dialMode[config.dialMode],
      statecode: config.active ? 0 : 1,
    };
    if (formatted) Object.assign(row, { [`msdyn_type${F}`]: config.type, [`msdyn_dialmode_type${F}`]: config.dialMode, [`statecode${F}`]: config.active ? "Active" : "Inactive" });
    return c.body(JSON.stringify(row), 200, { "Content-Type": ODATA_JSON });
  });

  // A single row: `contacts(<id>)` or `msdyn_proactive_deliveries(<id>)`.
  api.get("/:segment{(?:contacts|msdyn_proactive_deliveries)\\([^/]+\\)}", (c) => {
    const [, table, id] = /^(\w+)\((.+)\)$/.exec(c.req.param("segment"))!;
    const entity = table === "contacts" ? "contact" : "msdyn_proactive_delivery";
    const row = (table === "contacts" ? state.contacts : state.deliveryRows).get(id!.toLowerCase());
    if (!row) return odataError(c, 404, "0x80040217", `${entity} With Id = ${id} Does Not Exist`);
    return c.body(JSON.stringify({ "@odata.context": `${base}/$metadata#${table}/$entity`, ...row }), 200, { "Content-Type": ODATA_JSON });
  });

  api.all("/contacts", (c) => odataError(c, 405, "0x80060888", `The HTTP method '${c.req.method}' is not allowed on contacts.`));
  api.all("/CCaaS_CreateProactiveVoiceDelivery", (c) => odataError(c, 405, "0x80060888", "CCaaS_CreateProactiveVoiceDelivery is an action: use POST."));
  api.all("*", (c) => odataError(c, 404, "0x80060888", `Resource not found for the segment '${c.req.path.split("/").pop()}'.`));
  return api;
}

interface CollectionQuery {
  filter: (row: Record<string, unknown>) => boolean;
  select: string[];
  top: number;
}

function collectionQuery(c: Context, fields: readonly string[]): CollectionQuery | Response {
  const filterText = c.req.query("$filter");
  const selectText = c.req.query("$select");
  const topText = c.req.query("$top");
  let filter: CollectionQuery["filter"] = () => true;
  if (filterText !== undefined) {
    try {
      filter = parseFilter(filterText, fields);
    } catch (error) {
      if (error instanceof FilterSyntaxError) return odataError(c, 400, "0x80060888", `Syntax error in $filter: ${error.message}`);
      throw error;
    }
  }
  const select = selectText ? selectText.split(",").map((f) => f.trim()) : [...fields];
  const unknown = select.find((f) => !fields.includes(f));
  if (unknown) return odataError(c, 400, "0x80060888", `Could not find a property named '${unknown}' on type 'Microsoft.Dynamics.CRM'.`);
  const top = topText === undefined ? 5000 : Number(topText);
  if (!Number.isInteger(top) || top < 0) return odataError(c, 400, "0x80060888", "The value of $top must be a non-negative integer.");
  return { filter, select, top };
}

/** The first `top` rows the filter keeps, in table order (as $top without $orderby), without reading further. */
function firstMatches<Row extends Record<string, unknown>>(rows: Iterable<Row>, query: CollectionQuery): Row[] {
  const found: Row[] = [];
  if (query.top === 0) return found;
  for (const row of rows) {
    if (!query.filter(row)) continue;
    found.push(row);
    if (found.length === query.top) break;
  }
  return found;
}

function project(row: Record<string, unknown>, select: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = { "@odata.etag": row["@odata.etag"] ?? 'W/"1"' };
  for (const field of select) result[field] = row[field] ?? null;
  return result;
}

async function jsonBody(c: Context): Promise<unknown> {
  if (!(c.req.header("content-type") ?? "").includes("application/json")) {
    return odataError(c, 415, "0x80048d02", "The request's Content-Type must be application/json.");
  }
  const parsed = parseJson(await c.req.text());
  return parsed === undefined ? odataError(c, 400, "0x80040216", "Syntax error in the request body: it is not valid JSON.") : parsed;
}

function decodeStringCollections(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const result: Record<string, unknown> = { ...body };
  for (const key of ["Windows", "InputAttributes"]) {
    if (typeof result[key] !== "string") continue;
    const value = parseJson(result[key] as string);
    if (value === undefined) return undefined;
    result[key] = value;
  }
  return result;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Headers as received, lower-case; the bearer token itself is never kept. */
function recordedHeaders(c: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((value, name) => {
    headers[name] = name === "authorization" ? "Bearer [verified]" : value;
  });
  return headers;
}

/** `yyyy-MM-ddTHH:mm:ss.fffZ` naming an instant that exists, checked by the calendar, not by a pattern. */
function isRealUtcInstant(text: string): boolean {
  const instant = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text) && !Number.isNaN(instant) && new Date(instant).toISOString() === text;
}
