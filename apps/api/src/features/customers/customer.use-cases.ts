import { createHash, randomUUID } from "node:crypto";
import {
  archiveCustomer,
  assertModifiable,
  customerNotFound,
  deactivateCustomer,
  setCustomerTags,
  suspendCustomer,
  unsuspendCustomer,
  updateCustomerRecord,
  formatCustomerNumber,
  reactivateCustomer,
  registerCustomer,
  updateContactInfo,
  updatePreferences,
  updateProfile,
  updateShippingAddress,
  validateRegistration,
  normalizeCustomerTags,
  validationError,
  type Actor,
  type Customer,
  type CustomerStatus,
  type Decision,
  type PreferencesPatch,
  type SuspensionReason,
} from "@clientele/domain";
import {
  findCustomerById,
  findLastActivityAt,
  inTransaction,
  listAudit,
  lockCustomerRecord,
  nextSequenceValue,
  searchCustomers,
  withTagsAndActivity,
  writeCustomerDecision,
  type CustomerSortField,
} from "@clientele/db";
import { CACHE_TTL, cacheKeys, readVersioned } from "@clientele/cache";
import type { AppDeps } from "../../deps";
import { customerValueDto } from "../value/rating.schemas";
import { possibleDuplicatesOf, queueDuplicateRefresh } from "./customer-duplicate.use-cases";
import { assertNotMerged, notVisibleError } from "./customer-merge.reads";
import type {
  TCreateCustomerInput,
  TCustomer,
  TSearchCustomersInput,
  TUpdateCustomerInput,
  ZPreferencesPatch,
  ZUpdateContactInfoInput,
  ZUpdateProfileInput,
  ZUpdateShippingAddressInput,
} from "./customer.schemas";
import type { z } from "zod";

export function toDto(c: Customer): TCustomer {
  return {
    id: c.id,
    customerNumber: c.customerNumber,
    profile: {
      companyName: c.companyName,
      firstName: c.firstName,
      lastName: c.lastName,
      industry: c.industry,
      type: c.type,
      segment: c.segment,
      segmentOverride: c.segmentOverride ? { ...c.segmentOverride, at: c.segmentOverride.at.toISOString() } : null,
      lifetimeValue: Number(c.lifetimeValue),
      totalEvents: c.totalEvents,
      rating: c.rating,
      notes: c.notes,
      source: c.source,
      dateOfBirth: c.dateOfBirth,
      gender: c.gender,
      socialMediaLinks: c.socialMediaLinks,
    },
    contactInfo: { ...c.contactInfo, website: c.website, emailVerified: c.emailVerified, phoneVerified: c.phoneVerified },
    preferences: c.preferences,
    tags: c.tags,
    status: c.status,
    statusReason: c.statusReason,
    lastActivityAt: c.lastActivityAt?.toISOString() ?? null,
    ...customerValueDto(c),
    createdAt: c.createdAt.toISOString(),
    createdBy: c.createdBy,
    lastModifiedAt: c.lastModifiedAt?.toISOString() ?? null,
    lastModifiedBy: c.lastModifiedBy,
    version: c.version,
  };
}

/** What the cache holds for a customer nobody may read (deactivated or merged). */
export const TOMBSTONE = "{}";

function toPreferencesPatch(p: z.infer<typeof ZPreferencesPatch> | undefined): PreferencesPatch | undefined {
  if (!p) return undefined;
  const { communicationChannels, ...rest } = p;
  if (!communicationChannels) return rest;
  return { ...rest, communication: { ...rest.communication, channels: rest.communication?.channels ?? communicationChannels } };
}

/** Writes the customer's new state with its audit rows and events, inside the caller's transaction: the one write path imports and bulk jobs share. */

/** Status changes that may flip the soft-delete flag, which gates what others may read of the customer. */
const VISIBILITY_EVENTS = new Set(["CustomerDeactivated", "CustomerReactivated", "CustomerSuspended", "CustomerArchived"]);

/** After commit: write-through the new state and retire the tenant's cached searches. */
async function afterCommit(deps: AppDeps, actor: Actor, decision: Decision) {
  const { customer, events } = decision;
  if (events.length === 0) return;
  await Promise.all([
    deps.cache.putVersioned(
      cacheKeys.customer(actor.tenantId, customer.id),
      customer.version,
      customer.isDeleted ? TOMBSTONE : JSON.stringify(toDto(customer)),
      CACHE_TTL.customer,
    ),
    deps.cache.bump(cacheKeys.searchGeneration(actor.tenantId)),
    // Duplicate detection: the worker recomputes this customer's review-queue pairs.
    queueDuplicateRefresh(deps, customer),
    // A customer's visibility gates its cached contact list and communication history too.
    events.some((e) => VISIBILITY_EVENTS.has(e.type))
      ? deps.cache.bumpMany([cacheKeys.contactsGeneration(actor.tenantId, customer.id), cacheKeys.communicationsGeneration(actor.tenantId, customer.id)])
      : undefined,
  ]);
}

