import { matchKeys, type CustomerStatus } from "@clientele/domain";
import { sql, type Kysely } from "kysely";

/**
 * Duplicate detection's match keys (issue 10 §5): one row per (customer, kind, hashed value), so
 * the customers sharing a key are one primary-key range and a full scan groups the table in its
 * own order. No foreign key: customers are never hard-deleted, and every write of a customer
 * already rewrites its keys (a check per inserted key would only cost the write).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_match_keys")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("key_kind", sql`varchar(16) character set ascii`, (c) => c.notNull())
    .addColumn("key_hash", sql`binary(16)`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_match_keys_pk", ["tenant_id", "key_kind", "key_hash", "customer_id"])
    .execute();
  await db.schema.createIndex("customer_match_keys_customer_ix").on("customer_match_keys").columns(["customer_id"]).execute();

  // Customers that existed before this table get their keys now, a batch at a time.
  type Row = {
    id: string;
    tenant_id: string;
    company_name: string;
    is_deleted: number;
    status: string;
    primary_email: string;
    secondary_email: string | null;
    primary_phone: string;
    secondary_phone: string | null;
    billing_city: string;
    billing_zip_code: string;
    billing_country: string;
  };
  let after = "";
  for (;;) {
    const { rows } = await sql<Row>`SELECT id, tenant_id, company_name, is_deleted, status, primary_email, secondary_email, primary_phone, secondary_phone, billing_city, billing_zip_code, billing_country FROM customers WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db);
    if (rows.length === 0) break;
    const values = rows.flatMap((r) =>
      matchKeys({
        companyName: r.company_name,
        isDeleted: Boolean(r.is_deleted),
        status: r.status as CustomerStatus,
        contactInfo: {
          primaryEmail: r.primary_email,
          secondaryEmail: r.secondary_email,
          primaryPhone: r.primary_phone,
          secondaryPhone: r.secondary_phone,
          billingAddress: { city: r.billing_city, zipCode: r.billing_zip_code, country: r.billing_country },
        },
      }).map((k) => sql`(${r.tenant_id}, ${k.kind}, ${Buffer.from(k.hash, "hex")}, ${r.id})`),
    );
    if (values.length) await sql`INSERT IGNORE INTO customer_match_keys (tenant_id, key_kind, key_hash, customer_id) VALUES ${sql.join(values)}`.execute(db);
    after = rows.at(-1)!.id;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_match_keys").execute();
}
