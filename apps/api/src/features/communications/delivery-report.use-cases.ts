import { cacheKeys } from "@clientele/cache";
import {
  appendEvents,
  findCommunicationsAnyTenant,
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

/** Moves a communication on if the report advances it; returns it as moved, or null. */
async function moveTo(deps: AppDeps, c: Communication, to: DeliveryStatus, reason: string | null): Promise<Communication | null> {
  const next = nextDeliveryStatus(c.status as DeliveryStatus, to);
  if (!next) return null;
  const at = deps.now();
  const moved = await inTransaction(deps.db, async (trx) => {
    if (
      !(await transitionCommunication(trx, c.id, c.status, next, at, {
        ...(next === "Delivered" ? { deliveredAt: at } : {}),
        ...(reason ? { failureReason: reason.slice(0, 500) } : {}),
      }))
    ) {
      return false;
    }
    await appendEvents(
      trx,
      [{ type: "CommunicationStatusChanged", aggregateType: "Communication", aggregateId: c.id, data: { communicationId: c.id, customerId: c.customerId, type: c.type, from: c.status, to: next, reason } }],
      { tenantId: c.tenantId, actor: "provider", version: c.version + 1, occurredAt: at },
    );
    return true;
  });
  return moved ? { ...c, status: next, version: c.version + 1 } : null;
}

const historyKey = (c: Communication) => cacheKeys.communicationsGeneration(c.tenantId, c.customerId);

/**
 * Delivery, bounce and complaint reports for email; a hard bounce or a complaint suppresses the
 * address. One query loads the batch (up to 1,000 reports) and one round trip retires the caches.
 */
export async function applyEmailEvents(deps: AppDeps, events: EmailEvent[]) {
  const byId = await findCommunicationsAnyTenant(deps.db, events.map((e) => e.communicationId));
  const touched: string[] = [];
  let applied = 0;
  // In order: a later report about the same message sees what an earlier one changed.
  const move = async (c: Communication, to: DeliveryStatus, reason: string | null) => {
    const moved = await moveTo(deps, c, to, reason);
    if (!moved) return 0;
    byId.set(c.id, moved);
    touched.push(historyKey(c));
    return 1;
  };
  for (const e of events) {
    const c = byId.get(e.communicationId);
    if (!c || c.type !== "Email") continue;
    if (e.event === "delivered") applied += await move(c, "Delivered", null);
    if (e.event === "bounce" && e.bounceType !== "soft") {
      applied += await move(c, "Bounced", e.reason ?? "hard bounce");
      await suppressEmail(deps.db, { tenantId: c.tenantId, email: c.recipientEmail!.toLowerCase(), reason: `hard bounce: ${e.reason ?? "no reason given"}`.slice(0, 500), communicationId: c.id, createdAt: deps.now() });
    }
    if (e.event === "complaint") {
      await suppressEmail(deps.db, { tenantId: c.tenantId, email: c.recipientEmail!.toLowerCase(), reason: "marked as spam by the recipient", communicationId: c.id, createdAt: deps.now() });
      applied += 1;
    }
  }
  await deps.cache.bumpMany(touched);
  return { received: events.length, applied };
}

export async function applyTwilioStatus(deps: AppDeps, p: { MessageSid?: string; MessageStatus?: string; ErrorCode?: string; ErrorMessage?: string }) {
  if (!p.MessageSid || !p.MessageStatus) return false;
  const c = await findCommunicationByProviderId(deps.db, p.MessageSid);
  const status = fromTwilioStatus(p.MessageStatus);
  if (!c || !status) return false;
  const reason = p.ErrorCode ? `Twilio error ${p.ErrorCode}${p.ErrorMessage ? `: ${p.ErrorMessage}` : ""}` : null;
  const moved = await moveTo(deps, c, status, reason);
  if (moved) await deps.cache.bump(historyKey(moved));
  return moved !== null;
}

/** STOP and its synonyms opt the number out of every SMS from us; START opts it back in. */
export async function applyInboundSms(deps: AppDeps, p: { From?: string; Body?: string }) {
  if (!p.From || p.Body === undefined) return null;
  const kind = classifyInbound(p.Body);
  if (kind === "opt-out") await setSmsOptOut(deps.db, p.From, true, p.Body.trim().toUpperCase().slice(0, 20), deps.now());
  if (kind === "opt-in") await setSmsOptOut(deps.db, p.From, false, p.Body.trim().toUpperCase().slice(0, 20), deps.now());
  return kind;
}
