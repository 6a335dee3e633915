import { sql, type SqlBool } from "kysely";
import type { DbOrTrx } from "../connection";
import { parseJson } from "../schema";

/** Remembers a user as their latest token describes them. */
export async function upsertUser(db: DbOrTrx, u: { tenantId: string; id: string; name: string | null; email: string | null; roles: string[]; at: Date }) {
  await db
    .insertInto("users")
    .values({ tenantId: u.tenantId, id: u.id, name: u.name, email: u.email, roles: JSON.stringify(u.roles), lastSeenAt: u.at })
    .onDuplicateKeyUpdate({ name: u.name, email: u.email, roles: JSON.stringify(u.roles), lastSeenAt: u.at })
    .execute();
}

export async function findUser(db: DbOrTrx, tenantId: string, id: string) {
  const row = await db.selectFrom("users").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
  return row && { ...row, roles: parseJson<string[]>(row.roles as string) };
}

/** Users holding any of the roles (e.g. the support managers to notify), with an email on file. */
export async function findUsersWithRoles(db: DbOrTrx, tenantId: string, roles: string[]) {
  if (roles.length === 0) return [];
  const holdsAny = sql<SqlBool>`(${sql.join(
    roles.map((role) => sql`JSON_CONTAINS(roles, JSON_QUOTE(${role}))`),
    sql` OR `,
  )})`;
  const rows = await db.selectFrom("users").selectAll().where("tenantId", "=", tenantId).where("email", "is not", null).where(holdsAny).execute();
  return rows.map((r) => ({ ...r, roles: parseJson<string[]>(r.roles as string) }));
}

export async function insertFile(
  db: DbOrTrx,
  f: { id: string; tenantId: string; storageKey: string; fileName: string; contentType: string; size: number; purpose: string; createdAt: Date; createdBy: string },
) {
  await db.insertInto("files").values(f).execute();
}

export async function findFiles(db: DbOrTrx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom("files").selectAll().where("tenantId", "=", tenantId).where("id", "in", ids).execute();
}