async function load(deps: AppDeps, actor: Actor, id: string): Promise<Customer> {
  const customer = await findCustomerById(deps.db, actor.tenantId, id);
  if (!customer) throw customerNotFound();
  if (customer.isDeleted) await assertNotMerged(deps.db, actor.tenantId, id);
  return customer;
}

/** A customer others may read about: of this tenant and not deactivated (else 404). */
export async function loadVisible(deps: AppDeps, actor: Actor, id: string): Promise<Customer> {
  const customer = await load(deps, actor, id);
  if (customer.isDeleted) throw customerNotFound();
  return customer;
}

/** A customer whose records may change: 404 if missing, 400 CUST-004 if deactivated. */
export async function loadModifiable(deps: AppDeps, actor: Actor, id: string): Promise<Customer> {
  const customer = await load(deps, actor, id);
  assertModifiable(customer, undefined);
  return customer;
}

export async function createCustomer(deps: AppDeps, actor: Actor, input: TCreateCustomerInput, traceId: string) {
  const { preferences, ...rest } = input;
  const now = deps.now();
  const valid = validateRegistration({ ...rest, preferences: toPreferencesPatch(preferences) }, now);
  const sequence = await nextSequenceValue(deps.db, actor.tenantId, "customer");
  const decision = registerCustomer(valid, {
    id: randomUUID(),
    tenantId: actor.tenantId,
    customerNumber: formatCustomerNumber(sequence),
    actor,
    now,
  });
  await inTransaction(deps.db, (trx) => writeCustomerDecision(trx, actor, decision, null, "CustomerRegistered", traceId));
  await afterCommit(deps, actor, decision);
  const c = decision.customer;
  return {
    id: c.id,
    customerNumber: c.customerNumber,
    companyName: c.companyName,
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    version: c.version,
    warnings: decision.warnings,
    possibleDuplicates: await possibleDuplicatesOf(deps, actor, c),
  };
}

/**
 * lastActivityAt moves with every interaction, which never touches the customer or its cached
 * record: it is cached under a key of its own, which each interaction retires after its commit
 * (retireLastActivity). The short TTL bounds what a read racing that commit could put back.
 */
const ACTIVITY_TTL_SECONDS = 60;
const activityKey = cacheKeys.customerActivity;

/** The cached form: an ISO instant, or "" for none. */
async function loadLastActivity(deps: AppDeps, tenantId: string, id: string): Promise<string> {
  const at = (await findLastActivityAt(deps.db, tenantId, id))?.toISOString() ?? "";
  await deps.cache.set(activityKey(tenantId, id), at, ACTIVITY_TTL_SECONDS);
  return at;
}

/** Call after an interaction (communication, call, meeting, complaint, testimonial) committed its touchCustomerActivity. */
export async function retireLastActivity(deps: AppDeps, tenantId: string, customerIds: readonly string[]): Promise<void> {
  await Promise.all([...new Set(customerIds)].map((id) => deps.cache.del(activityKey(tenantId, id))));
}

export async function getCustomer(deps: AppDeps, actor: Actor, id: string): Promise<TCustomer> {
  const key = cacheKeys.customer(actor.tenantId, id);
  const activity = activityKey(actor.tenantId, id);
  // Both keys leave in one Redis round trip (auto-pipelining).
  const [raw, cachedActivity] = await Promise.all([deps.cache.get(key), deps.cache.get(activity)]);
  const cached = readVersioned(raw);
  if (cached) {
    if (cached.value === TOMBSTONE) throw await notVisibleError(deps.db, actor.tenantId, id);
    const lastActivityAt = cachedActivity ?? (await loadLastActivity(deps, actor.tenantId, id));
    const dto = JSON.parse(cached.value) as TCustomer;
    // Activity after the one an inactivity flag was raised on has cleared it (touchCustomerActivity), cached copy or not.
    const inactivity = dto.inactivity && lastActivityAt && lastActivityAt > dto.inactivity.lastActivityAt ? null : dto.inactivity;
    return { ...dto, lastActivityAt: lastActivityAt || null, inactivity };
  }
  const customer = await findCustomerById(deps.db, actor.tenantId, id);
  if (!customer) throw customerNotFound();
  const dto = toDto(customer);
  await Promise.all([
    deps.cache.putVersioned(key, customer.version, customer.isDeleted ? TOMBSTONE : JSON.stringify(dto), CACHE_TTL.customer),
    deps.cache.set(activity, dto.lastActivityAt ?? "", ACTIVITY_TTL_SECONDS),
  ]);
  if (customer.isDeleted) throw await notVisibleError(deps.db, actor.tenantId, id);
  return dto;
}

