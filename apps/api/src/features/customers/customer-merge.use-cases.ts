import { randomUUID } from "node:crypto";
import {
  assertNotSelfMerge,
  customerNotFound,
  formatMoney,
  LEDGER_KINDS,
  MERGE_UNDO_DAYS,
  MOVED_KINDS,
  mergeNotFound,
  movedKinds,
  planMerge,
  parseSignedMoney,
  planUndo,
  readValueSettings,
  segmentAfterValueChange,
  segmentChangeEvents,
  VALUE_SETTINGS_KEY,
  type Actor,
  type Changes,
  type Customer,
  type DomainEvent,
  type MovedKind,
  type SegmentChange,
  type ValueSettings,
} from "@clientele/domain";
import {
  appendAudit,
  appendEvents,
  countAttendedEvents,
  findCustomerById,
  findMerge,
  inTransaction,
  insertLtvHistory,
  insertMerge,
  insertSegmentHistory,
  ledgerValueOf,
  listAudit,
  listContacts,
  lockCurrentRecords,
  lockCustomersByIds,
  lockRecordsOf,
  markMergeUndone,
  moveAllRecords,
  moveContacts,
  moveRecords,
  setContactsPrimary,
  shareLockTenantSettings,
  touchCustomerActivity,
  writeCustomerDecision,
  type StoredMerge,
  type Trx,
} from "@clientele/db";
import { CACHE_TTL, cacheKeys } from "@clientele/cache";
import { recalculateRating } from "@clientele/jobs";
import type { AppDeps } from "../../deps";
import { queueDuplicateRefresh } from "./customer-duplicate.use-cases";
import { retireLastActivity, TOMBSTONE, toDto } from "./customer.use-cases";
import type { TMergeCustomersInput } from "./customer-merge.schemas";

/** One party's new state through the customers' one write path, with the events that are its own. */
function writeCustomer(trx: Trx, actor: Actor, c: Customer, readVersion: number, action: string, changes: Changes, events: DomainEvent[], traceId: string) {
  return writeCustomerDecision(trx, actor, { customer: c, events: events.filter((e) => e.aggregateId === c.id), changes, warnings: [] }, readVersion, action, traceId);
}

/** The moved contacts' audit rows (customer, and primary flag where it changed) and ContactUpdated events. */
async function writeContactChanges(trx: Trx, actor: Actor, events: (DomainEvent & { version: number })[], action: string, fromCustomerId: string, now: Date, traceId: string) {
  if (events.length === 0) return;
  await appendAudit(
    trx,
    events.map((e) => {
      const changed = e.data.changedFields as { customerId: string; isPrimary?: boolean };
      const changes: Changes = { customerId: { from: fromCustomerId, to: changed.customerId } };
      if (changed.isPrimary !== undefined) changes.isPrimary = { from: !changed.isPrimary, to: changed.isPrimary };
      return { tenantId: actor.tenantId, entityType: "Contact", entityId: e.aggregateId, action, actorId: actor.userId, occurredAt: now, changes, traceId };
    }),
  );
  await appendEvents(trx, events, { tenantId: actor.tenantId, actor: actor.userId, version: 0, occurredAt: now });
}

/**
 * After commit: both customers' cached copies replaced, their lists, last activity and the
 * tenant's searches retired, and their duplicate pairs recomputed (the source leaves the queue).
 */
async function retireCaches(deps: AppDeps, actor: Actor, customers: Customer[]) {
  const t = actor.tenantId;
  for (const c of customers) queueDuplicateRefresh(deps, c);
  await Promise.all([
    retireLastActivity(deps, t, customers.map((c) => c.id)),
    ...customers.map((c) =>
      deps.cache.putVersioned(cacheKeys.customer(t, c.id), c.version, c.isDeleted ? TOMBSTONE : JSON.stringify(toDto(c)), CACHE_TTL.customer),
    ),
    deps.cache.bumpMany([
      cacheKeys.searchGeneration(t),
      ...customers.flatMap((c) => [cacheKeys.contactsGeneration(t, c.id), cacheKeys.communicationsGeneration(t, c.id)]),
    ]),
  ]);
}

/** The value settings under a shared lock on the tenant row, taken before the customers' locks as recordTransactions takes them. */
const valueSettingsIn = async (trx: Trx, tenantId: string) => readValueSettings((await shareLockTenantSettings(trx, tenantId))[VALUE_SETTINGS_KEY]);

