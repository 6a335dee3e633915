import { randomUUID } from "node:crypto";
import {
  addContact,
  assertModifiable,
  contactNotFound,
  customerNotFound,
  diff,
  removeContact,
  staleVersion,
  tagContact,
  untagContact,
  updateContact,
  type Actor,
  type Contact,
  type ContactDecision,
  type Customer,
} from "@clientele/domain";
import {
  appendAudit,
  appendEvents,
  findContact,
  inTransaction,
  listContacts,
  lockCustomer,
  saveContacts,
  type Trx,
} from "@clientele/db";
import type { z } from "zod";
import { CACHE_TTL, cacheKeys } from "@clientele/cache";
import type { AppDeps } from "../../deps";
import { loadVisible } from "../customers/customer.use-cases";
import type { TContact, ZAddContactInput, ZRemoveContactInput, ZUpdateContactInput } from "./contact.schemas";

function toContactDto(c: Contact): TContact {
  return {
    id: c.id,
    customerId: c.customerId,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    phone: c.phone,
    position: c.position,
    isPrimary: c.isPrimary,
    tags: c.tags,
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    createdBy: c.createdBy,
    lastModifiedAt: c.lastModifiedAt?.toISOString() ?? null,
    lastModifiedBy: c.lastModifiedBy,
    version: c.version,
  };
}

type Decide = (customer: Customer, active: Contact[], trx: Trx) => Promise<ContactDecision> | ContactDecision;

/** Persists a contact decision with its audit rows and events (one version per contact). */
async function persistContactDecision(trx: Trx, actor: Actor, decision: ContactDecision, before: Contact[], traceId: string) {
  if (decision.changed.length === 0) return;
  if (!(await saveContacts(trx, decision.changed, new Map(before.map((c) => [c.id, c.version]))))) {
    throw staleVersion(decision.contact.version - 1, decision.contact.version, "contact");
  }
  const byId = new Map(before.map((c) => [c.id, c]));
  await appendAudit(
    trx,
    decision.changed.map((c) => {
      const prev = byId.get(c.id);
      const { version: _v, lastModifiedAt: _a, lastModifiedBy: _b, ...after } = c;
      return {
        tenantId: actor.tenantId,
        entityType: "Contact",
        entityId: c.id,
        action: decision.events.find((e) => e.aggregateId === c.id)?.type ?? "ContactUpdated",
        actorId: actor.userId,
        occurredAt: c.lastModifiedAt ?? c.createdAt,
        changes: prev ? diff(prev, after) : diff({}, after),
        traceId,
      };
    }),
  );
  for (const c of decision.changed) {
    await appendEvents(
      trx,
      decision.events.filter((e) => e.aggregateId === c.id),
      { tenantId: actor.tenantId, actor: actor.userId, version: c.version, occurredAt: c.lastModifiedAt ?? c.createdAt },
    );
  }
}

/** Under the customer's row lock: load its active contacts, decide, persist; then retire caches. */
async function change(deps: AppDeps, actor: Actor, customerId: string, traceId: string, decide: Decide): Promise<ContactDecision> {
  const decision = await inTransaction(deps.db, async (trx) => {
    const customer = await lockCustomer(trx, actor.tenantId, customerId);
    if (!customer) throw customerNotFound();
    assertModifiable(customer, undefined);
    const active = await listContacts(trx, actor.tenantId, customerId);
    const d = await decide(customer, active, trx);
    await persistContactDecision(trx, actor, d, active, traceId);
    return d;
  });
  if (decision.changed.length) await deps.cache.bump(cacheKeys.contactsGeneration(actor.tenantId, customerId));
  return decision;
}

async function target(trx: Trx, actor: Actor, customerId: string, contactId: string, active: Contact[]): Promise<Contact> {
  const contact = active.find((c) => c.id === contactId) ?? (await findContact(trx, actor.tenantId, customerId, contactId));
  if (!contact || contact.status !== "Active") throw contactNotFound();
  return contact;
}

const ctxOf = (deps: AppDeps, actor: Actor, customer: Customer) => ({
  actor,
  now: deps.now(),
  defaultCountry: customer.contactInfo.billingAddress.country,
});

export async function add(deps: AppDeps, actor: Actor, input: z.infer<typeof ZAddContactInput>, traceId: string) {
  const { customerId, ...fields } = input;
  const d = await change(deps, actor, customerId, traceId, (customer, active) =>
    addContact(active, fields, { id: randomUUID(), tenantId: actor.tenantId, customerId }, ctxOf(deps, actor, customer)),
  );
  return toContactDto(d.contact);
}

export async function update(deps: AppDeps, actor: Actor, input: z.infer<typeof ZUpdateContactInput>, traceId: string) {
  const { customerId, contactId, version, ...patch } = input;
  const d = await change(deps, actor, customerId, traceId, async (customer, active, trx) =>
    updateContact(active, await target(trx, actor, customerId, contactId, active), patch, ctxOf(deps, actor, customer), version),
  );
  return toContactDto(d.contact);
}

export async function remove(deps: AppDeps, actor: Actor, input: z.infer<typeof ZRemoveContactInput>, traceId: string) {
  const { customerId, contactId, version, reason } = input;
  const d = await change(deps, actor, customerId, traceId, async (customer, active, trx) =>
    removeContact(active, await target(trx, actor, customerId, contactId, active), reason ?? null, ctxOf(deps, actor, customer), version),
  );
  return { id: d.contact.id, status: "Inactive" as const };
}

export async function tag(deps: AppDeps, actor: Actor, input: { customerId: string; contactId: string; tag: string }, traceId: string) {
  const d = await change(deps, actor, input.customerId, traceId, async (customer, active, trx) =>
    tagContact(await target(trx, actor, input.customerId, input.contactId, active), input.tag, ctxOf(deps, actor, customer)),
  );
  return toContactDto(d.contact);
}

export async function untag(deps: AppDeps, actor: Actor, input: { customerId: string; contactId: string; tag: string }, traceId: string) {
  const d = await change(deps, actor, input.customerId, traceId, async (customer, active, trx) =>
    untagContact(await target(trx, actor, input.customerId, input.contactId, active), input.tag, ctxOf(deps, actor, customer)),
  );
  return toContactDto(d.contact);
}

/** REQ-CUS-041: a customer's contact list is cached 15 minutes, per tag filter. */
export async function list(deps: AppDeps, actor: Actor, input: { customerId: string; tag?: string | undefined }) {
  const tagFilter = input.tag?.trim().toLowerCase();
  return deps.cache.throughGeneration(
    cacheKeys.contactsGeneration(actor.tenantId, input.customerId),
    (generation) => cacheKeys.contacts(actor.tenantId, input.customerId, generation, tagFilter ?? ""),
    CACHE_TTL.contacts,
    async (): Promise<{ items: TContact[] }> => {
      await loadVisible(deps, actor, input.customerId);
      return { items: (await listContacts(deps.db, actor.tenantId, input.customerId, { tag: tagFilter })).map(toContactDto) };
    },
  );
}

export async function get(deps: AppDeps, actor: Actor, input: { customerId: string; contactId: string }) {
  await loadVisible(deps, actor, input.customerId);
  const contact = await findContact(deps.db, actor.tenantId, input.customerId, input.contactId);
  if (!contact || contact.status !== "Active") throw contactNotFound();
  return toContactDto(contact);
}