export async function searchCustomerList(deps: AppDeps, actor: Actor, input: TSearchCustomersInput) {
  const hash = createHash("sha1").update(JSON.stringify(input)).digest("base64url");
  return deps.cache.throughGeneration(
    cacheKeys.searchGeneration(actor.tenantId),
    (generation) => cacheKeys.search(actor.tenantId, generation, hash),
    CACHE_TTL.search,
    () => runSearch(deps, actor, input),
  );
}

/** Archived customers are left out of searches and lists unless a status filter asks for them. */
const DEFAULT_LISTED_STATUSES: CustomerStatus[] = ["Active", "Inactive", "Suspended"];

/** GET /customers: the search's filters and paging over the same use case (and its cache). */
export const listCustomers = searchCustomerList;

/** A search's tag filter, normalized as tags are stored; a tag that could never be stored is a 400. */
export function tagFilter(raw: string[] | undefined): string[] | undefined {
  if (!raw?.length) return undefined;
  const normalized = normalizeCustomerTags(raw);
  if (!normalized.ok) throw validationError(normalized.errors);
  return normalized.value;
}

async function runSearch(deps: AppDeps, actor: Actor, input: TSearchCustomersInput) {
  const tags = tagFilter(input.tags);
  const sort = (input.sort ?? ["companyName:asc"]).map((s) => {
    const [field, direction] = s.split(":") as [CustomerSortField, "asc" | "desc" | undefined];
    return { field, direction: direction ?? "asc" };
  });
  const { items, totalCount } = await searchCustomers(deps.db, actor.tenantId, {
    query: input.query,
    types: input.type,
    segments: input.segment,
    statuses: input.status ?? DEFAULT_LISTED_STATUSES,
    tags,
    sort,
    page: input.page,
    pageSize: input.pageSize,
  });
  return {
    items: (await withTagsAndActivity(deps.db, actor.tenantId, items)).map(toDto),
    totalCount,
    page: input.page,
    pageSize: input.pageSize,
    totalPages: Math.ceil(totalCount / input.pageSize),
  };
}

type Change = (customer: Customer, now: Date) => Decision;

/**
 * Lock the row, let the domain decide on it, write; the shape every update shares. The lock
 * (SELECT … FOR UPDATE) makes concurrent updates of one customer take turns, each deciding on
 * what the one before committed: a call without a version always applies to the current
 * state, and one with a version gets 409 exactly when that version is no longer current.
 */
async function locked(deps: AppDeps, actor: Actor, id: string, action: string, traceId: string, decide: Change): Promise<Decision> {
  const decision = await inTransaction(deps.db, async (trx) => {
    const customer = await lockCustomerRecord(trx, actor.tenantId, id);
    if (!customer) throw customerNotFound();
    // A merged source comes back only through its merge's undo, which moves its records back too.
    if (customer.isDeleted) await assertNotMerged(trx, actor.tenantId, id);
    const d = decide(customer, deps.now());
    await writeCustomerDecision(trx, actor, d, customer.version, action, traceId);
    return d;
  });
  await afterCommit(deps, actor, decision);
  return decision;
}

async function change(deps: AppDeps, actor: Actor, id: string, action: string, traceId: string, decide: Change) {
  const decision = await locked(deps, actor, id, action, traceId, decide);
  return { ...toDto(decision.customer), warnings: decision.warnings, possibleDuplicates: await possibleDuplicatesOf(deps, actor, decision.customer) };
}

export function changeProfile(deps: AppDeps, actor: Actor, input: z.infer<typeof ZUpdateProfileInput>, traceId: string) {
  const { id, version, type: _type, ...patch } = input;
  return change(deps, actor, id, "CustomerProfileUpdated", traceId, (c, now) => updateProfile(c, patch, actor, now, version));
}

export function changeContactInfo(deps: AppDeps, actor: Actor, input: z.infer<typeof ZUpdateContactInfoInput>, traceId: string) {
  const { id, version, ...patch } = input;
  return change(deps, actor, id, "CustomerContactInfoUpdated", traceId, (c, now) =>
    updateContactInfo(c, patch, actor, now, version),
  );
}

