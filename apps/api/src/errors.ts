import { DomainError, type DomainErrorKind, type FieldErrors } from "@clientele/domain";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { FileNotFoundError, FileRejectedError, InvalidStorageKeyError, type FileRejectedCode } from "@clientele/files";
import { MulterError } from "multer";
import { ZodError } from "zod";
import { AuthError } from "./auth/jwt";

/** RFC 7807 body with the spec's fields (001 §12.1) plus the domain error code. */
export type Problem = {
  traceId: string;
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: FieldErrors;
  /** Where a merged customer's records went (its reads answer 404 with this). */
  mergedInto?: string;
};

type Mapped = Omit<Problem, "traceId" | "instance">;

/** Each kind of error's status, type and title; the OpenAPI document describes them from here too. */
export const BY_KIND: Record<DomainErrorKind, { status: number; type: string; title: string }> = {
  validation: { status: 400, type: "ValidationError", title: "Validation failed" },
  business_rule: { status: 400, type: "BusinessRuleError", title: "Business rule violated" },
  not_found: { status: 404, type: "NotFoundError", title: "Not found" },
  conflict: { status: 409, type: "ConflictError", title: "Conflict" },
  unauthorized: { status: 401, type: "UnauthorizedError", title: "Authentication required" },
  forbidden: { status: 403, type: "ForbiddenError", title: "Forbidden" },
  too_large: { status: 413, type: "PayloadTooLargeError", title: "Payload too large" },
  unsupported: { status: 415, type: "UnsupportedMediaTypeError", title: "Unsupported media type" },
  rate_limited: { status: 429, type: "TooManyRequestsError", title: "Too many requests" },
  unavailable: { status: 503, type: "ServiceUnavailableError", title: "Service unavailable" },
};

const FILE_REJECTION_KIND: Record<FileRejectedCode, DomainErrorKind> = {
  TOO_LARGE: "too_large",
  UNSUPPORTED_FORMAT: "unsupported",
  FORMAT_MISMATCH: "validation",
  TOO_MANY_RECORDS: "validation",
  MALFORMED: "validation",
};

const TRPC_CODE_BY_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  503: "SERVICE_UNAVAILABLE",
};

function zodFieldErrors(error: ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join(".") : "body";
    (out[field] ??= []).push(issue.message);
  }
  return out;
}

/** What body-parser and the router throw (http-errors): a 4xx that names the client's mistake. */
type BodyParserError = Error & { status: number; expose: boolean; type?: string; charset?: string; code?: unknown };

function isClientHttpError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  // The router marks an undecodable path parameter (a URIError) 400 without http-errors' `expose`.
  const shown = e?.expose === true || error instanceof URIError;
  return error instanceof Error && typeof e?.status === "number" && e.status >= 400 && e.status < 500 && shown;
}

const METHOD_NOT_ALLOWED = { status: 405, type: "MethodNotAllowedError", title: "Method not allowed" };

/** Transport-level faults of the request: body charset, Content-Encoding, JSON syntax, size. */
function mapBodyError(error: BodyParserError): Mapped {
  switch (error.type) {
    case "entity.parse.failed":
      return { ...BY_KIND.validation, detail: "The request body is not valid JSON.", code: "VALIDATION", errors: { body: ["is not valid JSON"] } };
    case "entity.too.large":
      return { ...BY_KIND.too_large, detail: "The request body is too large.", code: "PAYLOAD" };
    case "charset.unsupported":
      return { ...BY_KIND.unsupported, detail: `The charset ${JSON.stringify(error.charset ?? "")} is not supported; send UTF-8.`, code: "MEDIA_TYPE" };
    case "encoding.unsupported":
      return { ...BY_KIND.unsupported, detail: "This Content-Encoding is not supported; send gzip, deflate, br or none.", code: "MEDIA_TYPE" };
    default:
      // zlib's errors: a body that does not decode as its Content-Encoding claims (gzip over plain JSON).
      if (typeof error.code === "string" && error.code.startsWith("Z_")) {
        return { ...BY_KIND.validation, detail: "The request body could not be read as sent (check Content-Encoding).", code: "VALIDATION", errors: { body: ["could not be decoded"] } };
      }
      if (error.status === 415) return { ...BY_KIND.unsupported, detail: error.message, code: "MEDIA_TYPE" };
      if (error.status === 413) return { ...BY_KIND.too_large, detail: "The request body is too large.", code: "PAYLOAD" };
      // Any other 4xx http-error (an undecodable path parameter, …): its status, and its message, which is meant to be shown.
      return { status: error.status, type: error.status === 400 ? "ValidationError" : "ClientError", title: "Request rejected", detail: error.message, code: "REQUEST" };
  }
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "ER_DUP_ENTRY";
}

