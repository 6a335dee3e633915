import type { Testimonial, TestimonialStatus } from "@clientele/domain";
import type { Selectable } from "kysely";
import type { DbOrTrx } from "../connection";
import type { TestimonialsTable } from "../schema";

type TestimonialRow = Selectable<TestimonialsTable>;

const toTestimonial = (r: TestimonialRow): Testimonial => ({
  ...r,
  isPublic: Boolean(r.isPublic),
  containsProfanity: Boolean(r.containsProfanity),
  status: r.status as TestimonialStatus,
});

const toRow = (t: Testimonial): TestimonialRow => ({ ...t, isPublic: t.isPublic ? 1 : 0, containsProfanity: t.containsProfanity ? 1 : 0 });

export async function insertTestimonial(db: DbOrTrx, t: Testimonial) {
  await db.insertInto("testimonials").values(toRow(t)).execute();
}

/** A testimonial of this tenant; another tenant's id finds nothing. */
export async function findTestimonial(db: DbOrTrx, tenantId: string, id: string) {
  const row = await db.selectFrom("testimonials").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
  return row && toTestimonial(row);
}

/** Writes a decision only over the version it was made on. */
export async function updateTestimonial(db: DbOrTrx, t: Testimonial, readVersion: number) {
  const { id, tenantId, customerId: _c, createdAt: _a, createdBy: _b, ...rest } = toRow(t);
  const r = await db.updateTable("testimonials").set(rest).where("tenantId", "=", tenantId).where("id", "=", id).where("version", "=", readVersion).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A customer's testimonials, newest first. */
export async function listCustomerTestimonials(db: DbOrTrx, tenantId: string, customerId: string, f: { isPublic?: boolean | undefined; status?: TestimonialStatus | undefined }) {
  let q = db.selectFrom("testimonials").selectAll().where("tenantId", "=", tenantId).where("customerId", "=", customerId);
  if (f.isPublic !== undefined) q = q.where("isPublic", "=", f.isPublic ? 1 : 0);
  if (f.status) q = q.where("status", "=", f.status);
  const rows = await q.orderBy("createdAt", "desc").orderBy("id", "desc").execute();
  return rows.map(toTestimonial);
}

/**
 * The tenant's approved, public testimonials of customers still on the books, newest approval
 * first; only what a website may show.
 */
export async function listPublishedTestimonials(db: DbOrTrx, tenantId: string, page: { offset: number; limit: number }) {
  const base = db
    .selectFrom("testimonials as t")
    .innerJoin("customers as c", (j) => j.onRef("c.id", "=", "t.customerId").onRef("c.tenantId", "=", "t.tenantId"))
    .where("t.tenantId", "=", tenantId)
    .where("t.status", "=", "Approved")
    .where("t.isPublic", "=", 1)
    .where("c.isDeleted", "=", 0);
  const [items, count] = await Promise.all([
    base
      .select(["t.id", "t.authorName", "t.content", "t.rating", "t.approvedAt"])
      .orderBy("t.approvedAt", "desc")
      .orderBy("t.id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: items.map((i) => ({ ...i, approvedAt: i.approvedAt! })), totalCount: Number(count.n) };
}

/**
 * The tenant's moderation queue: pending testimonials, oldest first, of customers that can still be
 * changed (a deactivated or archived customer's testimonial cannot be decided), with the customer's name.
 */
export async function listPendingTestimonials(db: DbOrTrx, tenantId: string, page: { offset: number; limit: number }) {
  const base = db
    .selectFrom("testimonials as t")
    .innerJoin("customers as c", (j) => j.onRef("c.id", "=", "t.customerId").onRef("c.tenantId", "=", "t.tenantId"))
    .where("t.tenantId", "=", tenantId)
    .where("t.status", "=", "Pending")
    .where("c.isDeleted", "=", 0)
    .where("c.status", "!=", "Archived");
  const [rows, count] = await Promise.all([
    base.selectAll("t").select("c.companyName as customerName").orderBy("t.createdAt", "asc").orderBy("t.id", "asc").limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(({ customerName, ...r }) => ({ testimonial: toTestimonial(r), customerName })), totalCount: Number(count.n) };
}
