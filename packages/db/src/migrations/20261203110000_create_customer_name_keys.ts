import { customerNameKeys } from "@clientele/domain";
import { sql, type Kysely } from "kysely";

/**
 * Fuzzy name lookup for the advanced search: one row per (customer, key of a name word), the keys
 * being the folded word, its sorted letters and its phonetic code (packages/domain search-keys).
 * A misspelt name is then a few primary-key point ranges instead of a distance computed against
 * every customer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_name_keys")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("name_key", sql`varchar(64) character set utf8mb4 collate utf8mb4_bin`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("customer_name_keys_pk", ["tenant_id", "name_key", "customer_id"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("customer_name_keys_customer_ix").on("customer_name_keys").columns(["customer_id"]).execute();

  // Customers that existed before this table get their keys now, a batch at a time.
  type Row = { id: string; tenant_id: string; first_name: string | null; last_name: string | null; company_name: string };
  let after = "";
  for (;;) {
    const { rows } = await sql<Row>`SELECT id, tenant_id, first_name, last_name, company_name FROM customers WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db);
    if (rows.length === 0) break;
    const values = rows.flatMap((r) =>
      customerNameKeys({ firstName: r.first_name, lastName: r.last_name, companyName: r.company_name }).map((k) => sql`(${r.tenant_id}, ${k}, ${r.id})`),
    );
    if (values.length) await sql`INSERT INTO customer_name_keys (tenant_id, name_key, customer_id) VALUES ${sql.join(values)}`.execute(db);
    after = rows.at(-1)!.id;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_name_keys").execute();
}
