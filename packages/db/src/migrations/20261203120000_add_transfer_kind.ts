import { sql, type Kysely } from "kysely";

/**
 * Contact and customer imports/exports share one runner and these tables; `kind` says whose rows
 * a job reads or writes, so each feature sees only its own jobs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ["contact_imports", "contact_exports"]) {
    await db.schema.alterTable(table).addColumn("kind", sql`varchar(20) character set ascii`, (c) => c.notNull().defaultTo("Contact")).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["contact_imports", "contact_exports"]) {
    await db.schema.alterTable(table).dropColumn("kind").execute();
  }
}
