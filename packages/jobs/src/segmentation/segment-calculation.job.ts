import {
  applyMembershipChange,
  countMembers,
  findCustomerIdsMatchingCriteria,
  findSegmentById,
  inTransaction,
  listFollowingSegments,
  listMemberIds,
  listTenantsWithDynamicSegments,
  loadSegmentCustomerFacts,
  lockMembersAmong,
  updateSegment,
  type Trx,
} from "@clientele/db";
import { evaluateSegmentCriteria, followsCriteria, membershipDiff, segmentClock, type SegmentCriteria } from "@clientele/domain";
import { sql } from "kysely";
import { z } from "zod";
import type { JobDeps } from "../job-deps";

/** Issue 13 §1: a full calculation of one segment's members (queued by calculate, a criteria change or the schedule). */
export const ZSegmentCalculationPayload = z.object({ tenantId: z.string(), segmentId: z.uuid(), requestedAt: z.string(), after: z.string().optional() });
export type SegmentCalculationPayload = z.infer<typeof ZSegmentCalculationPayload>;
export type SegmentCalculationResult = { checked: number; joined: number; left: number; members: number };

const ACTOR = "system:segments";

/** The last customer id of the next chunk of `size` after `after`, or undefined when fewer remain (the last chunk). */
async function chunkEnd(deps: JobDeps, tenantId: string, after: string, size: number): Promise<string | undefined> {
  const row = await deps.db.selectFrom("customers").select("id").where("tenantId", "=", tenantId).where("id", ">", after).orderBy("id").limit(1).offset(size - 1).executeTakeFirst();
  return row?.id;
}

/**
 * Walks the tenant's customers in id ranges of `chunkSize`: each range's matches come from the
 * compiled query (bounded by the range, so no id list travels), its members are locked, and the
 * difference is written (reason "recalculation") in one transaction. Progress (done of total) is on the segment row; `onChunk` records the last id so a
 * retry resumes after it. Members whose customer is gone (deleted, erased) leave too.
 */
export async function runSegmentCalculation(
  deps: JobDeps,
  p: SegmentCalculationPayload,
  o: { chunkSize?: number; onChunk?: (after: string) => Promise<unknown> } = {},
): Promise<SegmentCalculationResult> {
  const size = o.chunkSize ?? 5000;
  const result: SegmentCalculationResult = { checked: 0, joined: 0, left: 0, members: 0 };
  const segment = await findSegmentById(deps.db, p.tenantId, p.segmentId);
  if (!segment || segment.kind !== "dynamic" || !segment.criteria) return result;
  const criteria: SegmentCriteria = segment.criteria;
  const clock = segmentClock(deps.now());
  const total = await deps.db
    .selectFrom("customers")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tenantId", "=", p.tenantId)
    .executeTakeFirstOrThrow();
  let done = p.after ? Number((await deps.db.selectFrom("customers").select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", p.tenantId).where("id", "<=", p.after).executeTakeFirstOrThrow()).n) : 0;
  await updateSegment(deps.db, p.tenantId, segment.id, { status: "CALCULATING", calcTotal: Number(total.n), calcDone: done, calcError: null });
  try {
    for (let after = p.after ?? ""; ; ) {
      const last = await chunkEnd(deps, p.tenantId, after, size);
      const range = { afterId: after, ...(last ? { upToId: last } : {}) };
      const change = await inTransaction(
        deps.db,
        async (trx) => {
          const matches = await findCustomerIdsMatchingCriteria(trx, p.tenantId, criteria, clock, range);
          // Members in this id range, including those whose customer row is no longer a candidate.
          const rangeMembers = await listMemberIds(trx, p.tenantId, segment.id, range);
          const current = await lockMembersAmong(trx, p.tenantId, segment.id, rangeMembers);
          const diff = membershipDiff(current, matches);
          await applyMembershipChange(trx, p.tenantId, segment, diff, "recalculation", ACTOR, deps.now());
          return diff;
        },
        { isolation: "read committed" },
      );
      done = last ? done + size : Number(total.n);
      result.checked = done;
      result.joined += change.joined.length;
      result.left += change.left.length;
      await updateSegment(deps.db, p.tenantId, segment.id, { calcDone: done });
      if (!last) break;
      after = last;
      await o.onChunk?.(after);
    }
    result.members = await countMembers(deps.db, p.tenantId, segment.id);
    const status = segment.status === "INACTIVE" ? "INACTIVE" : "ACTIVE";
    await updateSegment(deps.db, p.tenantId, segment.id, { status, customerCount: result.members, lastCalculatedAt: clock.now, calcError: null });
  } catch (error) {
    await updateSegment(deps.db, p.tenantId, segment.id, { status: "ERROR", calcError: (error as Error).message.slice(0, 500) });
    throw error;
  }
  deps.log.info({ tenantId: p.tenantId, segmentId: segment.id, ...result }, "segment calculated");
  return result;
}

/**
 * Incremental: the customers' dynamic segments judged again by the pure evaluator (reason
 * "criteria") after their data or tracked behaviour changed, in the caller's transaction (the
 * stream consumer's). A customer gone (deleted) leaves.
 */
export async function reevaluateCustomerSegments(trx: Trx, tenantId: string, customerIds: string[], now: Date): Promise<{ joined: number; left: number }> {
  const out = { joined: 0, left: 0 };
  if (customerIds.length === 0) return out;
  const segments = (await listFollowingSegments(trx, tenantId)).filter(followsCriteria);
  if (segments.length === 0) return out;
  const clock = segmentClock(now);
  const facts = await loadSegmentCustomerFacts(trx, tenantId, customerIds);
  for (const segment of segments) {
    const matches = customerIds.filter((id) => {
      const f = facts.get(id);
      return f !== undefined && evaluateSegmentCriteria(segment.criteria, f, clock);
    });
    const current = await lockMembersAmong(trx, tenantId, segment.id, customerIds);
    const diff = membershipDiff(current, matches);
    if (diff.joined.length + diff.left.length === 0) continue;
    await applyMembershipChange(trx, tenantId, segment, diff, "criteria", ACTOR, now);
    await trx
      .updateTable("customerSegments")
      .set({ customerCount: sql`customer_count + ${diff.joined.length - diff.left.length}` })
      .where("tenantId", "=", tenantId)
      .where("id", "=", segment.id)
      .execute();
    out.joined += diff.joined.length;
    out.left += diff.left.length;
  }
  return out;
}

/**
 * The scheduled full recalculation: one calculation payload per dynamic segment that follows its
 * criteria, every tenant (windows such as "days since the last purchase" move with time alone).
 */
export async function segmentSweepPayloads(deps: Pick<JobDeps, "db" | "now">): Promise<SegmentCalculationPayload[]> {
  const requestedAt = deps.now().toISOString();
  const out: SegmentCalculationPayload[] = [];
  for (const tenantId of await listTenantsWithDynamicSegments(deps.db)) {
    for (const s of await listFollowingSegments(deps.db, tenantId)) out.push({ tenantId, segmentId: s.id, requestedAt });
  }
  return out;
}
