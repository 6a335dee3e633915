import { sql, type Kysely } from "kysely";

/**
 * Email unique per tenant among customers that are not deactivated (a merged customer is
 * deactivated too) or archived (terminal: its address is free for a new record): the key is NULL
 * for those rows, and NULLs never clash in a unique index, so concurrent creates and updates race
 * on the index instead of a check-then-insert. Case-folded, as mailboxes are matched.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Emails were not unique before: name the clashes rather than fail half-way (MySQL DDL is not transactional).
  const { rows } = await sql<{ tenantId: string; email: string; n: number }>`select tenant_id as tenantId, lower(primary_email) as email, count(*) as n from customers where is_deleted = 0 and status <> 'Archived' group by tenant_id, lower(primary_email) having count(*) > 1 limit 20`.execute(db);
  if (rows.length) {
    const list = rows.map((r) => `${r.tenantId}: ${r.email} (${r.n} customers)`).join("; ");
    throw new Error(`Emails must be unique per tenant among active customers; deactivate or change these first: ${list}`);
  }
  await sql`alter table customers add column active_email varchar(255) as (if(is_deleted = 0 and status <> 'Archived', lower(primary_email), null)) stored`.execute(db);
  await db.schema.createIndex("customers_tenant_active_email_ux").unique().on("customers").columns(["tenant_id", "active_email"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("customers_tenant_active_email_ux").on("customers").execute();
  await db.schema.alterTable("customers").dropColumn("active_email").execute();
}