const isLedger = (k: MovedKind) => (LEDGER_KINDS as readonly MovedKind[]).includes(k);

type Revalued = { customer: Customer; changes: Changes; events: DomainEvent[]; ltvDelta: bigint; segmentChange: SegmentChange | null };

/**
 * A party's value figures once the ledger rows moved: lifetime value by the nightly check's rule,
 * totalEvents by the attendance rule, the tier re-decided by the domain rule (an override holds),
 * folded into the party's new state so its one write carries them, with the segment events.
 */
async function revalue(trx: Trx, actor: Actor, c: Customer, settings: ValueSettings, now: Date): Promise<Revalued> {
  const lifetimeValue = await ledgerValueOf(trx, actor.tenantId, c.id);
  const totalEvents = await countAttendedEvents(trx, actor.tenantId, c.id);
  const ltvDelta = parseSignedMoney(lifetimeValue, "lifetimeValue") - parseSignedMoney(c.lifetimeValue, "lifetimeValue");
  const segmentChange = segmentAfterValueChange({ type: c.type, lifetimeValue, segment: c.segment, override: c.segmentOverride ?? null }, settings.lifetimeValueThresholds);
  const changes: Changes = {};
  if (ltvDelta !== 0n) changes.lifetimeValue = { from: c.lifetimeValue, to: lifetimeValue };
  if (totalEvents !== c.totalEvents) changes.totalEvents = { from: c.totalEvents, to: totalEvents };
  if (segmentChange) changes.segment = { from: segmentChange.from, to: segmentChange.to };
  return {
    customer: { ...c, lifetimeValue, totalEvents, segment: segmentChange?.to ?? c.segment },
    changes,
    events: segmentChange ? segmentChangeEvents(c.id, segmentChange, actor.userId, now, lifetimeValue) : [],
    ltvDelta,
    segmentChange,
  };
}

/** The LTV and segment history rows of a party's revaluation (the changes themselves went with its write). */
async function writeValueHistory(trx: Trx, actor: Actor, v: Revalued, note: string, now: Date) {
  const { customer: c } = v;
  if (v.ltvDelta !== 0n) {
    await insertLtvHistory(trx, { tenantId: actor.tenantId, customerId: c.id, at: now, lifetimeValue: c.lifetimeValue, delta: formatMoney(v.ltvDelta), transactionId: null });
  }
  if (v.segmentChange) {
    const { from, to, reason } = v.segmentChange;
    await insertSegmentHistory(trx, { tenantId: actor.tenantId, customerId: c.id, fromSegment: from, toSegment: to, reason, note, changedBy: actor.userId, changedAt: now });
  }
}

/** The kinds whose records are the rating's factors (loadRatingFactors). */
const RATING_KINDS = ["transactions", "attendance", "complaints", "testimonials"] as const satisfies readonly MovedKind[];

/**
 * When records the rating counts changed hands, both parties' ratings are recalculated (the
 * merge's own events are not among the rating handler's triggers); then both are read back as
 * written: the merge records the source's final version, which an undo compares.
 */
async function rerateAndReload(trx: Trx, actor: Actor, ids: [string, string], moved: Record<MovedKind, unknown[]>, now: Date): Promise<[Customer, Customer]> {
  const rerate = RATING_KINDS.some((k) => moved[k].length > 0);
  const out: Customer[] = [];
  for (const id of ids) {
    if (rerate) await recalculateRating(trx, actor.tenantId, id, now, actor.userId);
    out.push((await findCustomerById(trx, actor.tenantId, id))!);
  }
  return [out[0]!, out[1]!];
}

/**
 * Both customers under their locks, taken in one statement in id order so overlapping merges
 * (A→B beside B→A) queue on the first row instead of deadlocking; 404 when either is missing in this tenant.
 */
async function lockPair(trx: Trx, actor: Actor, sourceId: string, targetId: string) {
  const locked = await lockCustomersByIds(trx, actor.tenantId, [sourceId, targetId]);
  const source = locked.find((c) => c.id === sourceId);
  const target = locked.find((c) => c.id === targetId);
  if (!source || !target) throw customerNotFound();
  return { source, target };
}

