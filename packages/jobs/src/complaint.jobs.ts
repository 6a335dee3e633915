import {
  claimEscalationDigest,
  escalateDueBatch,
  type EscalationCursor,
  findComplaint,
  findCustomerById,
  findUser,
  findUsersWithRoles,
  getTenantSettings,
  inTransaction,
  listStatusHistory,
  tenantsOverriding,
  unclaimEscalationDigest,
} from "@clientele/db";
import { DEFAULT_ESCALATION_HOURS, ESCALATABLE, escalationHours, topicFor } from "@clientele/domain";
import { DeliveryError } from "@clientele/messaging";
import { z } from "zod";
import type { JobDeps } from "./job-deps";
import type { MessagingDeps, Notice } from "./messaging.jobs";
import { customerAddress } from "./customer-address";
import { PermanentJobError, safeMessageId } from "./queues";

export const ZComplaintNoticePayload = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("complaint-received"), tenantId: z.string(), complaintId: z.uuid() }),
  z.object({ kind: z.literal("complaint-status"), tenantId: z.string(), complaintId: z.uuid(), historyId: z.number().int() }),
  z.object({ kind: z.literal("complaint-resolved"), tenantId: z.string(), complaintId: z.uuid() }),
]);
export type ComplaintNoticePayload = z.infer<typeof ZComplaintNoticePayload>;

const emails = (list: unknown) => (Array.isArray(list) ? list.filter((e): e is string => typeof e === "string") : []);

/**
 * The tenant's configured addresses under settings `key`, else its users with `roles`: support
 * (new complaints) or managers (escalation digests).
 */
async function recipients(deps: JobDeps, tenantId: string, key: "supportEmails" | "managerEmails", roles: string[]) {
  const settings = await getTenantSettings(deps.db, tenantId);
  const configured = emails(settings[key]);
  if (configured.length) return configured;
  return (await findUsersWithRoles(deps.db, tenantId, roles)).map((u) => u.email!);
}

export async function buildComplaintNotice(deps: MessagingDeps, p: ComplaintNoticePayload): Promise<Notice> {
  const c = await findComplaint(deps.db, p.tenantId, p.complaintId);
  if (!c) return null;
  if (p.kind === "complaint-received") {
    const to = new Set(await recipients(deps, p.tenantId, "supportEmails", ["SupportAgent"]));
    if (c.assignedTo) {
      const assignee = await findUser(deps.db, p.tenantId, c.assignedTo);
      if (assignee?.email) to.add(assignee.email);
    }
    if (to.size === 0) return null;
    return {
      key: `complaint-received:${c.id}`,
      kind: p.kind,
      tenantId: p.tenantId,
      email: {
        to: [...to].map((address) => ({ address })),
        subject: `New ${c.priority} complaint ${c.complaintNumber}: ${c.subject}`,
        text: `${c.complaintNumber} (${c.priority}${c.category ? `, ${c.category}` : ""})\nAssigned to: ${c.assignedTo ?? "nobody yet"}\n\n${c.description}`,
      },
    };
  }
  const customer = await findCustomerById(deps.db, p.tenantId, c.customerId);
  const recipient = customer ? await customerAddress(deps, p.tenantId, customer) : null;
  if (!recipient) return null;
  if (p.kind === "complaint-status") {
    const change = (await listStatusHistory(deps.db, c.id)).find((h) => h.id === p.historyId);
    if (!change) return null;
    return {
      key: `complaint-status:${c.id}:${p.historyId}`,
      kind: p.kind,
      tenantId: p.tenantId,
      email: {
        to: [recipient],
        subject: `Update on your complaint ${c.complaintNumber}`,
        text: `Your complaint "${c.subject}" is now ${change.toStatus}.\n\n${change.notes}`,
        headers: { "X-Clientele-Purpose": "Transactional" },
      },
    };
  }
  if (!c.resolution) return null;
  return {
    key: `complaint-resolved:${c.id}`,
    kind: p.kind,
    tenantId: p.tenantId,
    email: {
      to: [recipient],
      subject: `Your complaint ${c.complaintNumber} is resolved`,
      text: `${c.resolution}${c.compensationOffered ? `\n\nWhat we offer: ${c.compensationOffered}` : ""}`,
      headers: { "X-Clientele-Purpose": "Transactional" },
    },
  };
}

