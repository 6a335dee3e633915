import { sql, type Kysely } from "kysely";

/**
 * customers.rating stays what the customer shows (the override while one stands); the calculated
 * rating, the factors that decided it and the override are kept beside it, with the loyalty tier.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table customers
    add column calculated_rating varchar(20) not null default 'Unrated',
    add column rating_factors json null,
    add column rating_override varchar(20) null,
    add column rating_override_reason varchar(500) null,
    add column rating_override_by varchar(100) null,
    add column rating_override_at datetime(3) null,
    add column loyalty_tier varchar(30) null,
    add column loyalty_tier_since datetime(3) null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table customers
    drop column calculated_rating, drop column rating_factors, drop column rating_override, drop column rating_override_reason,
    drop column rating_override_by, drop column rating_override_at, drop column loyalty_tier, drop column loyalty_tier_since`.execute(db);
}
