import { claimNotification, findUsersWithRoles, releaseNotification, segmentChangesBetween, settleNotification, tenantsWithSegmentChanges } from "@clientele/db";
import { DeliveryError } from "@clientele/messaging";
import type { MessagingDeps } from "../messaging.jobs";
import { PermanentJobError, safeMessageId } from "../queues";

const DAY_MS = 86_400_000;
/** 003 BR-5: segment changes go to Marketing and Sales. */
const DIGEST_ROLES = ["MarketingManager", "SalesRep"];
const MAX_LINES = 500;

export type SegmentDigestResult = { day: string; tenants: number; sent: number; changes: number };

/**
 * Yesterday's segment changes (UTC day before deps.now()), one email per tenant to its Marketing
 * and Sales users. Each tenant's digest is claimed in notification_log under its day, so a rerun
 * (a retry, a second worker) never sends a day twice; a transient failure releases the claim.
 */
export async function runSegmentDigest(deps: MessagingDeps): Promise<SegmentDigestResult> {
  const to = new Date(Math.floor(deps.now().getTime() / DAY_MS) * DAY_MS);
  const from = new Date(to.getTime() - DAY_MS);
  const day = from.toISOString().slice(0, 10);
  const result: SegmentDigestResult = { day, tenants: 0, sent: 0, changes: 0 };
  for (const tenantId of await tenantsWithSegmentChanges(deps.db, from, to)) {
    result.tenants += 1;
    const recipients = await findUsersWithRoles(deps.db, tenantId, DIGEST_ROLES);
    if (recipients.length === 0) {
      deps.log.warn({ tenantId, day }, "no Marketing or Sales user with an email on file; segment digest not sent");
      continue;
    }
    const changes = await segmentChangesBetween(deps.db, tenantId, from, to, MAX_LINES + 1);
    const key = `segment-digest:${tenantId}:${day}`;
    if (!(await claimNotification(deps.db, { key, tenantId, kind: "segment-digest", recipients: recipients.length, at: deps.now() }))) continue;
    const lines = changes
      .slice(0, MAX_LINES)
      .map((c) => `${c.customerNumber}  ${c.companyName}: ${c.fromSegment} → ${c.toSegment} (${c.reason === "auto" ? "lifetime value" : c.reason === "override" ? `set by ${c.changedBy}: ${c.note ?? ""}` : `override cleared by ${c.changedBy}`})`);
    try {
      await deps.email.send({
        messageId: safeMessageId(key),
        to: recipients.map((u) => ({ address: u.email!, ...(u.name ? { name: u.name } : {}) })),
        subject: `Segment changes on ${day}: ${changes.length > MAX_LINES ? `more than ${MAX_LINES}` : changes.length}`,
        text: `Customers whose segment changed on ${day} (UTC):\n\n${lines.join("\n")}${changes.length > MAX_LINES ? `\n… and more: see the customers' value history` : ""}`,
      });
    } catch (error) {
      if (error instanceof DeliveryError && error.permanent) {
        await settleNotification(deps.db, key, { failureReason: error.message });
        throw new PermanentJobError(error.message);
      }
      await releaseNotification(deps.db, key);
      throw error;
    }
    await settleNotification(deps.db, key, { sentAt: deps.now() });
    result.sent += 1;
    result.changes += Math.min(changes.length, MAX_LINES);
  }
  deps.log.info(result, "segment digest done");
  return result;
}
