import { cacheKeys } from "@clientele/cache";
import {
  appendEvents,
  findCommunicationAnyTenant,
  findCommunicationByProviderId,
  inTransaction,
  setSmsOptOut,
  suppressEmail,
  transitionCommunication,
  type Communication,
} from "@clientele/db";
import { fromTwilioStatus, nextDeliveryStatus, type DeliveryStatus } from "@clientele/domain";
import { classifyInbound } from "@clientele/messaging";
import type { AppDeps } from "../../deps";

export type EmailEvent = { communicationId: string; event: "delivered" | "bounce" | "complaint"; bounceType?: "hard" | "soft" | undefined; reason?: string | undefined };

async function moveTo(deps: AppDeps, c: Communication, to: DeliveryStatus, reason: string | null) {
  const next = nextDeliveryStatus(c.status as DeliveryStatus, to);
  if (!next) return false;
  const at = deps.now();
  await inTransaction(deps.db, async (trx) => {
    const moved = await transitionCommunication(trx, c.id, c.status, next, at, {
      ...(next === "Delivered" ? { deliveredAt: at } : {}),
      ...(reason ? { failureReason: reason.slice(0, 500) } : {}),
    });
    if (!moved) return;
    await appendEvents(
      trx,
      [{ type: "CommunicationStatusChanged", aggregateType: "Communication", aggregateId: c.id, data: { communicationId: c.id, customerId: c.customerId, type: c.type, from: c.status, to: next, reason } }],
      { tenantId: c.tenantId, actor: "provider", version: c.version + 1, occurredAt: at },
    );
  });
  await deps.cache.bump(cacheKeys.communicationsGeneration(c.tenantId, c.customerId));
  return true;
}

/** Delivery, bounce and complaint reports for email; a hard bounce or a complaint suppresses the address. */
export async function applyEmailEvents(deps: AppDeps, events: EmailEvent[]) {
  let applied = 0;
  for (const e of events) {
    const c = await findCommunicationAnyTenant(deps.db, e.communicationId);
    if (!c || c.type !== "Email") continue;
    if (e.event === "delivered") applied += Number(await moveTo(deps, c, "Delivered", null));
    if (e.event === "bounce" && e.bounceType !== "soft") {
      applied += Number(await moveTo(deps, c, "Bounced", e.reason ?? "hard bounce"));
      await suppressEmail(deps.db, { tenantId: c.tenantId, email: c.recipientEmail!.toLowerCase(), reason: `hard bounce: ${e.reason ?? "no reason given"}`.slice(0, 500), communicationId: c.id, createdAt: deps.now() });
    }
    if (e.event === "complaint") {
      await suppressEmail(deps.db, { tenantId: c.tenantId, email: c.recipientEmail!.toLowerCase(), reason: "marked as spam by the recipient", communicationId: c.id, createdAt: deps.now() });
      applied += 1;
    }
  }
  return { received: events.length, applied };
}

export async function applyTwilioStatus(deps: AppDeps, p: { MessageSid?: string; MessageStatus?: string; ErrorCode?: string; ErrorMessage?: string }) {
  if (!p.MessageSid || !p.MessageStatus) return false;
  const c = await findCommunicationByProviderId(deps.db, p.MessageSid);
  const status = fromTwilioStatus(p.MessageStatus);
  if (!c || !status) return false;
  const reason = p.ErrorCode ? `Twilio error ${p.ErrorCode}${p.ErrorMessage ? `: ${p.ErrorMessage}` : ""}` : null;
  return moveTo(deps, c, status, reason);
}

/** STOP and its synonyms opt the number out of every SMS from us; START opts it back in. */
export async function applyInboundSms(deps: AppDeps, p: { From?: string; Body?: string }) {
  if (!p.From || p.Body === undefined) return null;
  const kind = classifyInbound(p.Body);
  if (kind === "opt-out") await setSmsOptOut(deps.db, p.From, true, p.Body.trim().toUpperCase().slice(0, 20), deps.now());
  if (kind === "opt-in") await setSmsOptOut(deps.db, p.From, false, p.Body.trim().toUpperCase().slice(0, 20), deps.now());
  return kind;
}