/** The one place that turns any error into what a client sees. Unknown errors reveal nothing. */
export function mapError(error: unknown): Mapped {
  const cause = error instanceof TRPCError && error.cause ? error.cause : error;
  if (cause instanceof DomainError) {
    const k = BY_KIND[cause.kind];
    const fieldErrors = Object.keys(cause.fieldErrors).length ? { errors: cause.fieldErrors } : {};
    return { ...k, detail: cause.message, code: cause.code, ...fieldErrors, ...cause.extensions };
  }
  if (cause instanceof FileRejectedError) {
    return { ...BY_KIND[FILE_REJECTION_KIND[cause.code]], detail: cause.message, code: "FILE-001", errors: { file: [cause.message] } };
  }
  if (cause instanceof MulterError) {
    const tooLarge = cause.code === "LIMIT_FILE_SIZE";
    return {
      ...BY_KIND[tooLarge ? "too_large" : "validation"],
      detail: tooLarge ? "The file is larger than 10 MB." : cause.message,
      code: tooLarge ? "FILE-002" : "VALIDATION",
      errors: { [cause.field ?? "file"]: [tooLarge ? "must be at most 10 MB" : cause.message] },
    };
  }
  if (cause instanceof ZodError) {
    return { ...BY_KIND.validation, detail: "One or more fields are invalid.", code: "VALIDATION", errors: zodFieldErrors(cause) };
  }
  if (cause instanceof AuthError) {
    return { ...BY_KIND.unauthorized, detail: cause.message, code: "AUTH-001" };
  }
  if (cause instanceof InvalidStorageKeyError || cause instanceof FileNotFoundError) {
    // A key that cannot name a stored file (e.g. holding "..") is a link to nothing.
    return { ...BY_KIND.not_found, detail: "The file does not exist.", code: "FILE-001" };
  }
  if (isClientHttpError(cause)) return mapBodyError(cause);
  if (isDuplicateKey(cause)) {
    return { ...BY_KIND.conflict, detail: "A record with the same unique value already exists.", code: "CONFLICT" };
  }
  if (error instanceof TRPCError) {
    switch (error.code) {
      case "UNAUTHORIZED":
        return { ...BY_KIND.unauthorized, detail: error.message, code: "AUTH-001" };
      case "FORBIDDEN":
        return { ...BY_KIND.forbidden, detail: error.message, code: "AUTH-002" };
      case "NOT_FOUND":
        return { ...BY_KIND.not_found, detail: error.message, code: "NOT_FOUND" };
      case "BAD_REQUEST":
      case "PARSE_ERROR":
        return { ...BY_KIND.validation, detail: error.message, code: "VALIDATION" };
      case "PAYLOAD_TOO_LARGE":
        return { ...BY_KIND.too_large, detail: error.message, code: "PAYLOAD" };
      case "METHOD_NOT_SUPPORTED":
        return { ...METHOD_NOT_ALLOWED, detail: error.message, code: "METHOD" };
      case "UNSUPPORTED_MEDIA_TYPE":
        return { ...BY_KIND.unsupported, detail: "This Content-Type is not supported; send application/json.", code: "MEDIA_TYPE" };
      case "TOO_MANY_REQUESTS":
        return { ...BY_KIND.rate_limited, detail: error.message, code: "RATE-001" };
      case "CONFLICT":
        return { ...BY_KIND.conflict, detail: error.message, code: "CONFLICT" };
      default: {
        // Any other client-side code tRPC raises keeps its own status instead of becoming a 500.
        const status = getHTTPStatusCodeFromError(error);
        if (status >= 400 && status < 500) return { status, type: "ClientError", title: "Request rejected", detail: error.message, code: error.code };
        break;
      }
    }
  }
  return {
    status: 500,
    type: "InternalServerError",
    title: "Internal server error",
    detail: "An unexpected error occurred. Quote the traceId when reporting it.",
    code: "INTERNAL",
  };
}

export function toProblem(error: unknown, traceId: string, instance: string): Problem {
  return { traceId, instance, ...mapError(error) };
}

/** tRPC decides the HTTP status from its own code, so domain errors are re-thrown with the right one. */
export function toTrpcError(error: TRPCError): TRPCError {
  const mapped = mapError(error);
  const code = TRPC_CODE_BY_STATUS[mapped.status] ?? "INTERNAL_SERVER_ERROR";
  if (code === error.code) return error;
  return new TRPCError({ code, message: mapped.detail, cause: error.cause ?? error });
}

/** The tRPC error body's data: the mapped status and code, field errors, and the traceId. */
export function trpcErrorData(error: unknown, traceId: string | undefined) {
  const mapped = mapError(error);
  const extensions = mapped.mergedInto ? { mergedInto: mapped.mergedInto } : {};
  return { mapped, data: { httpStatus: mapped.status, errorCode: mapped.code, type: mapped.type, traceId, fieldErrors: mapped.errors ?? null, ...extensions } };
}

/** A tRPC-shaped error for requests refused before tRPC sees them (a non-preflight OPTIONS). */
export function trpcErrorBody(error: TRPCError, traceId: string | undefined) {
  const { mapped, data } = trpcErrorData(error, traceId);
  return { status: mapped.status, body: { error: { message: mapped.detail, code: TRPC_ERROR_CODES_BY_KEY[error.code], data: { code: error.code, ...data } } } };
}
