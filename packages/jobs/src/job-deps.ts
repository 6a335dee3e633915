import type { Cache } from "@clientele/cache";
import type { Db } from "@clientele/db";
import type { FileStorage } from "@clientele/files";
import type { Logger } from "@clientele/telemetry";

export type JobDeps = { db: Db; storage: FileStorage; cache: Cache; log: Logger; now: () => Date };
