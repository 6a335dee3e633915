import { sql, type SqlBool } from "kysely";
import type { DbOrTrx } from "../connection";
import { parseJson } from "../schema";

/** Default settings a tenant starts with; later features add their own keys. */
export const DEFAULT_TENANT_SETTINGS = { defaultPageSize: 20, maxPageSize: 100 } as const;

/** Provisions a tenant the first time it is seen; harmless when it already exists. */
export async function ensureTenant(db: DbOrTrx, tenantId: string, now: Date): Promise<void> {
  await db
    .insertInto("tenants")
    .ignore()
    .values({ id: tenantId, name: null, settings: JSON.stringify(DEFAULT_TENANT_SETTINGS), createdAt: now })
    .execute();
}

export type TenantSettings = Record<string, unknown>;

export async function getTenantSettings(db: DbOrTrx, tenantId: string): Promise<TenantSettings> {
  const row = await db.selectFrom("tenants").select("settings").where("id", "=", tenantId).executeTakeFirst();
  return row ? parseJson<TenantSettings>(row.settings as TenantSettings) : {};
}

export async function setTenantSettings(db: DbOrTrx, tenantId: string, patch: TenantSettings): Promise<TenantSettings> {
  const merged = { ...(await getTenantSettings(db, tenantId)), ...patch };
  await db.updateTable("tenants").set({ settings: JSON.stringify(merged) }).where("id", "=", tenantId).execute();
  return merged;
}

/** Tenants whose settings override one key, for work (like escalation) that depends on it. */
export async function tenantsOverriding(db: DbOrTrx, key: string) {
  const rows = await db
    .selectFrom("tenants")
    .select(["id", "settings"])
    .where(sql<SqlBool>`JSON_EXTRACT(settings, ${`$.${key}`}) IS NOT NULL`)
    .execute();
  return rows.map((r) => ({ id: r.id, settings: parseJson<TenantSettings>(r.settings as TenantSettings) }));
}
