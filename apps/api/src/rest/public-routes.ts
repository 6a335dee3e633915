import { createHash } from "node:crypto";
import { type Request, type Response } from "express";
import { z } from "zod";
import type { AppDeps } from "../deps";
import { ZPublicTestimonialList, ZPublicTestimonialsInput } from "../features/testimonials/testimonial.schemas";
import { publicTestimonials } from "../features/testimonials/testimonial.use-cases";
import { queryCoercer } from "./query-coercion";
import { sendProblem } from "./rest-adapter";
import { mount, problem, problems, type MountedRoute, type RouteDoc } from "./route-docs";

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x". */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || strip(tag) === etag);
}

const publicTestimonialsDoc: RouteDoc = {
  method: "get",
  path: "/public/tenants/{tenantId}/testimonials",
  operationId: "public-testimonials",
  tags: ["Testimonials"],
  summary: "A tenant's approved, public testimonials for its website (no bearer token; cacheable for 5 minutes)",
  description:
    "Newest approval first. Answers `Cache-Control: public, max-age=300` and a strong ETag; send it back in If-None-Match for a 304. " +
    "An unknown tenant answers an empty list. Any origin may read it (`Access-Control-Allow-Origin: *`).",
  security: [],
  requestParams: {
    path: ZPublicTestimonialsInput.pick({ tenantId: true }),
    query: ZPublicTestimonialsInput.omit({ tenantId: true }),
    header: z.object({ "If-None-Match": z.string().optional().meta({ description: "the ETag of the copy you hold", example: '"Yk3m…"' }) }),
  },
  responses: {
    200: {
      description: "One page of testimonials",
      headers: z.object({ ETag: z.string().meta({ example: '"Yk3mQ1c2…"' }), "Cache-Control": z.string().meta({ example: "public, max-age=300" }) }),
      content: { "application/json": { schema: ZPublicTestimonialList } },
    },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    400: problem(400, "Invalid tenant id, page or pageSize"),
    ...problems(429, 500),
  },
};

/** What these routes serve, for the OpenAPI document (rest/openapi.ts). */
export const publicRouteDocs = [publicTestimonialsDoc];

/**
 * Unauthenticated, cacheable reads for a public website. Nothing here may reveal more than the
 * website shows: no personal data beyond the author's name, and no hint of which tenants exist.
 */
export function publicRoutes(deps: AppDeps): MountedRoute[] {
  const r: MountedRoute[] = [];
  const fromQuery = queryCoercer([ZPublicTestimonialsInput]);

  mount(r, publicTestimonialsDoc, async (req: Request, res: Response) => {
    try {
      const input = ZPublicTestimonialsInput.parse({ ...fromQuery(req.query as Record<string, unknown>), tenantId: req.params.tenantId });
      const body = JSON.stringify(await publicTestimonials(deps, input));
      const etag = `"${createHash("sha256").update(body).digest("base64url")}"`;
      res.setHeader("Cache-Control", "public, max-age=300");
      res.setHeader("ETag", etag);
      // Websites fetch this from the visitor's browser; the data is public and no credentials are involved.
      res.setHeader("Access-Control-Allow-Origin", "*");
      if (matchesIfNoneMatch(req.headers["if-none-match"], etag)) {
        res.status(304).end();
        return;
      }
      res.status(200).type("application/json").send(body);
    } catch (error) {
      sendProblem(res, error, req.originalUrl);
    }
  });

  return r;
}
