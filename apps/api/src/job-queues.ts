import {
  DEFAULT_JOB_OPTIONS,
  JOB_NAMES,
  QUEUES,
  jobIdFor,
  type ContactExportPayload,
  type ContactImportPayload,
  type CustomerDuplicatesPayload,
  type DuplicateScanPayload,
  type CustomerBulkPayload,
  type LoyaltyRunPayload,
  type SegmentRecalculationPayload,
  type SegmentCalculationPayload,
  type CustomerExportPayload,
  type CustomerImportPayload,
  type MessagePayload,
  type NotificationPayload,
} from "@clientele/jobs";
import type { Logger } from "@clientele/telemetry";
import { Queue } from "bullmq";
import { Redis } from "ioredis";

export type JobQueues = {
  enqueueMessage: (type: "Email" | "SMS", p: MessagePayload) => Promise<boolean>;
  /** Many emails in one round trip (a campaign). */
  enqueueEmails: (ps: MessagePayload[]) => Promise<boolean>;
  /** A notification now, or after `delayMs` (meeting reminders). */
  enqueueNotification: (p: NotificationPayload, key: string, delayMs?: number) => Promise<boolean>;
  /** Drops a delayed notification that no longer applies (a moved or cancelled meeting). */
  cancelNotification: (key: string) => Promise<void>;
  /** True when queued; false when Redis refused (the worker's sweeper queues it later). */
  enqueueImport: (p: ContactImportPayload) => Promise<boolean>;
  enqueueExport: (p: ContactExportPayload) => Promise<boolean>;
  /** Duplicate detection after a customer write, and a tenant's full scan; the worker's sweep queues what fails here. */
  enqueueCustomerDuplicates: (p: CustomerDuplicatesPayload) => Promise<boolean>;
  enqueueDuplicateScan: (p: DuplicateScanPayload) => Promise<boolean>;
  enqueueCustomerImport: (p: CustomerImportPayload) => Promise<boolean>;
  enqueueCustomerExport: (p: CustomerExportPayload) => Promise<boolean>;
  enqueueCustomerBulk: (p: CustomerBulkPayload) => Promise<boolean>;
  /** A loyalty run (issue 12), on the import queue beside the other long per-tenant work. */
  enqueueLoyaltyRecalculation: (p: LoyaltyRunPayload) => Promise<boolean>;
  /** Re-tiering a tenant's customers after its LTV thresholds changed (issue 12). */
  enqueueSegmentRecalculation: (p: SegmentRecalculationPayload) => Promise<boolean>;
  /** One segment's full calculation (issue 13), on the import queue. */
  enqueueSegmentCalculation: (p: SegmentCalculationPayload) => Promise<boolean>;
  /** Every queue of the platform, for the operators' dashboard (/ops/queues). */
  all: Queue[];
  close: () => Promise<void>;
};

export function createJobQueues(redisUrl: string, prefix: string, log: Logger): JobQueues {
  // Producers fail fast while Redis is away instead of queueing the command in memory.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  connection.on("error", (error) => log.debug({ err: error.message }, "queue redis error"));
  const imports = new Queue(QUEUES.contactImport, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const exports = new Queue(QUEUES.contactExport, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const email = new Queue(QUEUES.email, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const sms = new Queue(QUEUES.sms, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const notifications = new Queue(QUEUES.notifications, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const maintenance = new Queue(QUEUES.maintenance, { connection, prefix });
  const duplicates = new Queue(QUEUES.customerDuplicates, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const all = [imports, exports, email, sms, notifications, duplicates, maintenance];
  // Queues report connection trouble as events; without a listener Node would throw them.
  for (const q of all) q.on("error", (error) => log.debug({ err: error.message }, "queue error"));
  const add = async (queue: Queue, name: string, payload: object, jobId: string, delay?: number) => {
    try {
      await queue.add(name, payload, { jobId, ...(delay ? { delay } : {}) });
      return true;
    } catch (error) {
      log.warn({ jobId, err: (error as Error).message }, "could not queue job; the worker will pick it up from the database");
      return false;
    }
  };
  return {
    enqueueImport: (p) => add(imports, JOB_NAMES.contactImport, p, jobIdFor.contactImport(p)),
    enqueueExport: (p) => add(exports, JOB_NAMES.contactExport, p, jobIdFor.contactExport(p)),
    enqueueCustomerDuplicates: (p) => add(duplicates, JOB_NAMES.customerDuplicates, p, jobIdFor.customerDuplicates(p)),
    enqueueDuplicateScan: (p) => add(duplicates, JOB_NAMES.duplicateScan, p, jobIdFor.duplicateScan(p)),
    enqueueCustomerImport: (p) => add(imports, JOB_NAMES.customerImport, p, jobIdFor.customerImport(p)),
    enqueueCustomerExport: (p) => add(exports, JOB_NAMES.customerExport, p, jobIdFor.customerExport(p)),
    enqueueCustomerBulk: (p) => add(imports, JOB_NAMES.customerBulk, p, jobIdFor.customerBulk(p)),
    enqueueLoyaltyRecalculation: (p) => add(imports, JOB_NAMES.loyaltyRecalculation, p, jobIdFor.loyaltyRecalculation(p)),
    enqueueSegmentRecalculation: (p) => add(imports, JOB_NAMES.segmentRecalculation, p, jobIdFor.segmentRecalculation(p)),
    enqueueSegmentCalculation: (p) => add(imports, JOB_NAMES.segmentCalculation, p, jobIdFor.segmentCalculation(p)),
    enqueueMessage: (type, p) =>
      type === "Email" ? add(email, JOB_NAMES.sendEmail, p, jobIdFor.message(p)) : add(sms, JOB_NAMES.sendSms, p, jobIdFor.message(p)),
    enqueueEmails: async (ps) => {
      try {
        await email.addBulk(ps.map((p) => ({ name: JOB_NAMES.sendEmail, data: p, opts: { jobId: jobIdFor.message(p) } })));
        return true;
      } catch (error) {
        log.warn({ jobs: ps.length, err: (error as Error).message }, "could not queue jobs; the worker will pick them up from the database");
        return false;
      }
    },
    enqueueNotification: (p, key, delayMs) => add(notifications, JOB_NAMES.notification, p, jobIdFor.notification(key), delayMs),
    cancelNotification: async (key) => {
      try {
        await notifications.remove(jobIdFor.notification(key));
      } catch (error) {
        // Harmless: the reminder checks the meeting when it fires and skips if it no longer applies.
        log.debug({ key, err: (error as Error).message }, "could not remove a delayed notification");
      }
    },
    all,
    close: async () => {
      // A queue closed while it still connects has BullMQ's version check (INFO) refused by the
      // disabled offline queue, an unhandled rejection: let the checks finish (briefly) first.
      await Promise.race([Promise.allSettled(all.map((q) => q.waitUntilReady())), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await Promise.allSettled(all.map((q) => q.close()));
      connection.disconnect();
    },
  };
}
