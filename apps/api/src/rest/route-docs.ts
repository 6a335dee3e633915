import type { RequestHandler } from "express";
import { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from "zod-openapi";
import { BY_KIND } from "../errors";
import type { Meta } from "../trpc/trpc";

export type SuccessStatus = 200 | 201 | 202 | 204;

/** Every status a successful REST call of the procedure can answer: what the document declares. */
export const successStatuses = (meta: Meta): SuccessStatus[] => [meta.successStatus ?? 200, ...(meta.acceptedWhen ? [202 as const] : [])];

/** The status REST answers for this result: one of successStatuses(meta). */
export const successStatusOf = (meta: Meta, data: unknown): SuccessStatus => (meta.acceptedWhen?.(data) ? 202 : (meta.successStatus ?? 200));

export type HttpMethod = "get" | "post" | "put" | "delete";

/**
 * A route served outside the procedure adapter (multipart, CSV, webhooks, public), described where
 * its handler is: `mount` serves it at exactly the method and path the document shows.
 */
export type RouteDoc = Omit<ZodOpenApiOperationObject, "operationId"> & {
  method: HttpMethod;
  path: `/${string}`;
  operationId: string;
  /** The procedure the handler calls: the document takes who may call it (bearer, privilege) from its meta and adds the 401, 403 and 429 answers. */
  procedure?: string;
};

/** `/customers/{id}` → `/customers/:id` */
export const expressPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ":$1");

/** A hand-written route and the express handlers that serve it, in turn; rest-adapter's dispatcher serves it. */
export type MountedRoute = { doc: RouteDoc; handlers: RequestHandler[] };

export function mount(r: MountedRoute[], doc: RouteDoc, ...handlers: RequestHandler[]): void {
  r.push({ doc, handlers });
}

export const BEARER = [{ bearerAuth: [] }];

/** The multipart fields every import upload takes: the file (with its limits) and its format. */
export const uploadFileFields = (limits: string) => ({
  file: z.string().meta({ format: "binary", description: limits }),
  format: z.enum(["CSV", "Excel", "JSON"]).optional().meta({ description: "detected from the content when absent" }),
});

/** RFC 7807 problem details, as rest-adapter's sendProblem writes them (errors.ts builds them). */
export const ZProblem = z
  .object({
    traceId: z.string().meta({ description: "the request's trace id (also in X-Request-Id); quote it when reporting a problem" }),
    type: z.string().meta({ example: "ValidationError" }),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().meta({ description: "the request path" }),
    code: z.string().meta({ description: "the error code (Appendix B), e.g. CUST-001", example: "VALIDATION" }),
    errors: z.record(z.string(), z.array(z.string())).optional().meta({ description: "field → what is wrong with it" }),
    mergedInto: z.string().optional().meta({ description: "a merged customer's 404: the id of the customer it was merged into" }),
  })
  .meta({ id: "Problem", description: "RFC 7807 problem details" });

// Type and title come from errors.ts, which answers them; the code is the one sent for that status.
const PROBLEM_RESPONSES = {
  400: { name: "BadRequest", ...BY_KIND.validation, code: "VALIDATION", description: "Invalid input: `errors` names each field and what is wrong with it" },
  401: { name: "Unauthorized", ...BY_KIND.unauthorized, code: "AUTH-001", description: "Missing, malformed, expired or wrongly signed credentials" },
  403: { name: "Forbidden", ...BY_KIND.forbidden, code: "AUTH-002", description: "None of your roles holds the privilege this operation needs" },
  404: { name: "NotFound", ...BY_KIND.not_found, code: "NOT_FOUND", description: "No such resource in your tenant (another tenant's id answers the same)" },
  409: { name: "Conflict", ...BY_KIND.conflict, code: "CONCURRENCY", description: "Conflict with the current state" },
  413: { name: "PayloadTooLarge", ...BY_KIND.too_large, code: "PAYLOAD", description: "The body exceeds 1 MB" },
  415: { name: "UnsupportedMediaType", ...BY_KIND.unsupported, code: "MEDIA_TYPE", description: "The body is not of a media type this operation reads" },
  429: { name: "TooManyRequests", ...BY_KIND.rate_limited, code: "RATE-001", description: "A rate limit is reached: retry after `Retry-After` seconds" },
  500: { name: "InternalError", status: 500, type: "InternalServerError", title: "Internal server error", code: "INTERNAL", description: "An unexpected error; quote the traceId when reporting it" },
} as const;
export type ProblemStatus = keyof typeof PROBLEM_RESPONSES;

// The general budgets (rest of the hour) set all four; the per-number SMS budget says when in `detail`.
const RATE_LIMIT_HEADERS = z.object({
  "Retry-After": z.string().optional().meta({ description: "seconds to wait before retrying", example: "42" }),
  "RateLimit-Limit": z.string().optional().meta({ description: "requests the tightest budget allows per hour", example: "1000" }),
  "RateLimit-Remaining": z.string().optional().meta({ description: "requests left in it", example: "0" }),
  "RateLimit-Reset": z.string().optional().meta({ description: "seconds until it refills", example: "42" }),
});

/** A problem+json response with this description (and an example built from it). */
export function problem(status: ProblemStatus, description: string = PROBLEM_RESPONSES[status].description): ZodOpenApiResponseObject {
  const p = PROBLEM_RESPONSES[status];
  return {
    description,
    ...(status === 429 ? { headers: RATE_LIMIT_HEADERS } : {}),
    content: {
      "application/problem+json": {
        schema: ZProblem,
        example: {
          traceId: "0b6a4f0e-3c1d-4a8e-9f2b-7d5c3e1a9b40",
          type: p.type,
          title: p.title,
          status,
          detail: description,
          instance: "/api/v1/customers/5f0c6b9e-2a4d-4c1b-9e8f-3d7a1b2c4e6f",
          code: p.code,
          ...(status === 400 ? { errors: { primaryEmail: ["must be a valid email address"] } } : {}),
        },
      },
    },
  };
}

/** The shared problem responses, referenced by name from every operation that can answer them. */
export const problemComponents = () =>
  Object.fromEntries(
    Object.entries(PROBLEM_RESPONSES)
      // Conflicts are described per operation (what conflicts with what), never shared.
      .filter(([status]) => status !== "409")
      .map(([status, p]) => [p.name, problem(Number(status) as ProblemStatus)]),
  );

/** References to the shared problem responses for these statuses. */
export const problems = (...statuses: ProblemStatus[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/${PROBLEM_RESPONSES[s].name}` }]));
