import { complaintWindowStart, NEGATIVE_TESTIMONIAL_MAX_STARS, POSITIVE_TESTIMONIAL_MIN_STARS, type RatingFactors } from "@clientele/domain";
import { sql, type Insertable } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import { parseJson, type CustomerRatingHistoryTable } from "../schema";
import { countAttendedEvents } from "./attendance.repository";

/** The customer's value columns, locked for the rest of the transaction (rating, override, tier, counters). */
export async function lockCustomerValue(trx: Trx, tenantId: string, customerId: string) {
  return trx
    .selectFrom("customers")
    .select([
      "id",
      "tenantId",
      "rating",
      "calculatedRating",
      "ratingFactors",
      "ratingOverride",
      "ratingOverrideReason",
      "ratingOverrideBy",
      "ratingOverrideAt",
      "loyaltyTier",
      "totalEvents",
      "isDeleted",
      "status",
      "version",
    ])
    .where("tenantId", "=", tenantId)
    .where("id", "=", customerId)
    .forUpdate()
    .executeTakeFirst();
}
export type CustomerValueRow = NonNullable<Awaited<ReturnType<typeof lockCustomerValue>>>;

/**
 * REQ-CUS-018's factors from the ledger, attendance, complaints and testimonials (see
 * RatingFactors for what each counts). Four indexed lookups by (tenant, customer).
 */
export async function loadRatingFactors(db: DbOrTrx, tenantId: string, customerId: string, now: Date): Promise<RatingFactors> {
  const [payments, eventsAttended, complaints, testimonials] = await Promise.all([
    db
      .selectFrom("customerTransactions")
      .select([
        (eb) => eb.fn.countAll<number>().as("total"),
        sql<number>`coalesce(sum(status = 'Paid' and late), 0)`.as("late"),
        sql<number>`coalesce(sum(status = 'Failed'), 0)`.as("failed"),
      ])
      .where("tenantId", "=", tenantId)
      .where("customerId", "=", customerId)
      .where("kind", "=", "Payment")
      .where("status", "in", ["Paid", "Failed"])
      .executeTakeFirstOrThrow(),
    countAttendedEvents(db, tenantId, customerId),
    db
      .selectFrom("complaints")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenantId", "=", tenantId)
      .where("customerId", "=", customerId)
      .where("createdAt", ">=", complaintWindowStart(now))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("testimonials")
      .select([
        sql<number>`coalesce(sum(rating >= ${POSITIVE_TESTIMONIAL_MIN_STARS}), 0)`.as("positive"),
        sql<number>`coalesce(sum(rating <= ${NEGATIVE_TESTIMONIAL_MAX_STARS}), 0)`.as("negative"),
      ])
      .where("tenantId", "=", tenantId)
      .where("customerId", "=", customerId)
      .where("status", "=", "Approved")
      .executeTakeFirstOrThrow(),
  ]);
  return {
    paymentsTotal: Number(payments.total),
    latePayments: Number(payments.late),
    failedPayments: Number(payments.failed),
    eventsAttended,
    complaints: Number(complaints.n),
    positiveTestimonials: Number(testimonials.positive),
    negativeTestimonials: Number(testimonials.negative),
  };
}

export type RatingColumns = {
  rating: string;
  calculatedRating: string;
  ratingFactors: string | null;
  ratingOverride: string | null;
  ratingOverrideReason: string | null;
  ratingOverrideBy: string | null;
  ratingOverrideAt: Date | null;
};

/** Writes the rating columns and bumps the version the row was locked at (the cached copy is versioned). */
export async function updateCustomerRating(trx: Trx, tenantId: string, customerId: string, set: RatingColumns, lockedVersion: number, at: Date, by: string): Promise<void> {
  await trx
    .updateTable("customers")
    .set({ ...set, version: lockedVersion + 1, lastModifiedAt: at, lastModifiedBy: by })
    .where("tenantId", "=", tenantId)
    .where("id", "=", customerId)
    .where("version", "=", lockedVersion)
    .executeTakeFirstOrThrow();
}

export async function insertRatingHistory(trx: Trx, row: Insertable<CustomerRatingHistoryTable>): Promise<void> {
  await trx.insertInto("customerRatingHistory").values(row).execute();
}

/** A customer's rating changes, newest first (at most `limit`). */
export async function listRatingHistory(db: DbOrTrx, tenantId: string, customerId: string, limit: number) {
  const rows = await db
    .selectFrom("customerRatingHistory")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where("customerId", "=", customerId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, factors: r.factors === null ? null : parseJson<unknown>(r.factors as string) }));
}
