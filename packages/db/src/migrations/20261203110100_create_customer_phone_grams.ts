import { phoneGrams } from "@clientele/domain";
import { sql, type Kysely } from "kysely";

/**
 * Partial phone lookup for the advanced search: one row per (customer, 4-digit window of its
 * phones' international and national digits). A fragment of 4+ digits is then found from its
 * windows' rows rather than by a LIKE '%…%' over every customer's phone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_phone_grams")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("gram", sql`char(4) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("customer_phone_grams_pk", ["tenant_id", "gram", "customer_id"])
    .execute();
  await db.schema.createIndex("customer_phone_grams_customer_ix").on("customer_phone_grams").columns(["customer_id"]).execute();

  // Customers that existed before this table get their grams now, a batch at a time.
  type Row = { id: string; tenant_id: string; primary_phone: string; secondary_phone: string | null };
  let after = "";
  for (;;) {
    const { rows } = await sql<Row>`SELECT id, tenant_id, primary_phone, secondary_phone FROM customers WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db);
    if (rows.length === 0) break;
    const values = rows.flatMap((r) => phoneGrams([r.primary_phone, r.secondary_phone]).map((g) => sql`(${r.tenant_id}, ${g}, ${r.id})`));
    if (values.length) await sql`INSERT INTO customer_phone_grams (tenant_id, gram, customer_id) VALUES ${sql.join(values)}`.execute(db);
    after = rows.at(-1)!.id;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_phone_grams").execute();
}
