import { getTenantSettings, setTenantSettings, type DbOrTrx } from "@clientele/db";

export const DEMO_TENANT = "demo";
/** Bumped when the plan changes, so the marker says which plan a tenant was seeded from. */
const SEED_VERSION = 1;
const MARKER = "demoSeed";

export type SeedMarker = { version: number; seededAt: string };

/** Set once a seed has finished; this module stays light so a seeded start need not load the app. */
export async function readSeedMarker(db: DbOrTrx, tenantId: string): Promise<SeedMarker | undefined> {
  return (await getTenantSettings(db, tenantId))[MARKER] as SeedMarker | undefined;
}

export async function writeSeedMarker(db: DbOrTrx, tenantId: string, seededAt: Date): Promise<void> {
  await setTenantSettings(db, tenantId, { [MARKER]: { version: SEED_VERSION, seededAt: seededAt.toISOString() } satisfies SeedMarker });
}
