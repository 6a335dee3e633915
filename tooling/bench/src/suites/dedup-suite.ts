import { randomUUID } from "node:crypto";
import {
  createDb,
  dropDatabase,
  findDuplicateCandidates,
  findDuplicateScan,
  insertDuplicateScan,
  migrateToLatest,
  type Db,
} from "@clientele/db";
import { CANDIDATE_KEY_KINDS, matchKeys, MAX_KEY_GROUP, type CustomerStatus, type MatchKey, type MatchSubject } from "@clientele/domain";
import { runDuplicateScan } from "@clientele/jobs";
import { createLogger } from "@clientele/telemetry";
import type { Pool, RowDataPacket } from "mysql2/promise";
import type { SuiteOptions } from "../args";
import { createRng, CUSTOMER_COLUMNS, customerRow, party, type CellValue, type Rng } from "../customer-data";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { median, table, targetsTable, type Target } from "../report";
import { createBenchPool } from "../seed";
import { fmt, log, percentiles } from "./platform";

const TENANT = "bench-dedup";
const DEFAULT_CUSTOMERS = 100_000;
const CHUNK = 2_000;
/** Every this-many-th seeded customer is a near-copy of the one before (same phone, its email as secondary, its name re-cased with another legal form). */
const DUPLICATE_EVERY = 25;
const LOOKUPS = 500;
const SCAN_TARGET_SECONDS_PER_MILLION = 120;
const LOOKUP_P95_TARGET_MS = 50;

const col = (name: (typeof CUSTOMER_COLUMNS)[number]) => CUSTOMER_COLUMNS.indexOf(name);
const C = {
  name: col("company_name"),
  email: col("primary_email"),
  secondaryEmail: col("secondary_email"),
  phone: col("primary_phone"),
  secondaryPhone: col("secondary_phone"),
  city: col("billing_city"),
  zip: col("billing_zip_code"),
  country: col("billing_country"),
  deleted: col("is_deleted"),
  status: col("status"),
};

function subjectOf(row: CellValue[]): MatchSubject {
  const s = (i: number) => (row[i] === null ? null : String(row[i]));
  return {
    companyName: s(C.name)!,
    isDeleted: Number(row[C.deleted]) === 1,
    status: s(C.status) as CustomerStatus,
    contactInfo: {
      primaryEmail: s(C.email)!,
      secondaryEmail: s(C.secondaryEmail),
      primaryPhone: s(C.phone)!,
      secondaryPhone: s(C.secondaryPhone),
      billingAddress: { city: s(C.city)!, zipCode: s(C.zip)!, country: s(C.country)! },
    },
  };
}

/** The row as the duplicate of `of`: what two records of one real customer share. */
function duplicateOf(row: CellValue[], of: CellValue[], rng: Rng): CellValue[] {
  const copy = [...row];
  const name = String(of[C.name]);
  copy[C.name] = rng() < 0.5 ? name.toUpperCase() : `${name} Ltd`;
  copy[C.secondaryEmail] = String(of[C.email]).toUpperCase();
  copy[C.phone] = of[C.phone]!;
  for (const k of [C.city, C.zip, C.country, C.deleted]) copy[k] = of[k]!;
  return copy;
}

/** Customers straight into their table and their match keys into theirs, as the migration's backfill writes them. */
async function seed(pool: Pool, customers: number): Promise<{ seconds: number; keys: number; samples: MatchSubject[] }> {
  const started = performance.now();
  await pool.query("INSERT INTO tenants (id, name, settings, created_at) VALUES (?, 'Dedup bench', '{}', UTC_TIMESTAMP(3))", [TENANT]);
  const rng = createRng(20261203);
  const now = Date.now();
  let previous: CellValue[] | undefined;
  let keys = 0;
  const samples: MatchSubject[] = [];
  for (let start = 1; start <= customers; start += CHUNK) {
    const rows: CellValue[][] = [];
    for (let seq = start; seq < Math.min(start + CHUNK, customers + 1); seq++) {
      let row = customerRow(rng, TENANT, randomUUID(), seq, customers, now);
      if (previous && seq % DUPLICATE_EVERY === 0) row = duplicateOf(row, previous, rng);
      rows.push(row);
      previous = row;
      if (seq % Math.max(1, Math.floor(customers / LOOKUPS)) === 0) samples.push(subjectOf(row));
    }
    const keyRows = rows.flatMap((r) => matchKeys(subjectOf(r)).map((k) => [TENANT, k.kind, Buffer.from(k.hash, "hex"), r[0]]));
    keys += keyRows.length;
    await Promise.all([
      pool.query(`INSERT INTO customers (${CUSTOMER_COLUMNS.join(", ")}) VALUES ?`, [rows]),
      pool.query("INSERT INTO customer_match_keys (tenant_id, key_kind, key_hash, customer_id) VALUES ?", [keyRows]),
    ]);
    if ((start - 1) % 100_000 === 0 && start > 1) log(`  seeded ${fmt(start - 1)} customers`);
  }
  await pool.query("ANALYZE TABLE customers, customer_match_keys");
  return { seconds: (performance.now() - started) / 1000, keys, samples };
}