export function changeShippingAddress(
  deps: AppDeps,
  actor: Actor,
  input: z.infer<typeof ZUpdateShippingAddressInput>,
  traceId: string,
) {
  const { id, version, shippingAddress, sameAsBilling } = input;
  if (sameAsBilling && shippingAddress) {
    throw validationError({ sameAsBilling: ["give shippingAddress or sameAsBilling, not both"] });
  }
  if (!sameAsBilling && shippingAddress === undefined) {
    throw validationError({ shippingAddress: ["is required: a complete address, null to remove it, or sameAsBilling: true"] });
  }
  const patch = sameAsBilling ? ({ sameAsBilling: true } as const) : { shippingAddress: shippingAddress ?? null };
  return change(deps, actor, id, "CustomerContactInfoUpdated", traceId, (c, now) =>
    updateShippingAddress(c, patch, actor, now, version),
  );
}

export function changePreferences(
  deps: AppDeps,
  actor: Actor,
  input: z.infer<typeof ZPreferencesPatch> & { id: string; version?: number | undefined },
  traceId: string,
) {
  const { id, version, ...patch } = input;
  return change(deps, actor, id, "CustomerPreferencesUpdated", traceId, (c, now) =>
    updatePreferences(c, toPreferencesPatch(patch) ?? {}, actor, now, version),
  );
}

export async function deactivate(deps: AppDeps, actor: Actor, input: { id: string; version?: number | undefined; reason: string }, traceId: string) {
  const { customer } = await locked(deps, actor, input.id, "CustomerDeactivated", traceId, (c, now) =>
    deactivateCustomer(c, input.reason, actor, now, input.version),
  );
  return { id: customer.id, status: customer.status, version: customer.version };
}

export async function reactivate(deps: AppDeps, actor: Actor, input: { id: string; version?: number | undefined; reason: string }, traceId: string) {
  const { customer } = await locked(deps, actor, input.id, "CustomerReactivated", traceId, (c, now) =>
    reactivateCustomer(c, input.reason, actor, now, input.version),
  );
  return { id: customer.id, status: customer.status, version: customer.version };
}

type StatusInput = { id: string; version?: number | undefined; reason: string };
const statusResult = ({ customer }: Decision) => ({ id: customer.id, status: customer.status, version: customer.version });

export async function suspend(
  deps: AppDeps,
  actor: Actor,
  input: { id: string; version?: number | undefined; reason: SuspensionReason; note?: string | null | undefined },
  traceId: string,
) {
  return statusResult(
    await locked(deps, actor, input.id, "CustomerSuspended", traceId, (c, now) =>
      suspendCustomer(c, { reason: input.reason, note: input.note ?? null }, actor, now, input.version),
    ),
  );
}

export async function unsuspend(deps: AppDeps, actor: Actor, input: StatusInput, traceId: string) {
  return statusResult(
    await locked(deps, actor, input.id, "CustomerUnsuspended", traceId, (c, now) => unsuspendCustomer(c, input.reason, actor, now, input.version)),
  );
}

export async function archive(deps: AppDeps, actor: Actor, input: StatusInput, traceId: string) {
  return statusResult(
    await locked(deps, actor, input.id, "CustomerArchived", traceId, (c, now) => archiveCustomer(c, input.reason, actor, now, input.version)),
  );
}

export function changeTags(deps: AppDeps, actor: Actor, input: { id: string; version?: number | undefined; tags: string[] }, traceId: string) {
  return change(deps, actor, input.id, "CustomerTagsChanged", traceId, (c, now) => setCustomerTags(c, input.tags, actor, now, input.version));
}

/** PUT /customers/{id}: any of profile, contact info and preferences in one transaction and one version. */
export function updateRecord(deps: AppDeps, actor: Actor, input: TUpdateCustomerInput, traceId: string) {
  const { id, version, profile, contactInfo, preferences } = input;
  return change(deps, actor, id, "CustomerUpdated", traceId, (c, now) =>
    updateCustomerRecord(c, { profile, contactInfo, preferences: toPreferencesPatch(preferences) }, actor, now, version),
  );
}

/** DELETE /customers/{id}: the soft delete, which is deactivation. */
export const deleteCustomer = deactivate;

/** The audit trail of one customer (deactivated ones included: that is what audits are for). */
export async function customerHistory(deps: AppDeps, actor: Actor, id: string) {
  await load(deps, actor, id);
  const rows = await listAudit(deps.db, actor.tenantId, "Customer", id);
  return {
    items: rows.map((r) => ({
      action: r.action,
      actorId: r.actorId,
      occurredAt: r.occurredAt.toISOString(),
      changes: r.changes as Record<string, { from: unknown; to: unknown }>,
    })),
  };
}

