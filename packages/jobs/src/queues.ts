import { z } from "zod";

/** Every queue the platform uses; the API enqueues, the worker consumes. */
export const QUEUES = {
  contactImport: "contact-import",
  contactExport: "contact-export",
  maintenance: "maintenance",
  email: "email",
  sms: "sms",
  notifications: "notifications",
  /** Duplicate detection: one customer's pairs after a write, and full scans of a tenant. */
  customerDuplicates: "customer-duplicates",
} as const;

/** Payloads carry ids only, never personal data (DESIGN.md). */
export const ZContactImportPayload = z.object({ importId: z.uuid(), tenantId: z.string() });
export const ZContactExportPayload = z.object({ exportId: z.uuid(), tenantId: z.string() });
export type ContactImportPayload = z.infer<typeof ZContactImportPayload>;
export type ContactExportPayload = z.infer<typeof ZContactExportPayload>;
/** `version`: the customer's version whose write marked it; a newer write queues its own job. */
export const ZCustomerDuplicatesPayload = z.object({ tenantId: z.string(), customerId: z.uuid(), version: z.number().int().positive() });
export const ZDuplicateScanPayload = z.object({ scanId: z.uuid(), tenantId: z.string() });
export type CustomerDuplicatesPayload = z.infer<typeof ZCustomerDuplicatesPayload>;
export type DuplicateScanPayload = z.infer<typeof ZDuplicateScanPayload>;
export const ZCustomerImportPayload = ZContactImportPayload;
export const ZCustomerExportPayload = ZContactExportPayload;
export const ZCustomerBulkPayload = z.object({ jobId: z.uuid(), tenantId: z.string() });
export type CustomerImportPayload = z.infer<typeof ZCustomerImportPayload>;
export type CustomerExportPayload = z.infer<typeof ZCustomerExportPayload>;
export type CustomerBulkPayload = z.infer<typeof ZCustomerBulkPayload>;

export const JOB_NAMES = {
  contactImport: "import-contacts",
  contactExport: "export-contacts",
  /** Customer imports and bulk jobs run on the import queue, customer exports on the export queue, told apart by name. */
  customerImport: "import-customers",
  customerBulk: "bulk-customers",
  customerExport: "export-customers",
  customerDuplicates: "refresh-customer-duplicates",
  duplicateScan: "scan-customer-duplicates",
  fileRetention: "file-retention",
  sendEmail: "send-email",
  sendSms: "send-sms",
  notification: "notification",
  escalationSweep: "escalate-complaints",
  escalationDigest: "escalation-digest",
  /** Customer value (issue 12): the monthly trigger makes one loyalty run per tenant, each run a job on the import queue; the daily inactivity sweep. */
  loyaltyMonthly: "loyalty-monthly",
  loyaltyRecalculation: "recalculate-loyalty",
  inactivitySweep: "inactivity-sweep",
  /** The nightly lifetime-value check against the ledger and the daily segment-change digest. */
  ltvCheck: "ltv-check",
  segmentDigest: "segment-digest",
  /** A tenant's customers re-tiered after its LTV thresholds changed (import queue, beside the other long per-tenant work). */
  segmentRecalculation: "recalculate-segments",
  /** Issue 13: the daily partition maintenance of tracked events (retention, months ahead). */
  eventRetention: "tracked-event-retention",
  /** Issue 13 §1: one segment's full calculation (import queue) and the scheduled sweep queueing every dynamic segment's (maintenance). */
  segmentCalculation: "calculate-customer-segment",
  segmentSweep: "customer-segment-sweep",
} as const;

/** Deterministic ids: enqueueing the same import twice is one job. */
export const jobIdFor = {
  contactImport: (p: ContactImportPayload) => `import-${p.importId}`,
  contactExport: (p: ContactExportPayload) => `export-${p.exportId}`,
  customerImport: (p: CustomerImportPayload) => `customer-import-${p.importId}`,
  customerExport: (p: CustomerExportPayload) => `customer-export-${p.exportId}`,
  customerBulk: (p: CustomerBulkPayload) => `customer-bulk-${p.jobId}`,
  customerDuplicates: (p: CustomerDuplicatesPayload) => `dedupe-${p.customerId}-v${p.version}`,
  duplicateScan: (p: DuplicateScanPayload) => `dedupe-scan-${p.scanId}`,
  message: (p: { communicationId: string }) => `message-${p.communicationId}`,
  notification: (key: string) => `notify-${key.replace(/:/g, "-")}`,
  loyaltyRecalculation: (p: { runId: string }) => `loyalty-${p.runId}`,
  segmentCalculation: (p: { segmentId: string; requestedAt: string }) => `segment-calc-${p.segmentId}-${p.requestedAt.replace(/[^0-9]/g, "")}`,
  segmentRecalculation: (p: { tenantId: string; requestedAt: string }) => `segments-${p.tenantId}-${p.requestedAt.replace(/[^0-9]/g, "")}`,
};

/** Our message ids become `<id@domain>`: anything but letters, digits, dots and dashes turns into a dot. */
export const safeMessageId = (key: string) => key.replace(/[^A-Za-z0-9.-]/g, ".");

/** Retries with exponential backoff; a permanent failure is thrown as PermanentJobError. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The worker turns this into BullMQ's UnrecoverableError: retrying cannot help. */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
}
