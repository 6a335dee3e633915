import { createHmac, timingSafeEqual } from "node:crypto";
import { validationError, DomainError } from "@clientele/domain";
import { validateTwilioSignature } from "@clientele/messaging";
import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppDeps } from "../deps";
import { applyEmailEvents, applyInboundSms, applyTwilioStatus } from "../features/communications/delivery-report.use-cases";
import { sendProblem } from "./rest-adapter";

const ZEmailEvent = z.object({
  communicationId: z.uuid(),
  event: z.enum(["delivered", "bounce", "complaint"]),
  bounceType: z.enum(["hard", "soft"]).optional(),
  reason: z.string().max(500).optional(),
});
const ZEmailEvents = z.union([ZEmailEvent.transform((e) => [e]), z.object({ events: z.array(ZEmailEvent).max(1000) }).transform((b) => b.events)]);

const forbidden = () => new DomainError("AUTH-001", "unauthorized", "The webhook signature is missing or wrong.");

/** The URL Twilio signed: the public one when we sit behind a proxy, else what we were called at. */
const publicUrl = (deps: AppDeps, req: Request) => `${deps.env.PUBLIC_URL?.replace(/\/$/, "") ?? `${req.protocol}://${req.get("host")}`}${req.originalUrl}`;

/** Provider callbacks: authenticated by their signatures, not by bearer tokens. */
export function webhookRoutes(deps: AppDeps): Router {
  const r = Router();

  r.post("/webhooks/email/events", express.raw({ type: "*/*", limit: "1mb" }), async (req: Request, res: Response) => {
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const given = String(req.headers["x-clientele-signature"] ?? "").replace(/^sha256=/, "");
      const expected = createHmac("sha256", deps.env.EMAIL_WEBHOOK_SECRET).update(raw).digest("hex");
      if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) throw forbidden();
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        throw validationError({ body: ["is not valid JSON"] });
      }
      res.json(await applyEmailEvents(deps, ZEmailEvents.parse(body)));
    } catch (error) {
      sendProblem(res, error, req.originalUrl);
    }
  });

  const twilio = (handler: (params: Record<string, string>) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      const params = (req.body ?? {}) as Record<string, string>;
      const signature = String(req.headers["x-twilio-signature"] ?? "");
      if (!validateTwilioSignature({ authToken: deps.env.TWILIO_AUTH_TOKEN, signature, url: publicUrl(deps, req), params })) throw forbidden();
      await handler(params);
      // Twilio expects TwiML; an empty response means "no automatic reply from us".
      res.status(200).type("text/xml").send("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
    } catch (error) {
      sendProblem(res, error, req.originalUrl);
    }
  };
  const form = express.urlencoded({ extended: false, limit: "100kb" });
  r.post("/webhooks/twilio/status", form, twilio(async (p) => void (await applyTwilioStatus(deps, p))));
  r.post("/webhooks/twilio/inbound", form, twilio(async (p) => void (await applyInboundSms(deps, p))));
  return r;
}