export type SweepResult = { escalated: number; tenants: string[] };

/**
 * REQ-CUS-029: escalates every New or InProgress complaint past its priority's threshold (per
 * tenant overrides, else the defaults), in batches. Each batch's escalation, status history, audit
 * and events commit together, and a batch's rows are locked and re-read, so a second sweep
 * (another worker, or a restart) can never escalate a complaint twice.
 */
export async function runEscalationSweep(deps: JobDeps, o: { batchSize?: number; lanes?: number; onBatch?: (escalated: number) => void } = {}): Promise<SweepResult> {
  const now = deps.now();
  const limit = o.batchSize ?? 2000;
  const topic = topicFor("Complaint");
  const custom = await tenantsOverriding(deps.db, "escalationHours");
  const passes = [
    { hours: DEFAULT_ESCALATION_HOURS as Record<string, number>, excludeTenants: custom.map((t) => t.id) },
    ...custom.map((t) => ({ tenantId: t.id, hours: escalationHours(t.settings.escalationHours as Record<string, number>) as Record<string, number> })),
  ];
  // One unit per pass, status and priority: a range of the escalation index, walked with a cursor.
  const units = passes.flatMap(({ hours, ...scope }) =>
    ESCALATABLE.flatMap((status) => Object.entries(hours).map(([priority, h]) => ({ ...scope, status, priority, hours: h }))),
  );
  let escalated = 0;
  const tenants = new Set<string>();
  // Lanes take units in turn: while one waits on the database another builds its rows.
  const lane = async () => {
    for (let unit = units.shift(); unit; unit = units.shift()) {
      let after: EscalationCursor | undefined;
      for (;;) {
        const batch = await inTransaction(deps.db, (trx) => escalateDueBatch(trx, { ...unit, now, limit, topic, after }), { isolation: "read committed" });
        if (!batch.last) break;
        after = batch.last;
        const n = [...batch.perTenant.values()].reduce((a, b) => a + b, 0);
        o.onBatch?.(n);
        escalated += n;
        for (const t of batch.perTenant.keys()) tenants.add(t);
      }
    }
  };
  await Promise.all(Array.from({ length: o.lanes ?? 3 }, lane));
  deps.log.info({ escalated, tenants: tenants.size }, "complaint escalation sweep done");
  return { escalated, tenants: [...tenants] };
}

export const ZEscalationDigestPayload = z.object({ tenantId: z.string() });

/** One email per tenant listing the complaints escalated since the last one, to its managers. */
export async function runEscalationDigest(deps: MessagingDeps, p: z.infer<typeof ZEscalationDigestPayload>): Promise<number> {
  const to = await recipients(deps, p.tenantId, "managerEmails", ["CustomerManager", "Admin"]);
  if (to.length === 0) {
    deps.log.warn({ tenantId: p.tenantId }, "no manager email on file; escalation digest not sent");
    return 0;
  }
  const rows = await inTransaction(deps.db, (trx) => claimEscalationDigest(trx, p.tenantId, deps.now()));
  if (rows.length === 0) return 0;
  const lines = rows.slice(0, 200).map((r) => `${r.complaintNumber}  [${r.priority}]  ${r.subject}  (opened ${r.createdAt.toISOString()})`);
  try {
    await deps.email.send({
      messageId: safeMessageId(`escalation-${p.tenantId}-${rows[0]!.id}`),
      to: to.map((address) => ({ address })),
      subject: `${rows.length} complaint${rows.length === 1 ? "" : "s"} escalated`,
      text: `These complaints passed their escalation threshold:\n\n${lines.join("\n")}${rows.length > 200 ? `\n… and ${rows.length - 200} more` : ""}`,
      headers: { "X-Priority": "1", Importance: "high" },
    });
  } catch (error) {
    // Give the rows back so the next digest announces them.
    await unclaimEscalationDigest(deps.db, rows.map((r) => r.id));
    if (error instanceof DeliveryError && error.permanent) throw new PermanentJobError(error.message);
    throw error;
  }
  return rows.length;
}

