import { generateOpenApiDocument } from "trpc-to-openapi";
import { appRouter } from "../trpc/router";

const problem = {
  type: "object",
  required: ["traceId", "type", "title", "status", "detail", "instance", "code"],
  properties: {
    traceId: { type: "string" },
    type: { type: "string", example: "ValidationError" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
    code: { type: "string", example: "CUST-001" },
    errors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
  },
} as const;

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

/** The routes served outside the JSON adapter (rest/file-routes.ts), described by hand. */
const FILE_ROUTES = {
  "/customers/contacts/import": {
    post: {
      tags: ["Contact import and export"],
      summary: "Import contacts from CSV, Excel or JSON (≤ 100 rows at once, more in the background)",
      security: [{ bearerAuth: [] }],
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              required: ["file"],
              properties: {
                file: { type: "string", format: "binary", description: "at most 10 MB and 10,000 records" },
                format: { type: "string", enum: ["CSV", "Excel", "JSON"], description: "detected from the content when absent" },
                mappings: { type: "string", description: 'JSON: contact field → file column, e.g. {"email":"E-mail"}' },
                mode: { type: "string", enum: ["create", "upsert"], default: "create" },
                dryRun: { type: "boolean", default: false },
                defaultCustomerId: { type: "string", format: "uuid", description: "customer for rows that name none" },
              },
            },
          },
        },
      },
      responses: {
        200: { description: "Completed (small files): the import status with counts and row errors" },
        202: { description: "Accepted: poll GET /customers/contacts/import/{importId}" },
        400: problemResponse("Invalid file, mappings or fields"),
        413: problemResponse("File larger than 10 MB (or an Excel file that expands too far)"),
        415: problemResponse("Not a CSV, Excel or JSON file"),
      },
    },
  },
  "/customers/contacts/import/{importId}/errors": {
    get: {
      tags: ["Contact import and export"],
      summary: "The import's row errors as CSV (row, field, reason)",
      security: [{ bearerAuth: [] }],
      parameters: [{ name: "importId", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      responses: { 200: { description: "CSV", content: { "text/csv": {} } }, 404: problemResponse("Unknown import") },
    },
  },
  "/files": {
    post: {
      tags: ["Communications"],
      summary: "Upload a file (e.g. an email attachment, ≤ 10 MB); answers its id",
      security: [{ bearerAuth: [] }],
      requestBody: { required: true, content: { "multipart/form-data": { schema: { type: "object", required: ["file"], properties: { file: { type: "string", format: "binary" } } } } } },
      responses: { 201: { description: "{id, fileName, contentType, size, createdAt}" }, 400: problemResponse("No file, or too large") },
    },
  },
  "/webhooks/email/events": {
    post: {
      tags: ["Webhooks"],
      summary: "Delivery, bounce and complaint reports from the email provider",
      description: "Body: one event or {events:[…]}, each {communicationId, event: delivered|bounce|complaint, bounceType: hard|soft, reason}. Header X-Clientele-Signature: sha256=<hex HMAC-SHA256 of the body with EMAIL_WEBHOOK_SECRET>.",
      responses: { 200: { description: "{received, applied}" }, 401: problemResponse("Bad signature") },
    },
  },
  "/webhooks/twilio/status": {
    post: {
      tags: ["Webhooks"],
      summary: "Twilio message status callback (X-Twilio-Signature checked)",
      responses: { 200: { description: "Empty TwiML" }, 401: problemResponse("Bad signature") },
    },
  },
  "/webhooks/twilio/inbound": {
    post: {
      tags: ["Webhooks"],
      summary: "Inbound SMS from Twilio: STOP/START and synonyms opt the number out/in (X-Twilio-Signature checked)",
      responses: { 200: { description: "Empty TwiML" }, 401: problemResponse("Bad signature") },
    },
  },
  "/files/download": {
    get: {
      tags: ["Contact import and export"],
      summary: "Download an export through its signed URL (no bearer token; the URL expires after 24 hours)",
      parameters: [{ name: "token", in: "query", required: true, schema: { type: "string" } }],
      responses: {
        200: { description: "The file" },
        400: problemResponse("The link has expired"),
        403: problemResponse("The link is not valid"),
        404: problemResponse("The file was removed (kept 7 days)"),
      },
    },
  },
  "/public/tenants/{tenantId}/testimonials": {
    get: {
      tags: ["Testimonials"],
      summary: "A tenant's approved, public testimonials for its website (no bearer token; cacheable for 5 minutes)",
      description: "Newest approval first. Answers Cache-Control: public, max-age=300 and a strong ETag; send it back in If-None-Match for a 304. An unknown tenant answers an empty list.",
      parameters: [
        { name: "tenantId", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" } },
        { name: "page", in: "query", required: false, schema: { type: "integer", minimum: 1, default: 1 } },
        { name: "pageSize", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
      ],
      responses: {
        200: { description: "{items: [{id, authorName, content, rating, approvedAt}], page, pageSize, totalCount}" },
        304: { description: "Not modified (If-None-Match matched the ETag)" },
        400: problemResponse("Invalid tenant id, page or pageSize"),
      },
    },
  },
};

let cached: ReturnType<typeof generateOpenApiDocument> | undefined;

/** Built once; only `servers` follows the caller (PUBLIC_URL, else the request's own host). */
export function openApiDocument(baseUrl: string) {
  cached ??= withExtras(
    generateOpenApiDocument(appRouter, {
      title: "Clientele API",
      version: "1.0.0",
      baseUrl,
      description:
        "Customer management REST contract. Authenticate with `Authorization: Bearer <JWT>`. Errors are RFC 7807 " +
        "problem+json. Send `If-Match: \"<version>\"` (or `version` in the body) on writes for optimistic concurrency.",
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    }),
  );
  return { ...cached, servers: [{ url: baseUrl }] };
}

/** The problem schema and the routes served outside tRPC (uploads, downloads, webhooks, public). */
function withExtras(doc: ReturnType<typeof generateOpenApiDocument>) {
  const d = doc as unknown as { paths: Record<string, unknown>; components?: { schemas?: Record<string, unknown> } };
  d.components = { ...d.components, schemas: { ...d.components?.schemas, Problem: problem } };
  Object.assign(d.paths, FILE_ROUTES);
  return doc;
}
