import { PRIVILEGE_MATRIX, ROLES, type Privilege } from "@clientele/domain";
import type { AnyProcedure } from "@trpc/server";
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { appRouter } from "../trpc/router";
import type { Meta } from "../trpc/trpc";
import { fileRouteDocs } from "./file-routes";
import { customerTransferRouteDocs } from "../features/customers/customer-transfer.routes";
import { addExamples } from "./openapi-examples";
import { publicRouteDocs } from "./public-routes";
import { IF_MATCH_VERSION, routes } from "./rest-adapter";
import { BEARER, problem, problemComponents, problems, successStatuses, type HttpMethod, type ProblemStatus, type RouteDoc } from "./route-docs";
import { webhookRouteDocs } from "./webhook-routes";

type Shape = Record<string, z.ZodType>;

/** The object a procedure's input is (through a transform or refinement pipe). */
function objectShape(schema: unknown, procedurePath: string): Shape {
  if (schema === undefined) return {};
  if (schema instanceof z.ZodObject) return schema.shape as Shape;
  if (schema instanceof z.ZodPipe) return objectShape(schema.in, procedurePath);
  throw new Error(`${procedurePath}: a REST procedure's input must be an object`);
}

const pick = (shape: Shape, keys: string[]) => z.object(Object.fromEntries(keys.map((k) => [k, shape[k]!])));
const isOptional = (schema: z.ZodType) => schema.safeParse(undefined).success;

const rolesHolding = (privilege: Privilege) => ROLES.filter((role) => PRIVILEGE_MATRIX[role].includes(privilege));

/** The description, then who may call: the privilege and the roles holding it. */
const describe = (description: string | undefined, privilege: Privilege | undefined) =>
  [description, privilege ? `Needs the \`${privilege}\` privilege (roles: ${rolesHolding(privilege).join(", ")}).` : undefined].filter(Boolean).join("\n\n") ||
  undefined;

const IF_MATCH = z.object({
  "If-Match": z
    .string()
    .regex(IF_MATCH_VERSION)
    .optional()
    .meta({ description: 'the version you read, e.g. `"3"` (as the ETag gave it; or send `version` in the body). Stale → 409', example: '"3"' }),
});
const ETAG = z.object({ ETag: z.string().meta({ description: "the resource's version; send it back in If-Match", example: '"4"' }) });
const SUCCESS_DESCRIPTION = { 200: "OK", 201: "Created", 202: "Accepted: the work goes on in the background; poll its status", 204: "Done (no body)" } as const;

