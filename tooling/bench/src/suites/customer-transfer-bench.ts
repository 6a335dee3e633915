import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { createBenchPool } from "../seed";
import { api, fmt, insertCustomers, log, waitUntil, withMemory, type Platform } from "./platform";

const IMPORT_ROWS = 100_000;
const EXPORT_ROWS = 1_000_000;
const HEADER = ["type", "companyName", "primaryEmail", "primaryPhone", "billingStreet", "billingCity", "billingState", "billingZipCode", "billingCountry", "tags"];

function customerCsv(tag: string): string {
  const lines = [HEADER.join(",")];
  for (let i = 0; i < IMPORT_ROWS; i++) {
    lines.push(`SmallBusiness,Import Co ${i},c${i}.${tag}@customers.example,+44 20 7946 0958,${i} High Street,London,Greater London,SW1A 1AA,GB,imported`);
  }
  return lines.join("\n");
}

const until = <T extends { status: string }>(get: () => Promise<T>) =>
  waitUntil(
    get,
    (s) => {
      if (s.status === "Failed") throw new Error(`failed: ${JSON.stringify(s)}`);
      return s.status === "Completed";
    },
    600_000,
    // Once a second: the API's hourly request budget must last the whole run.
    { intervalMs: 1000 },
  );

/** 100,000 customers through POST /customers/bulk/import, upload to Completed. */
async function timeImport(p: Platform) {
  const tenant = `bench-cimport-${randomUUID().slice(0, 6)}`;
  const token = await p.token(tenant);
  const file = customerCsv(tenant);
  const started = performance.now();
  const { value, beforeMb, peakMb } = await withMemory(p.worker.pid, async () => {
    const form = new FormData();
    form.set("file", new Blob([file]), "customers.csv");
    const res = await fetch(`${p.url}/api/v1/customers/bulk/import`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
    if (res.status !== 202) throw new Error(`customer import answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const { importId } = (await res.json()) as { importId: string };
    return until(() => api<{ status: string; imported: number; failed: number }>(p.url, token, "GET", `/customers/bulk/import/${importId}`));
  });
  const seconds = (performance.now() - started) / 1000;
  if (value.imported !== IMPORT_ROWS) throw new Error(`imported ${value.imported} of ${IMPORT_ROWS} (failed ${value.failed})`);
  return { seconds, beforeMb, peakMb, bytes: Buffer.byteLength(file) };
}

/** The floor: the same customers as plain multi-row INSERTs into `customers` alone (no validation, numbers, search keys, events or audit). */
async function bareImport(databaseUrl: string) {
  const pool = createBenchPool(databaseUrl, 2);
  try {
    const tenant = `bench-cbare-${randomUUID().slice(0, 6)}`;
    const started = performance.now();
    await insertCustomers(
      pool,
      Array.from({ length: IMPORT_ROWS }, (_, i) => ({ id: randomUUID(), tenantId: tenant, customerNumber: `CUS-${String(i + 1).padStart(6, "0")}`, companyName: `Bare Co ${i}`, email: `b${i}@bare.example` })),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await pool.end();
  }
}

/** 1,000,000 customers of one tenant, inserted directly on 4 connections: the export, not the load, is measured. */
async function seedExportTenant(databaseUrl: string, tenant: string) {
  const pool = createBenchPool(databaseUrl, 4);
  try {
    const slice = EXPORT_ROWS / 4;
    await Promise.all(
      Array.from({ length: 4 }, (_, s) =>
        insertCustomers(
          pool,
          Array.from({ length: slice }, (_, j) => {
            const n = s * slice + j;
            return { id: randomUUID(), tenantId: tenant, customerNumber: `CUS-${String(n + 1).padStart(7, "0")}`, companyName: n % 100 === 0 ? `=Export Co ${n}` : `Export Co ${n}`, email: `e${n}@export.example` };
          }),
        ),
      ),
    );
  } finally {
    await pool.end();
  }
}

const COLUMNS = ["customer_number", "type", "company_name", "primary_email", "primary_phone", "billing_street", "billing_city", "billing_state", "billing_zip_code", "billing_country", "segment", "status"];

/** The floor: the same rows streamed by bare mysql2 and joined into CSV lines (no quoting or formula checks), to nowhere. */
async function bareExport(databaseUrl: string, tenant: string) {
  const pool = createBenchPool(databaseUrl, 1);
  try {
    const started = performance.now();
    const rows = pool.pool.query(`SELECT ${COLUMNS.join(", ")} FROM customers WHERE tenant_id = ? AND is_deleted = 0 ORDER BY customer_number`, [tenant]).stream();
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    sink.write(`${COLUMNS.join(",")}\n`);
    for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
      if (!sink.write(`${COLUMNS.map((c) => String(row[c])).join(",")}\n`)) await new Promise((r) => sink.once("drain", r));
    }
    return (performance.now() - started) / 1000;
  } finally {
    await pool.end();
  }
}

/**
 * Issue 10's customer targets, beside their bare floors in the same run: a 100,000-row CSV import
 * end to end < 30 s, and a 1,000,000-row export < 60 s with the worker's memory flat (its peak RSS).
 */
export async function runCustomerTransferBench(p: Platform, databaseUrl: string): Promise<void> {
  log("");
  log(`customer import/export: a ${fmt(IMPORT_ROWS)}-row CSV import and a ${fmt(EXPORT_ROWS)}-row CSV export, end to end through the API and the worker`);
  const tenant = `bench-cexport-${randomUUID().slice(0, 6)}`;
  const seedStarted = performance.now();
  await seedExportTenant(databaseUrl, tenant);
  log(`  seeded ${fmt(EXPORT_ROWS)} customers in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  const token = await p.token(tenant);
  const started = performance.now();
  const { value, beforeMb, peakMb } = await withMemory(p.worker.pid, async () => {
    const { exportId } = await api<{ exportId: string }>(p.url, token, "POST", "/customers/bulk/export", { format: "CSV" });
    return until(() => api<{ status: string; recordCount: number; downloadUrl: string }>(p.url, token, "GET", `/customers/bulk/export/${exportId}`));
  });
  const exportSeconds = (performance.now() - started) / 1000;
  if (value.recordCount !== EXPORT_ROWS) throw new Error(`exported ${value.recordCount} of ${EXPORT_ROWS}`);
  const size = (await (await fetch(`${p.url}${value.downloadUrl}`)).arrayBuffer()).byteLength;
  const bareOut = await bareExport(databaseUrl, tenant);
  // After the export, so the worker's memory before the export is not the import's.
  const imp = await timeImport(p);
  const bareIn = await bareImport(databaseUrl);

  log("scenario                               seconds     rows/s  worker RSS before → peak  target");
  const line = (name: string, s: number, rows: number, mem: string, target: string) =>
    log(`${name.padEnd(38)} ${s.toFixed(2).padStart(7)} ${fmt(rows / s).padStart(10)}  ${mem.padStart(24)}  ${target}`);
  line(`customer CSV import, ${fmt(IMPORT_ROWS)} rows`, imp.seconds, IMPORT_ROWS, `${imp.beforeMb.toFixed(0)} → ${imp.peakMb.toFixed(0)} MB`, `${imp.seconds < 30 ? "PASS" : "FAIL"} < 30 s (file ${fmt(imp.bytes / 1024)} KB)`);
  line(`baseline: bare INSERTs, ${fmt(IMPORT_ROWS)}`, bareIn, IMPORT_ROWS, "", `${(imp.seconds / bareIn).toFixed(1)}x (customers table only)`);
  line(`customer CSV export, ${fmt(EXPORT_ROWS)} rows`, exportSeconds, EXPORT_ROWS, `${beforeMb.toFixed(0)} → ${peakMb.toFixed(0)} MB`, `${exportSeconds < 60 ? "PASS" : "FAIL"} < 60 s (file ${fmt(size / 1024 / 1024)} MB)`);
  line(`baseline: bare mysql2 stream → CSV`, bareOut, EXPORT_ROWS, "", `${(exportSeconds / bareOut).toFixed(1)}x`);
}