function toMergeDto(m: StoredMerge) {
  return {
    mergeId: m.id,
    sourceCustomerId: m.sourceCustomerId,
    targetCustomerId: m.targetCustomerId,
    mergeOptions: m.options,
    fieldChoices: m.fieldChoices as Record<string, "source" | "target">,
    moved: Object.fromEntries(MOVED_KINDS.map((k) => [k, m.moved[k].map((r) => r.id)])) as Record<MovedKind, string[]>,
    droppedContacts: m.droppedContacts,
    tagsAdded: m.tagsAdded,
    fieldsFromSource: m.targetFields,
    mergedAt: m.mergedAt.toISOString(),
    mergedBy: m.mergedBy,
    undoableUntil: new Date(m.mergedAt.getTime() + MERGE_UNDO_DAYS * 86_400_000).toISOString(),
    undoneAt: m.undoneAt?.toISOString() ?? null,
    undoneBy: m.undoneBy,
  };
}

/**
 * REQ-CUS-007: one transaction locks the tenant's value settings (shared) and both customers (id
 * order), lets the domain decide, then moves the source's ledger and the chosen records,
 * deactivates the source with its pointer to the target, updates the target with the value
 * figures recomputed for both, and records the merge with the audit rows and events of both.
 */
export async function mergeCustomers(deps: AppDeps, actor: Actor, input: TMergeCustomersInput, traceId: string) {
  const { sourceCustomerId, targetCustomerId, mergeOptions: options, fieldChoices } = input;
  assertNotSelfMerge(sourceCustomerId, targetCustomerId);
  const mergeId = randomUUID();
  const now = deps.now();
  const plan = await inTransaction(deps.db, async (trx) => {
    const settings = await valueSettingsIn(trx, actor.tenantId);
    const { source, target } = await lockPair(trx, actor, sourceCustomerId, targetCustomerId);
    const kinds = movedKinds(options);
    const [sourceContacts, targetContacts] = options.contacts
      ? [await listContacts(trx, actor.tenantId, source.id, { includeInactive: true }), await listContacts(trx, actor.tenantId, target.id)]
      : [[], []];
    const sourceRecords = await lockRecordsOf(trx, actor.tenantId, source.id, kinds.filter((k) => k !== "contacts"));
    const p = planMerge({ mergeId, source, target, sourceContacts, targetContacts, sourceRecords, options, fieldChoices, actor, now });

    // The ledger moves first, so both parties' figures are recomputed from the rows they now hold and written with them.
    for (const kind of LEDGER_KINDS) await moveAllRecords(trx, actor.tenantId, kind, source.id, target.id);
    const sourceValue = await revalue(trx, actor, p.source, settings, now);
    const targetValue = await revalue(trx, actor, p.target, settings, now);
    const events = [...p.events, ...sourceValue.events, ...targetValue.events];
    // The source first: once deactivated its email is free, should the target take it.
    await writeCustomer(trx, actor, sourceValue.customer, source.version, "CustomerMerged", { ...p.audit.source, ...sourceValue.changes }, events, traceId);
    await writeCustomer(trx, actor, targetValue.customer, target.version, "CustomerMerged", { ...p.audit.target, ...targetValue.changes }, events, traceId);
    await writeValueHistory(trx, actor, sourceValue, `Merged into ${target.customerNumber} (merge ${mergeId})`, now);
    await writeValueHistory(trx, actor, targetValue, `Merged from ${source.customerNumber} (merge ${mergeId})`, now);
    await moveContacts(trx, actor.tenantId, p.moved.contacts.map((c) => c.id), target.id, actor, now);
    await setContactsPrimary(trx, actor.tenantId, p.demotedContactIds, false);
    await writeContactChanges(trx, actor, p.contactEvents, "CustomerMerged", source.id, now, traceId);
    for (const kind of kinds.filter((k) => k !== "contacts" && !isLedger(k))) await moveAllRecords(trx, actor.tenantId, kind, source.id, target.id);
    if (source.lastActivityAt) await touchCustomerActivity(trx, actor.tenantId, target.id, source.lastActivityAt);
    const [mergedSource, mergedTarget] = await rerateAndReload(trx, actor, [source.id, target.id], p.moved, now);
    const final = { ...p, source: mergedSource, target: mergedTarget };
    await insertMerge(trx, { id: mergeId, tenantId: actor.tenantId, sourceCustomerId, targetCustomerId, options, fieldChoices, plan: final, mergedAt: now, mergedBy: actor.userId });
    return final;
  });
  await retireCaches(deps, actor, [plan.source, plan.target]);
  const stored: StoredMerge = {
    id: mergeId,
    tenantId: actor.tenantId,
    sourceCustomerId,
    targetCustomerId,
    options,
    fieldChoices,
    moved: plan.moved,
    droppedContacts: plan.droppedContacts,
    tagsAdded: plan.tagsAdded,
    targetFields: plan.targetFields,
    sourceBefore: plan.sourceBefore,
    sourceVersion: plan.source.version,
    mergedAt: now,
    mergedBy: actor.userId,
    undoneAt: null,
    undoneBy: null,
  };
  return { ...toMergeDto(stored), target: toDto(plan.target) };
}

