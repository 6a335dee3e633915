import { createHash } from "node:crypto";
import { Router, type Request, type Response } from "express";
import type { AppDeps } from "../deps";
import { ZPublicTestimonialsInput } from "../features/testimonials/testimonial.schemas";
import { publicTestimonials } from "../features/testimonials/testimonial.use-cases";
import { queryCoercer } from "./query-coercion";
import { sendProblem } from "./rest-adapter";

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x". */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || strip(tag) === etag);
}

/**
 * Unauthenticated, cacheable reads for a public website. Nothing here may reveal more than the
 * website shows: no personal data beyond the author's name, and no hint of which tenants exist.
 */
export function publicRoutes(deps: AppDeps): Router {
  const r = Router();
  const fromQuery = queryCoercer([ZPublicTestimonialsInput]);

  r.get("/public/tenants/:tenantId/testimonials", async (req: Request, res: Response) => {
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
