import type { SegmentCriteria, SegmentKind, SegmentStatus } from "@clientele/domain";
import type { DbOrTrx, Trx } from "../connection";
import { parseJson, type CustomerSegmentsTable } from "../schema";
import type { Selectable } from "kysely";

/** Issue 13 §1: segment definitions (the aggregate's row); deleted ones stay for their history. */
export type SegmentRow = Omit<Selectable<CustomerSegmentsTable>, "criteria" | "kind" | "status" | "activeName"> & {
  kind: SegmentKind;
  status: SegmentStatus;
  criteria: SegmentCriteria | null;
};

const toRow = (r: Selectable<CustomerSegmentsTable>): SegmentRow => {
  const { activeName: _activeName, ...rest } = r;
  return {
    ...rest,
    kind: r.kind as SegmentKind,
    status: r.status as SegmentStatus,
    criteria: r.criteria === null ? null : parseJson(r.criteria as SegmentCriteria | string),
  };
};

export const isDuplicateSegmentName = (error: unknown) => {
  const e = error as { code?: string; sqlMessage?: string } | null;
  return e?.code === "ER_DUP_ENTRY" && e.sqlMessage?.includes("customer_segments_tenant_name_ux") === true;
};

export async function insertSegment(
  db: DbOrTrx,
  s: { id: string; tenantId: string; name: string; description: string | null; ruleId: string | null; kind: SegmentKind; criteria: SegmentCriteria | null; status: SegmentStatus; createdBy: string; createdAt: Date },
): Promise<void> {
  await db
    .insertInto("customerSegments")
    .values({ ...s, criteria: s.criteria === null ? null : JSON.stringify(s.criteria), lastCalculatedAt: null, calcTotal: null, calcDone: null, calcError: null, updatedBy: null, updatedAt: null, deletedBy: null, deletedAt: null })
    .execute();
}

/** A segment of the tenant that is not deleted (another tenant's id is simply not found). */
export async function findSegmentById(db: DbOrTrx, tenantId: string, id: string): Promise<SegmentRow | undefined> {
  const r = await db.selectFrom("customerSegments").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).where("deletedAt", "is", null).executeTakeFirst();
  return r && toRow(r);
}

/** The same, locked for the update that follows. */
export async function lockSegmentById(trx: Trx, tenantId: string, id: string): Promise<SegmentRow | undefined> {
  const r = await trx.selectFrom("customerSegments").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).where("deletedAt", "is", null).forUpdate().executeTakeFirst();
  return r && toRow(r);
}

export async function listSegments(
  db: DbOrTrx,
  tenantId: string,
  q: { kind?: SegmentKind; status?: SegmentStatus; page: number; pageSize: number },
): Promise<{ items: SegmentRow[]; total: number }> {
  const base = db
    .selectFrom("customerSegments")
    .where("tenantId", "=", tenantId)
    .where("deletedAt", "is", null)
    .$if(q.kind !== undefined, (b) => b.where("kind", "=", q.kind!))
    .$if(q.status !== undefined, (b) => b.where("status", "=", q.status!));
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy("name")
      .orderBy("id")
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toRow), total: Number(count.n) };
}

/** Every live segment of the tenant (export). */
export async function listAllSegments(db: DbOrTrx, tenantId: string): Promise<SegmentRow[]> {
  const rows = await db.selectFrom("customerSegments").selectAll().where("tenantId", "=", tenantId).where("deletedAt", "is", null).orderBy("name").execute();
  return rows.map(toRow);
}

/** Dynamic segments whose members follow their criteria (incremental and scheduled recalculation). */
export async function listFollowingSegments(db: DbOrTrx, tenantId: string): Promise<SegmentRow[]> {
  const rows = await db
    .selectFrom("customerSegments")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where("deletedAt", "is", null)
    .where("kind", "=", "dynamic")
    .where("status", "<>", "INACTIVE")
    .orderBy("id")
    .execute();
  return rows.map(toRow);
}

/** Tenants with at least one segment that follows its criteria (the scheduled sweep). */
export async function listTenantsWithDynamicSegments(db: DbOrTrx): Promise<string[]> {
  const rows = await db.selectFrom("customerSegments").select("tenantId").distinct().where("deletedAt", "is", null).where("kind", "=", "dynamic").where("status", "<>", "INACTIVE").execute();
  return rows.map((r) => r.tenantId);
}

export type SegmentPatch = Partial<{
  name: string;
  description: string | null;
  ruleId: string | null;
  criteria: SegmentCriteria | null;
  status: SegmentStatus;
  customerCount: number;
  lastCalculatedAt: Date | null;
  calcTotal: number | null;
  calcDone: number | null;
  calcError: string | null;
  updatedBy: string;
  updatedAt: Date;
  deletedBy: string;
  deletedAt: Date;
}>;

/** Writes a patch; with `version`, only while the row still has it and the row's version moves on (false when stale). */
export async function updateSegment(db: DbOrTrx, tenantId: string, id: string, patch: SegmentPatch, version?: number): Promise<boolean> {
  const { criteria, ...rest } = patch;
  const result = await db
    .updateTable("customerSegments")
    .set({ ...rest, ...(criteria !== undefined ? { criteria: criteria === null ? null : JSON.stringify(criteria) } : {}) })
    .$if(version !== undefined, (q) => q.set((eb) => ({ version: eb("version", "+", 1) })).where("version", "=", version!))
    .where("tenantId", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
