import { migrateDownAll, migrateToLatest } from "../migrate";

// A developer script, run outside the apps, so it reads its one variable itself.
const url = process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/clientele";
const down = process.argv.includes("--down");

try {
  if (down) await migrateDownAll(url);
  else await migrateToLatest(url);
  console.log(down ? "migrated down to empty" : "database migrated to latest");
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`);
  process.exit(1);
}
