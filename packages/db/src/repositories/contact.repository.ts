import type { Contact, ContactStatus, Customer } from "@clientele/domain";
import type { DbOrTrx, Trx } from "../connection";
import type { ContactsTable } from "../schema";
import type { Selectable } from "kysely";
import { toCustomer } from "./customer.repository";

type ContactRow = Selectable<ContactsTable>;

function toContact(row: ContactRow, tags: string[]): Contact {
  return {
    id: row.id,
    tenantId: row.tenantId,
    customerId: row.customerId,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phone: row.phone,
    position: row.position,
    isPrimary: Boolean(row.isPrimary),
    tags,
    status: row.status as ContactStatus,
    removedAt: row.removedAt,
    removedBy: row.removedBy,
    removalReason: row.removalReason,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    lastModifiedAt: row.lastModifiedAt,
    lastModifiedBy: row.lastModifiedBy,
    version: row.version,
  };
}

async function withTags(db: DbOrTrx, rows: ContactRow[]): Promise<Contact[]> {
  if (rows.length === 0) return [];
  const tags = await db
    .selectFrom("contactTags")
    .select(["contactId", "tag"])
    .where("contactId", "in", rows.map((r) => r.id))
    .orderBy("tag")
    .execute();
  const byContact = new Map<string, string[]>();
  for (const t of tags) {
    const list = byContact.get(t.contactId) ?? [];
    list.push(t.tag);
    byContact.set(t.contactId, list);
  }
  return rows.map((r) => toContact(r, byContact.get(r.id) ?? []));
}

/**
 * Locks the customer row for the rest of the transaction. Every contact change of a customer
 * takes this lock first, so the 50-contact limit, email uniqueness and the single primary are
 * decided on a list nobody else is changing.
 */
export async function lockCustomer(trx: Trx, tenantId: string, customerId: string): Promise<Customer | undefined> {
  const row = await trx
    .selectFrom("customers")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where("id", "=", customerId)
    .forUpdate()
    .executeTakeFirst();
  return row && toCustomer(row);
}

export async function listContacts(
  db: DbOrTrx,
  tenantId: string,
  customerId: string,
  opts: { tag?: string | undefined; includeInactive?: boolean } = {},
): Promise<Contact[]> {
  let q = db.selectFrom("contacts").selectAll("contacts").where("contacts.tenantId", "=", tenantId).where("contacts.customerId", "=", customerId);
  if (!opts.includeInactive) q = q.where("contacts.status", "=", "Active");
  if (opts.tag) {
    const tag = opts.tag;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom("contactTags").select("contactTags.tag").whereRef("contactTags.contactId", "=", "contacts.id").where("contactTags.tag", "=", tag)),
    );
  }
  const rows = await q.orderBy("contacts.isPrimary", "desc").orderBy("contacts.lastName").orderBy("contacts.firstName").orderBy("contacts.id").execute();
  return withTags(db, rows);
}

export async function findContact(db: DbOrTrx, tenantId: string, customerId: string, contactId: string): Promise<Contact | undefined> {
  const row = await db
    .selectFrom("contacts")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where("customerId", "=", customerId)
    .where("id", "=", contactId)
    .executeTakeFirst();
  return row ? (await withTags(db, [row]))[0] : undefined;
}

function toRow(c: Contact) {
  return {
    id: c.id,
    tenantId: c.tenantId,
    customerId: c.customerId,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    phone: c.phone,
    position: c.position,
    isPrimary: c.isPrimary ? 1 : 0,
    status: c.status,
    removedAt: c.removedAt,
    removedBy: c.removedBy,
    removalReason: c.removalReason,
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    lastModifiedAt: c.lastModifiedAt,
    lastModifiedBy: c.lastModifiedBy,
    version: c.version,
  };
}

/**
 * Persists changed contacts. Those absent from `previousVersions` are new and inserted; the rest
 * are updated with a compare-and-set on the version they had when read. False when a row had
 * moved on meanwhile (the caller rolls back).
 */
export async function saveContacts(trx: Trx, contacts: Contact[], previousVersions: Map<string, number>): Promise<boolean> {
  const fresh = contacts.filter((c) => !previousVersions.has(c.id));
  if (fresh.length) await trx.insertInto("contacts").values(fresh.map(toRow)).execute();
  for (const c of contacts.filter((x) => previousVersions.has(x.id))) {
    const { id: _id, tenantId: _t, customerId: _c, createdAt: _a, createdBy: _b, ...changes } = toRow(c);
    const result = await trx
      .updateTable("contacts")
      .set(changes)
      .where("tenantId", "=", c.tenantId)
      .where("id", "=", c.id)
      .where("version", "=", previousVersions.get(c.id)!)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
  }
  const updatedIds = contacts.filter((c) => previousVersions.has(c.id)).map((c) => c.id);
  if (updatedIds.length) await trx.deleteFrom("contactTags").where("contactId", "in", updatedIds).execute();
  const tagRows = contacts.flatMap((c) => c.tags.map((tag) => ({ tenantId: c.tenantId, contactId: c.id, tag })));
  if (tagRows.length) await trx.insertInto("contactTags").values(tagRows).execute();
  return true;
}

/** Active contacts of several customers at once (already locked by the caller), by customer. */
export async function listActiveContactsOf(db: DbOrTrx, tenantId: string, customerIds: string[]): Promise<Map<string, Contact[]>> {
  const out = new Map<string, Contact[]>(customerIds.map((id) => [id, []]));
  if (customerIds.length === 0) return out;
  const rows = await db
    .selectFrom("contacts")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where("customerId", "in", customerIds)
    .where("status", "=", "Active")
    .execute();
  for (const c of await withTags(db, rows)) out.get(c.customerId)!.push(c);
  return out;
}

/** Locks several customers in primary-key order (one statement), so concurrent imports can't deadlock. */
export async function lockCustomers(trx: Trx, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.selectFrom("customers").select("id").where("tenantId", "=", tenantId).where("id", "in", ids).orderBy("id").forUpdate().execute();
}

/** Customers of the tenant named by id or number, visible ones only (for imports). */
export async function findCustomerRefs(db: DbOrTrx, tenantId: string, ids: string[], numbers: string[]) {
  if (ids.length === 0 && numbers.length === 0) return [];
  return db
    .selectFrom("customers")
    .select(["id", "customerNumber", "billingCountry"])
    .where("tenantId", "=", tenantId)
    .where("isDeleted", "=", 0)
    .where((eb) => eb.or([...(ids.length ? [eb("id", "in", ids)] : []), ...(numbers.length ? [eb("customerNumber", "in", numbers)] : [])]))
    .execute();
}