/** One procedure's operation, from the same meta and schemas the adapter serves it with. */
function procedureOperation(procedurePath: string, procedure: AnyProcedure, meta: Meta): ZodOpenApiOperationObject {
  const openapi = meta.openapi!;
  const method = openapi.method.toLowerCase() as HttpMethod;
  const def = procedure._def as unknown as { inputs: unknown[]; output?: z.ZodType };
  const shape = objectShape(def.inputs[0], procedurePath);
  const pathNames = [...openapi.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const others = Object.keys(shape).filter((k) => !pathNames.includes(k));
  const hasBody = method === "post" || method === "put";
  const versioned = "version" in shape;
  const output = def.output;
  const outputVersioned = output instanceof z.ZodObject && "version" in output.shape;

  const responses: ZodOpenApiResponsesObject = {};
  for (const status of successStatuses(meta)) {
    responses[`${status}`] =
      status === 204 || !output
        ? { description: SUCCESS_DESCRIPTION[status] }
        : {
            description: SUCCESS_DESCRIPTION[status],
            ...(outputVersioned ? { headers: ETAG } : {}),
            content: { "application/json": { schema: output, ...(meta.example?.response !== undefined ? { example: meta.example.response } : {}) } },
          };
  }
  const errorStatuses: ProblemStatus[] = [];
  if (Object.keys(shape).length > 0) errorStatuses.push(400);
  if (meta.privilege) errorStatuses.push(401, 403);
  if (hasBody) errorStatuses.push(413, 415);
  errorStatuses.push(429, 500);
  Object.assign(responses, problems(...errorStatuses));
  if (pathNames.length > 0 || meta.errors?.[404]) responses["404"] = meta.errors?.[404] ? problem(404, meta.errors[404]) : problems(404)["404"]!;
  const conflicts = [versioned ? "Stale version: the `If-Match` header (or body `version`) is not the current one; reload and retry" : "", meta.errors?.[409] ?? ""].filter(Boolean);
  if (conflicts.length > 0) responses["409"] = problem(409, conflicts.join(". "));

  const body = pick(shape, others);
  return {
    operationId: openapi.operationId ?? procedurePath.replace(/\./g, "-"),
    summary: openapi.summary,
    description: describe(openapi.description, meta.privilege),
    tags: openapi.tags,
    security: meta.privilege ? BEARER : [],
    requestParams: {
      ...(pathNames.length ? { path: pick(shape, pathNames) } : {}),
      ...(!hasBody && others.length ? { query: body } : {}),
      ...(versioned ? { header: IF_MATCH } : {}),
    },
    ...(hasBody && others.length
      ? {
          requestBody: {
            required: others.some((k) => !isOptional(shape[k]!)),
            content: { "application/json": { schema: body, ...(meta.example?.request !== undefined ? { example: meta.example.request } : {}) } },
          },
        }
      : {}),
    responses,
  };
}

/** Every REST operation: the adapter's procedure routes and the hand-mounted ones. */
export function restOperations(): { method: HttpMethod; path: string; operation: ZodOpenApiOperationObject }[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  const fromProcedures = routes().map((route) => ({
    method: route.method as HttpMethod,
    path: route.meta.openapi!.path,
    operation: procedureOperation(route.procedurePath, route.procedure, route.meta),
  }));
  const handMounted = [...fileRouteDocs, ...customerTransferRouteDocs, ...webhookRouteDocs, ...publicRouteDocs].map(({ method, path, procedure, ...operation }: RouteDoc) => {
    if (!procedure) return { method, path, operation };
    const privilege = (procedures[procedure]?._def.meta as Meta | undefined)?.privilege;
    if (!privilege) throw new Error(`${method.toUpperCase()} ${path}: ${procedure} is not a procedure behind a privilege`);
    const responses = { ...problems(401, 403, 429), ...operation.responses };
    return { method, path, operation: { ...operation, description: describe(operation.description, privilege), security: BEARER, responses } };
  });
  return [...fromProcedures, ...handMounted];
}

function buildDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const { method, path, operation } of restOperations()) {
    const item = (paths[path] ??= {});
    if (item[method]) throw new Error(`two operations for ${method.toUpperCase()} ${path}`);
    item[method] = operation;
  }
  const doc = createDocument({
    openapi: "3.1.0",
    info: {
      title: "Clientele API",
      version: "1.0.0",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
      description:
        "Customer management REST contract. Authenticate with `Authorization: Bearer <JWT>`. Errors are RFC 7807 " +
        "`application/problem+json` (the `Problem` schema). Send `If-Match: \"<version>\"` (or `version` in the body) on " +
        "versioned updates for optimistic concurrency: a stale one answers 409. Calls are rate limited per user and tenant " +
        "(search, export, import and bulk sends on a smaller budget of their own): 429 with `Retry-After` past the limit, " +
        "and `RateLimit-Limit`/`-Remaining`/`-Reset` headers on every metered response.",
    },
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      responses: problemComponents(),
    },
  });
  return addExamples(doc);
}

let cached: ReturnType<typeof buildDocument> | undefined;

/** Built once; only `servers` follows the caller (PUBLIC_URL, else the request's own host). */
export function openApiDocument(baseUrl: string) {
  cached ??= buildDocument();
  return { ...cached, servers: [{ url: baseUrl }] };
}
