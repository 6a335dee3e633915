import ExcelJS from "exceljs";
import { randomUUID } from "node:crypto";
import { createBenchPool } from "../seed";
import { runCustomerTransferBench } from "./customer-transfer-bench";
import { api, createCustomers, fmt, insertCustomers, log, percentiles, startPlatform, waitUntil, withMemory, type Platform } from "./platform";

const ROWS = 10_000;
const EXPORT_ROWS = 50_000;
const RUNS = 3;

function contactRows(customers: { customerNumber: string }[], tag: string): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < ROWS; i++) {
    const c = customers[Math.floor(i / 40)]!;
    rows.push([`First${i}`, `Last${i}`, `p${i}.${tag}@contacts.example`, "+1 415 555 2671", `Role ${i % 7}`, c.customerNumber, "imported;bench"]);
  }
  return rows;
}
const HEADER = ["firstName", "lastName", "email", "phone", "position", "customerNumber", "tags"];
const toCsv = (rows: string[][]) => [HEADER, ...rows].map((r) => r.join(",")).join("\n");

async function toXlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Contacts");
  ws.addRow(HEADER);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function upload(p: Platform, token: string, content: Buffer | string, name: string) {
  const form = new FormData();
  form.set("file", new Blob([content]), name);
  const res = await fetch(`${p.url}/api/v1/customers/contacts/import`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return ((await res.json()) as { importId: string }).importId;
}

/** Until the import or export completes; a failed one, or one still going after 5 minutes, throws. */
function waitFor<T extends { status: string }>(get: () => Promise<T>, done: (s: T) => boolean): Promise<T> {
  return waitUntil(
    get,
    (s) => {
      if (s.status === "Failed") throw new Error(`failed: ${JSON.stringify(s)}`);
      return done(s);
    },
    300_000,
  );
}

/** One import, upload to Completed, with the worker's memory watched. */
async function timeImport(p: Platform, format: "CSV" | "Excel", run: number) {
  const tenant = `bench-import-${format.toLowerCase()}-${run}-${randomUUID().slice(0, 6)}`;
  const token = await p.token(tenant);
  const customers = await createCustomers(p.url, token, ROWS / 40);
  const rows = contactRows(customers, tenant);
  const file = format === "CSV" ? toCsv(rows) : await toXlsx(rows);
  const started = performance.now();
  const { value, beforeMb, peakMb } = await withMemory(p.worker.pid, async () => {
    const id = await upload(p, token, file, format === "CSV" ? "contacts.csv" : "contacts.xlsx");
    return waitFor(() => api<{ status: string; imported: number; failed: number }>(p.url, token, "GET", `/customers/contacts/import/${id}`), (s) => s.status === "Completed");
  });
  const seconds = (performance.now() - started) / 1000;
  if (value.imported !== ROWS) throw new Error(`imported ${value.imported} of ${ROWS} (failed ${value.failed})`);
  return { seconds, beforeMb, peakMb, bytes: Buffer.byteLength(file) };
}

/** The floor: the same contacts written by plain multi-row INSERTs, no validation, no events. */
async function bareInsert(databaseUrl: string) {
  const pool = createBenchPool(databaseUrl, 2);
  try {
    const tenant = `bench-bare-${randomUUID().slice(0, 6)}`;
    const customerId = randomUUID();
    await insertCustomers(pool, [{ id: customerId, tenantId: tenant, customerNumber: "CUS-1", companyName: "Bare", email: "bare@x.example" }]);
    const started = performance.now();
    for (let i = 0; i < ROWS; i += 500) {
      const values = Array.from({ length: 500 }, (_, j) => [randomUUID(), tenant, customerId, `First${i + j}`, `Last${i + j}`, `bare${i + j}@x.example`, "+14155552671", "Active", new Date(), "bench", 1]);
      await pool.query("INSERT INTO contacts (id, tenant_id, customer_id, first_name, last_name, email, phone, status, created_at, created_by, version) VALUES ?", [values]);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await pool.end();
  }
}

/** 50,000 contacts of one tenant, inserted directly: the export, not the import, is measured here. */
async function seedExportTenant(databaseUrl: string, tenant: string) {
  const pool = createBenchPool(databaseUrl, 2);
  try {
    const customers = Array.from({ length: EXPORT_ROWS / 50 }, (_, i) => ({
      id: randomUUID(),
      tenantId: tenant,
      customerNumber: `CUS-${String(i + 1).padStart(6, "0")}`,
      companyName: `Export Co ${i}`,
      email: `c${i}@export.example`,
    }));
    await insertCustomers(pool, customers);
    for (let i = 0; i < EXPORT_ROWS; i += 1000) {
      const values = Array.from({ length: 1000 }, (_, j) => {
        const n = i + j;
        return [randomUUID(), tenant, customers[Math.floor(n / 50)]!.id, `First${n}`, `Last${n}`, `e${n}@export.example`, "+14155552671", `=Role ${n % 7}`, n % 50 === 0 ? 1 : 0, "Active", new Date(), "bench", 1];
      });
      await pool.query("INSERT INTO contacts (id, tenant_id, customer_id, first_name, last_name, email, phone, position, is_primary, status, created_at, created_by, version) VALUES ?", [values]);
    }
  } finally {
    await pool.end();
  }
}

export async function runImportSuite(o: { databaseUrl: string; redisUrl: string }): Promise<number> {
  log(`import/export bench: ${fmt(ROWS)}-row CSV and Excel imports (${RUNS} runs each) and a ${fmt(EXPORT_ROWS)}-row export, end to end through the API and the worker`);
  const p = await startPlatform({ ...o, workerEnv: { IMPORT_CONCURRENCY: "1", EXPORT_CONCURRENCY: "1" } });
  try {
    const results: { name: string; seconds: number[]; beforeMb: number; peakMb: number; target: number }[] = [];
    for (const format of ["CSV", "Excel"] as const) {
      const seconds: number[] = [];
      let beforeMb = 0;
      let peakMb = 0;
      for (let run = 0; run < RUNS; run++) {
        const r = await timeImport(p, format, run);
        seconds.push(r.seconds);
        beforeMb = run === 0 ? r.beforeMb : beforeMb;
        peakMb = Math.max(peakMb, r.peakMb);
        log(`  ${format} import run ${run + 1}: ${r.seconds.toFixed(2)} s (${fmt(ROWS / r.seconds)} rows/s, file ${fmt(r.bytes / 1024)} KB, worker RSS ${r.beforeMb.toFixed(0)} → peak ${r.peakMb.toFixed(0)} MB)`);
      }
      results.push({ name: `${format} import, ${fmt(ROWS)} rows`, seconds, beforeMb, peakMb, target: format === "CSV" ? 3 : 6 });
    }

    const exportTenant = `bench-export-${randomUUID().slice(0, 6)}`;
    await seedExportTenant(o.databaseUrl, exportTenant);
    const token = await p.token(exportTenant);
    const exportSeconds: number[] = [];
    let exportPeak = 0;
    let exportBefore = 0;
    for (const format of ["CSV", "Excel"] as const) {
      const started = performance.now();
      const { value, beforeMb, peakMb } = await withMemory(p.worker.pid, async () => {
        const { exportId } = await api<{ exportId: string }>(p.url, token, "POST", "/customers/contacts/export", { format });
        return waitFor(() => api<{ status: string; recordCount: number; downloadUrl: string }>(p.url, token, "GET", `/customers/contacts/export/${exportId}`), (s) => s.status === "Completed");
      });
      const seconds = (performance.now() - started) / 1000;
      const file = await fetch(`${p.url}${value.downloadUrl}`);
      const size = (await file.arrayBuffer()).byteLength;
      if (value.recordCount !== EXPORT_ROWS) throw new Error(`exported ${value.recordCount} of ${EXPORT_ROWS}`);
      log(`  ${format} export: ${seconds.toFixed(2)} s (${fmt(EXPORT_ROWS / seconds)} rows/s, file ${fmt(size / 1024)} KB, worker RSS ${beforeMb.toFixed(0)} → peak ${peakMb.toFixed(0)} MB)`);
      if (format === "CSV") {
        exportSeconds.push(seconds);
        exportPeak = peakMb;
        exportBefore = beforeMb;
      } else {
        results.push({ name: `Excel export, ${fmt(EXPORT_ROWS)} rows`, seconds: [seconds], beforeMb, peakMb, target: 5 });
      }
    }
    results.push({ name: `CSV export, ${fmt(EXPORT_ROWS)} rows`, seconds: exportSeconds, beforeMb: exportBefore, peakMb: exportPeak, target: 5 });

    const bare = await bareInsert(o.databaseUrl);
    log("");
    log("scenario                         runs  p50 s  p95 s  p99 s  rows/s (p50)  worker RSS before → peak  target");
    for (const r of results) {
      const q = percentiles(r.seconds);
      const rows = r.name.includes("export") ? EXPORT_ROWS : ROWS;
      log(
        `${r.name.padEnd(32)} ${String(q.n).padStart(4)}  ${q.p50.toFixed(2).padStart(5)}  ${q.p95.toFixed(2).padStart(5)}  ${q.p99.toFixed(2).padStart(5)}  ${fmt(rows / q.p50).padStart(12)}  ${`${r.beforeMb.toFixed(0)} → ${r.peakMb.toFixed(0)} MB`.padStart(24)}  ${q.p95 < r.target ? "PASS" : "FAIL"} < ${r.target} s`,
      );
    }
    log(`${"baseline: bare INSERTs, 10,000".padEnd(32)}    1  ${bare.toFixed(2).padStart(5)}                ${fmt(ROWS / bare).padStart(12)}   (no validation, events, audit or locking)`);
    await runCustomerTransferBench(p, o.databaseUrl);
    return 0;
  } finally {
    await p.stop();
  }
}
