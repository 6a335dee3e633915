import { searchTerms } from "@clientele/domain";
import { sql, type Kysely } from "kysely";

/**
 * One row per (customer, search word), carrying the columns search filters and sorts on. A word
 * query is then a range scan of this table's primary key, with no row of `customers` read but
 * the page shown: full-text matching cost ~5 µs per matching row, too slow for common words at
 * a million customers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_search_terms")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("term", sql`varchar(64) character set utf8mb4 collate utf8mb4_bin`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("is_deleted", "boolean", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("type", "varchar(20)", (c) => c.notNull())
    .addColumn("segment", "varchar(20)", (c) => c.notNull())
    .addColumn("company_name", "varchar(200)", (c) => c.notNull())
    .addColumn("customer_number", sql`varchar(20) character set ascii`, (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("last_modified_at", "datetime(3)")
    .addPrimaryKeyConstraint("customer_search_terms_pk", ["tenant_id", "term", "customer_id"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("customer_search_terms_customer_ix").on("customer_search_terms").columns(["customer_id"]).execute();

  // This table replaces the full-text index, which would only cost every write.
  await sql`DROP INDEX customers_search_ft ON customers`.execute(db);

  // Customers that existed before this table get their words now, a batch at a time.
  type Row = { id: string; tenant_id: string; company_name: string; primary_email: string; is_deleted: number; status: string; type: string; segment: string; customer_number: string; created_at: Date; last_modified_at: Date | null };
  let after = "";
  for (;;) {
    const { rows } = await sql<Row>`SELECT id, tenant_id, company_name, primary_email, is_deleted, status, type, segment, customer_number, created_at, last_modified_at FROM customers WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db);
    if (rows.length === 0) break;
    const values = rows.flatMap((r) =>
      searchTerms(r.company_name, r.primary_email).map(
        (term) => sql`(${r.tenant_id}, ${term}, ${r.id}, ${r.is_deleted}, ${r.status}, ${r.type}, ${r.segment}, ${r.company_name}, ${r.customer_number}, ${r.created_at}, ${r.last_modified_at})`,
      ),
    );
    if (values.length) {
      await sql`INSERT INTO customer_search_terms (tenant_id, term, customer_id, is_deleted, status, type, segment, company_name, customer_number, created_at, last_modified_at) VALUES ${sql.join(values)}`.execute(db);
    }
    after = rows.at(-1)!.id;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_search_terms").execute();
  await db.connection().execute(async (conn) => {
    await sql`SET SESSION innodb_ft_enable_stopword = OFF`.execute(conn);
    await sql`CREATE FULLTEXT INDEX customers_search_ft ON customers (company_name, primary_email)`.execute(conn);
  });
}