/** New customers to look up: half are fresh, half re-enter a seeded customer (another email, re-cased name). */
function newcomers(samples: MatchSubject[]): MatchKey[][] {
  const rng = createRng(7);
  return Array.from({ length: LOOKUPS }, (_, i) => {
    const known = samples[i % samples.length]!;
    if (i % 2 === 0) {
      const p = party(rng, `new${i}`);
      return matchKeys({ companyName: p.companyName, isDeleted: false, status: "Active", contactInfo: { ...p, billingAddress: p.billing } });
    }
    return matchKeys({ ...known, companyName: known.companyName.toUpperCase(), contactInfo: { ...known.contactInfo, primaryEmail: `new${i}@${known.contactInfo.primaryEmail.split("@")[1]}` } });
  });
}

/**
 * The bare floor of one lookup: the same statements as findDuplicateCandidates (the key ranges in
 * one UNION ALL, then the candidates' keys, their rows and the dismissals) as plain mysql2 queries,
 * without assessing anything.
 */
async function bareLookup(pool: Pool, keys: MatchKey[], self: string): Promise<number> {
  const finding = keys.filter((k) => CANDIDATE_KEY_KINDS.includes(k.kind));
  if (finding.length === 0) return 0;
  const union = finding
    .map(() => "(SELECT customer_id FROM customer_match_keys WHERE tenant_id = ? AND key_kind = ? AND key_hash = ? LIMIT ?)")
    .join(" UNION ALL ");
  const [rows] = await pool.query<RowDataPacket[]>(union, finding.flatMap((k) => [TENANT, k.kind, Buffer.from(k.hash, "hex"), MAX_KEY_GROUP + 1]));
  const ids = [...new Set(rows.map((r) => String(r.customer_id)))];
  if (ids.length === 0) return 0;
  await Promise.all([
    pool.query("SELECT customer_id, key_kind, key_hash FROM customer_match_keys WHERE customer_id IN (?) AND tenant_id = ?", [ids, TENANT]),
    pool.query("SELECT id, customer_number, company_name FROM customers WHERE tenant_id = ? AND id IN (?) AND is_deleted = 0", [TENANT, ids]),
    pool.query("SELECT customer_b FROM customer_duplicate_dismissals WHERE tenant_id = ? AND customer_a = ?", [TENANT, self]),
    pool.query("SELECT customer_a FROM customer_duplicate_dismissals WHERE tenant_id = ? AND customer_b = ?", [TENANT, self]),
  ]);
  return ids.length;
}

/** The bare floor of a scan: the key groups the scan reads, one GROUP BY per kind over the whole key range. */
async function bareScan(pool: Pool): Promise<number> {
  let groups = 0;
  for (const kind of CANDIDATE_KEY_KINDS) {
    const [rows] = await pool.query<RowDataPacket[]>(
      "SELECT GROUP_CONCAT(customer_id ORDER BY customer_id SEPARATOR ',') AS ids FROM customer_match_keys WHERE tenant_id = ? AND key_kind = ? GROUP BY key_hash HAVING COUNT(*) BETWEEN 2 AND ?",
      [TENANT, kind, MAX_KEY_GROUP],
    );
    groups += rows.length;
  }
  return groups;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await fn();
  return [performance.now() - t, value];
}

type Run = { scanSeconds: number; bareScanSeconds: number; pairs: number; lookup: ReturnType<typeof percentiles>; bareLookup: ReturnType<typeof percentiles> };

async function once(db: Db, pool: Pool, lookups: MatchKey[][]): Promise<Run> {
  const deps = { db, log: createLogger("silent", "bench"), now: () => new Date(), storage: undefined as never, cache: undefined as never };
  const scanId = randomUUID();
  await insertDuplicateScan(db, { id: scanId, tenantId: TENANT, createdBy: "bench", createdAt: new Date() });
  const [scanMs] = await timed(() => runDuplicateScan(deps, { scanId, tenantId: TENANT }));
  const scan = await findDuplicateScan(db, TENANT, scanId);
  if (scan?.status !== "Completed") throw new Error(`the scan ended ${scan?.status}`);
  const [bareMs] = await timed(() => bareScan(pool));
  log(`  scan ${(scanMs / 1000).toFixed(2)} s (${fmt(scan.pairsFound)} pairs), bare key groups ${(bareMs / 1000).toFixed(2)} s`);

  const ours: number[] = [];
  const bare: number[] = [];
  for (const keys of lookups) {
    const self = randomUUID();
    ours.push((await timed(() => findDuplicateCandidates(db, TENANT, self, keys)))[0]);
    bare.push((await timed(() => bareLookup(pool, keys, self)))[0]);
  }
  return { scanSeconds: scanMs / 1000, bareScanSeconds: bareMs / 1000, pairs: scan.pairsFound, lookup: percentiles(ours), bareLookup: percentiles(bare) };
}

