import { createHmac, timingSafeEqual } from "node:crypto";
import { validationError, DomainError } from "@clientele/domain";
import { validateTwilioSignature } from "@clientele/messaging";
import express, { type Request, type Response } from "express";
import { z } from "zod";
import type { AppDeps } from "../deps";
import { applyEmailEvents, applyInboundSms, applyTwilioStatus } from "../features/communications/delivery-report.use-cases";
import { sendProblem } from "./rest-adapter";
import { mount, problem, problems, type MountedRoute, type RouteDoc } from "./route-docs";

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

const tags = ["Webhooks"];
const TWIML = { "text/xml": { schema: z.string(), example: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' } };
const twilioSignature = z.object({ "X-Twilio-Signature": z.string().meta({ description: "Twilio's signature of the URL and parameters", example: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" }) });

const emailEventsDoc: RouteDoc = {
  method: "post",
  path: "/webhooks/email/events",
  operationId: "webhooks-emailEvents",
  tags,
  summary: "Delivery, bounce and complaint reports from the email provider",
  description: "Authenticated by its signature, not a bearer token. Reports that would move a message backwards are ignored (counted in `received`, not `applied`).",
  security: [],
  requestParams: {
    header: z.object({
      "X-Clientele-Signature": z.string().meta({ description: "`sha256=<hex HMAC-SHA256 of the raw body with EMAIL_WEBHOOK_SECRET>`", example: "sha256=9f2c…" }),
    }),
  },
  requestBody: { required: true, content: { "application/json": { schema: z.union([ZEmailEvent, z.object({ events: z.array(ZEmailEvent).max(1000) })]) } } },
  responses: {
    200: { description: "Received and applied counts", content: { "application/json": { schema: z.object({ received: z.int(), applied: z.int() }) } } },
    400: problem(400, "Not JSON, or not an event (or {events:[…]})"),
    401: problem(401, "Missing or wrong signature"),
    413: problem(413, "Body over 1 MB"),
    ...problems(500),
  },
};

const twilioStatusDoc: RouteDoc = {
  method: "post",
  path: "/webhooks/twilio/status",
  operationId: "webhooks-twilioStatus",
  tags,
  summary: "Twilio message status callback",
  description: "Authenticated by X-Twilio-Signature, not a bearer token. A status that would move the message backwards is ignored.",
  security: [],
  requestParams: { header: twilioSignature },
  requestBody: {
    required: true,
    content: {
      "application/x-www-form-urlencoded": {
        schema: z.looseObject({ MessageSid: z.string(), MessageStatus: z.string().meta({ example: "delivered" }), ErrorCode: z.string().optional() }),
      },
    },
  },
  responses: { 200: { description: "Empty TwiML", content: TWIML }, 401: problem(401, "Missing or wrong signature"), ...problems(500) },
};

const twilioInboundDoc: RouteDoc = {
  method: "post",
  path: "/webhooks/twilio/inbound",
  operationId: "webhooks-twilioInbound",
  tags,
  summary: "Inbound SMS from Twilio: STOP/START and synonyms opt the number out/in",
  description: "Authenticated by X-Twilio-Signature, not a bearer token.",
  security: [],
  requestParams: { header: twilioSignature },
  requestBody: {
    required: true,
    content: { "application/x-www-form-urlencoded": { schema: z.looseObject({ From: z.string(), Body: z.string().meta({ example: "STOP" }), MessageSid: z.string().optional() }) } },
  },
  responses: { 200: { description: "Empty TwiML", content: TWIML }, 401: problem(401, "Missing or wrong signature"), ...problems(500) },
};

/** What these routes serve, for the OpenAPI document (rest/openapi.ts). */
export const webhookRouteDocs = [emailEventsDoc, twilioStatusDoc, twilioInboundDoc];

/** Provider callbacks: authenticated by their signatures, not by bearer tokens. */
export function webhookRoutes(deps: AppDeps): MountedRoute[] {
  const r: MountedRoute[] = [];

  mount(r, emailEventsDoc, express.raw({ type: "*/*", limit: "1mb" }), async (req: Request, res: Response) => {
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
  mount(r, twilioStatusDoc, form, twilio(async (p) => void (await applyTwilioStatus(deps, p))));
  mount(r, twilioInboundDoc, form, twilio(async (p) => void (await applyInboundSms(deps, p))));
  return r;
}
