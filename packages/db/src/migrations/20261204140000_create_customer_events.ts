import { sql, type Kysely } from "kysely";

/**
 * Raw tracked behaviour (issue 13 §2), written only by the worker in bulk. RANGE-partitioned by
 * month on occurred_at so retention drops a month in one DDL instead of deleting rows; a partitioned
 * table needs the partition column in every unique key, so the primary key carries occurred_at and
 * the client's idempotency lives in customer_event_keys (not partitioned). The last partition is
 * open-ended (pmax) so no event is ever refused for a missing month; the retention job splits
 * months off it ahead of time and drops months past the retention.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const months: string[] = [];
  const now = new Date();
  for (let i = -1; i <= 2; i++) {
    const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i + 1, 1));
    const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1));
    const name = `p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, "0")}`;
    months.push(`PARTITION ${name} VALUES LESS THAN ('${end.toISOString().slice(0, 10)}')`);
  }
  await sql
    .raw(
      `CREATE TABLE customer_events (
        id char(36) character set ascii NOT NULL,
        tenant_id varchar(64) character set ascii NOT NULL,
        customer_id varchar(64) character set ascii NOT NULL,
        event_type varchar(40) character set ascii NOT NULL,
        name varchar(100) NOT NULL DEFAULT '',
        event_data json NULL,
        session_id varchar(100) NULL,
        device_info json NULL,
        client_event_id varchar(100) NULL,
        occurred_at datetime(3) NOT NULL,
        received_at datetime(3) NOT NULL,
        PRIMARY KEY (tenant_id, customer_id, occurred_at, id),
        KEY customer_events_session_ix (tenant_id, session_id, occurred_at)
      ) PARTITION BY RANGE COLUMNS(occurred_at) (${months.join(", ")}, PARTITION pmax VALUES LESS THAN (MAXVALUE))`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_events").execute();
}