/**
 * `pnpm bench dedup [--customers N] [--runs N]`: a full duplicate scan of N customers (the worker's
 * scan job, judged against 120 s per million) beside the bare GROUP BY it reads, and the candidate
 * lookup of one new customer (p95 < 50 ms) beside the same statements in bare mysql2.
 */
export async function runDedupSuite(o: SuiteOptions): Promise<number> {
  const customers = o.customers ?? DEFAULT_CUSTOMERS;
  log(`dedup bench: ${fmt(customers)} customers (every ${DUPLICATE_EVERY}th a near-copy of the one before), one full scan and ${LOOKUPS} candidate lookups per run; ${o.runs} run${o.runs > 1 ? "s" : ""}`);
  log(`machine: load average ${loadAverage()} at the start`);
  await dropDatabase(o.databaseUrl);
  await migrateToLatest(o.databaseUrl);
  const pool = createBenchPool(o.databaseUrl, 4);
  const { db } = createDb({ url: o.databaseUrl, poolSize: 8 });
  try {
    const seeded = await seed(pool, customers);
    log(`  seeded ${fmt(customers)} customers and ${fmt(seeded.keys)} match keys in ${seeded.seconds.toFixed(1)} s`);
    const lookups = newcomers(seeded.samples);
    const others = watchOtherLoad([]);
    const runs: Run[] = [];
    for (let run = 1; run <= o.runs; run++) {
      if (o.runs > 1) log(`run ${run} of ${o.runs}`);
      runs.push(await once(db, pool, lookups));
    }
    const othersShare = others();
    const m = (f: (r: Run) => number) => median(runs.map(f));
    const ms = (v: number) => v.toFixed(1);
    log("");
    if (o.runs > 1) log(`medians of ${o.runs} runs:`);
    log(
      table(
        ["scenario", "customers", "seconds", "customers/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "pairs"],
        [
          ["full duplicate scan (job: groups, assess, write)", fmt(customers), m((r) => r.scanSeconds).toFixed(2), fmt(customers / m((r) => r.scanSeconds)), "", "", "", "", fmt(m((r) => r.pairs))],
          ["baseline: bare GROUP BY of the key groups", fmt(customers), m((r) => r.bareScanSeconds).toFixed(2), fmt(customers / m((r) => r.bareScanSeconds)), "", "", "", "", ""],
          ["candidate lookup, one new customer", fmt(customers), "", "", ms(m((r) => r.lookup.p50)), ms(m((r) => r.lookup.p95)), ms(m((r) => r.lookup.p99)), ms(m((r) => r.lookup.max)), ""],
          ["baseline: same statements, bare mysql2", fmt(customers), "", "", ms(m((r) => r.bareLookup.p50)), ms(m((r) => r.bareLookup.p95)), ms(m((r) => r.bareLookup.p99)), ms(m((r) => r.bareLookup.max)), ""],
        ],
      ),
    );
    log(`machine: load average ${loadAverage()} at the end; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs during the runs`);

    const budget = (SCAN_TARGET_SECONDS_PER_MILLION * customers) / 1_000_000;
    const targets = (r: Pick<Run, "scanSeconds" | "lookup" | "bareLookup" | "bareScanSeconds">): Target[] => [
      {
        scenario: `full scan of ${fmt(customers)}`,
        text: `${r.scanSeconds.toFixed(2)} s (< ${budget.toFixed(1)} s: 120 s per million; ${(r.scanSeconds / r.bareScanSeconds).toFixed(2)}x the bare GROUP BY)`,
        value: `${r.scanSeconds.toFixed(2)} s`,
        pass: r.scanSeconds < budget,
      },
      {
        scenario: "candidate lookup p95",
        text: `${r.lookup.p95.toFixed(1)} ms (< ${LOOKUP_P95_TARGET_MS} ms; bare ${r.bareLookup.p95.toFixed(1)} ms)`,
        value: `${r.lookup.p95.toFixed(1)} ms`,
        pass: r.lookup.p95 < LOOKUP_P95_TARGET_MS,
      },
    ];
    log("");
    log(`targets${o.runs > 1 ? `, judged on the medians of ${o.runs} runs, each run's figure below` : ""} (issue 10 §5):`);
    const medians = { scanSeconds: m((r) => r.scanSeconds), bareScanSeconds: m((r) => r.bareScanSeconds), lookup: { ...runs[0]!.lookup, p95: m((r) => r.lookup.p95) }, bareLookup: { ...runs[0]!.bareLookup, p95: m((r) => r.bareLookup.p95) } };
    log(targetsTable(targets(medians), runs.map((r) => targets(r))));
    return 0;
  } finally {
    await db.destroy();
    await pool.end();
  }
}