async function loadMerge(deps: AppDeps, actor: Actor, mergeId: string): Promise<StoredMerge> {
  const merge = await findMerge(deps.db, actor.tenantId, mergeId);
  if (!merge) throw mergeNotFound();
  return merge;
}

/** A merge with the source's audit trail: how a target's history leads to what was merged into it. */
export async function getMerge(deps: AppDeps, actor: Actor, mergeId: string) {
  const merge = await loadMerge(deps, actor, mergeId);
  const history = await listAudit(deps.db, actor.tenantId, "Customer", merge.sourceCustomerId);
  return {
    ...toMergeDto(merge),
    sourceHistory: history.map((r) => ({
      action: r.action,
      actorId: r.actorId,
      occurredAt: r.occurredAt.toISOString(),
      changes: r.changes as Changes,
    })),
  };
}

/**
 * Undo within 30 days while nothing moved has changed: the customers and the merge row are locked
 * (customers first, in id order, as a merge takes them), every moved record is locked and
 * compared with what the merge recorded, and only then does anything move back.
 */
export async function undoMerge(deps: AppDeps, actor: Actor, mergeId: string, traceId: string) {
  const known = await loadMerge(deps, actor, mergeId);
  const now = deps.now();
  const plan = await inTransaction(deps.db, async (trx) => {
    const settings = await valueSettingsIn(trx, actor.tenantId);
    const { source, target } = await lockPair(trx, actor, known.sourceCustomerId, known.targetCustomerId);
    const merge = (await findMerge(trx, actor.tenantId, mergeId, { forUpdate: true }))!;
    const current = {} as Parameters<typeof planUndo>[0]["current"];
    for (const kind of MOVED_KINDS) {
      current[kind] = merge.undoneAt ? [] : await lockCurrentRecords(trx, actor.tenantId, kind, merge.moved[kind].map((r) => r.id));
    }
    const p = planUndo({ merge, source, target, current, actor, now });

    // Exactly the ledger rows the merge moved go back first; both parties are then recomputed as a merge recomputes them.
    for (const kind of LEDGER_KINDS) await moveRecords(trx, actor.tenantId, kind, p.back[kind], source.id);
    const sourceValue = await revalue(trx, actor, p.source, settings, now);
    const targetValue = await revalue(trx, actor, p.target, settings, now);
    const events = [...p.events, ...sourceValue.events, ...targetValue.events];
    // The target first: it gives back the email it may have taken, before the source holds it again.
    await writeCustomer(trx, actor, targetValue.customer, target.version, "CustomerMergeUndone", { ...p.audit.target, ...targetValue.changes }, events, traceId);
    await writeCustomer(trx, actor, sourceValue.customer, source.version, "CustomerMergeUndone", { ...p.audit.source, ...sourceValue.changes }, events, traceId);
    await writeValueHistory(trx, actor, targetValue, `Merge ${mergeId} of ${source.customerNumber} undone`, now);
    await writeValueHistory(trx, actor, sourceValue, `Merge ${mergeId} into ${target.customerNumber} undone`, now);
    await moveContacts(trx, actor.tenantId, p.back.contacts, source.id, actor, now);
    for (const kind of MOVED_KINDS.filter((k) => k !== "contacts" && !isLedger(k))) await moveRecords(trx, actor.tenantId, kind, p.back[kind], source.id);
    await setContactsPrimary(trx, actor.tenantId, p.promotedContactIds, true);
    await writeContactChanges(trx, actor, p.contactEvents, "CustomerMergeUndone", target.id, now, traceId);
    await markMergeUndone(trx, actor.tenantId, mergeId, now, actor.userId);
    const [undoneSource, undoneTarget] = await rerateAndReload(trx, actor, [source.id, target.id], p.back, now);
    return { ...p, source: undoneSource, target: undoneTarget };
  });
  await retireCaches(deps, actor, [plan.source, plan.target]);
  return {
    ...toMergeDto({ ...known, undoneAt: now, undoneBy: actor.userId }),
    source: toDto(plan.source),
    target: toDto(plan.target),
  };
}
