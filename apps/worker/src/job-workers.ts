import { findStranded, findStrandedBulkJobs, findStrandedRecalculations, finishBulkJob, finishImport, updateExport, updateRecalculation } from "@clientele/db";
import { createMonthlyLoyaltyRuns, runInactivitySweep, runLoyaltyRecalculation, ZLoyaltyRunPayload } from "@clientele/jobs";
import { runLtvCheck, runSegmentCalculation, runSegmentDigest, runSegmentRecalculation, segmentSweepPayloads, ZSegmentCalculationPayload, ZSegmentRecalculationPayload } from "@clientele/jobs";
import { runEventRetention } from "@clientele/jobs";
import {
  DEFAULT_JOB_OPTIONS,
  JOB_NAMES,
  PermanentJobError,
  QUEUES,
  ZContactExportPayload,
  ZContactImportPayload,
  ZCustomerBulkPayload,
  ZCustomerExportPayload,
  ZCustomerImportPayload,
  jobIdFor,
  runContactExport,
  runContactImport,
  runCustomerBulk,
  runCustomerExport,
  runCustomerImport,
  runFileRetention,
  runEscalationDigest,
  runEscalationSweep,
  runNotification,
  ZEscalationDigestPayload,
  runSendEmail,
  runSendSms,
  ZMessagePayload,
  ZNotificationPayload,
  type MessagingDeps,
} from "@clientele/jobs";
import { findQueuedMessages, transitionCommunication } from "@clientele/db";
import { findStaleDirtyMarks, findStrandedDuplicateScans, updateDuplicateScan } from "@clientele/db";
import { runCustomerDuplicates, runDuplicateScan, ZCustomerDuplicatesPayload, ZDuplicateScanPayload } from "@clientele/jobs";
import { maskPii } from "@clientele/telemetry";
import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerEnv } from "./env";
import type { WorkerMetrics } from "./metrics";

/**
 * Permanent failures skip the remaining attempts; everything else retries with backoff. The reason
 * BullMQ keeps (and the dashboard shows to operators of every tenant) is masked: a provider's
 * refusal names its recipient. The communication row keeps the full reason for its own tenant.
 */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof PermanentJobError) throw new UnrecoverableError(maskPii(error.message));
    if (error instanceof Error) {
      error.message = maskPii(error.message);
      if (error.stack) error.stack = maskPii(error.stack);
    }
    throw error;
  }
}

const finallyFailed = (job: Job | undefined) => job && (job.attemptsMade >= (job.opts.attempts ?? 1) || job.finishedOn !== undefined);

export async function startJobWorkers(deps: MessagingDeps, connection: Redis, env: WorkerEnv, metrics: WorkerMetrics) {
  const common = { connection, prefix: env.QUEUE_PREFIX, lockDuration: env.JOB_LOCK_MS, stalledInterval: env.STALLED_INTERVAL_MS, maxStalledCount: 2 };
  const queue = (name: string, defaultJobOptions?: typeof DEFAULT_JOB_OPTIONS) => new Queue(name, { connection, prefix: env.QUEUE_PREFIX, defaultJobOptions });
  const queues = {
    imports: queue(QUEUES.contactImport, DEFAULT_JOB_OPTIONS),
    exports: queue(QUEUES.contactExport, DEFAULT_JOB_OPTIONS),
    maintenance: queue(QUEUES.maintenance),
    email: queue(QUEUES.email, DEFAULT_JOB_OPTIONS),
    sms: queue(QUEUES.sms, DEFAULT_JOB_OPTIONS),
    notifications: queue(QUEUES.notifications, DEFAULT_JOB_OPTIONS),
    duplicates: queue(QUEUES.customerDuplicates, DEFAULT_JOB_OPTIONS),
  };
  const loyaltyJob = (p: { runId: string; tenantId: string }) => ({ name: JOB_NAMES.loyaltyRecalculation, data: p, opts: { jobId: jobIdFor.loyaltyRecalculation(p) } });
  // One round trip per queue; nothing to send, no round trip.
  const addBulk = async (q: Queue, jobs: Parameters<Queue["addBulk"]>[0]) => {
    if (jobs.length) await q.addBulk(jobs);
  };
  const imports = new Worker(
    QUEUES.contactImport,
    (job) =>
      guarded<unknown>(() =>
        job.name === JOB_NAMES.customerImport
          ? runCustomerImport(deps, ZCustomerImportPayload.parse(job.data))
          : job.name === JOB_NAMES.customerBulk
            ? runCustomerBulk(deps, ZCustomerBulkPayload.parse(job.data))
            : job.name === JOB_NAMES.loyaltyRecalculation
              ? runLoyaltyRecalculation(deps, ZLoyaltyRunPayload.parse(job.data))
              : job.name === JOB_NAMES.segmentRecalculation
                ? runSegmentRecalculation(deps, ZSegmentRecalculationPayload.parse(job.data), { onChunk: (after) => job.updateData({ ...job.data, after }) })
                : job.name === JOB_NAMES.segmentCalculation
                  ? runSegmentCalculation(deps, ZSegmentCalculationPayload.parse(job.data), { onChunk: (after) => job.updateData({ ...job.data, after }) })
                  : runContactImport(deps, ZContactImportPayload.parse(job.data)),
      ),
    { ...common, concurrency: env.IMPORT_CONCURRENCY },
  );
  const exports = new Worker(
    QUEUES.contactExport,
    (job) =>
      guarded<unknown>(() =>
        job.name === JOB_NAMES.customerExport ? runCustomerExport(deps, ZCustomerExportPayload.parse(job.data)) : runContactExport(deps, ZContactExportPayload.parse(job.data)),
      ),
    { ...common, concurrency: env.EXPORT_CONCURRENCY },
  );
  const email = new Worker(QUEUES.email, (job) => guarded(() => runSendEmail(deps, ZMessagePayload.parse(job.data))), { ...common, concurrency: env.EMAIL_CONCURRENCY });
  const sms = new Worker(QUEUES.sms, (job) => guarded(() => runSendSms(deps, ZMessagePayload.parse(job.data))), { ...common, concurrency: env.SMS_CONCURRENCY });
  const notifications = new Worker(
    QUEUES.notifications,
    (job) =>
      guarded<unknown>(() =>
        job.name === JOB_NAMES.escalationDigest
          ? runEscalationDigest(deps, ZEscalationDigestPayload.parse(job.data))
          : runNotification(deps, ZNotificationPayload.parse(job.data)),
      ),
    { ...common, concurrency: env.NOTIFICATIONS_CONCURRENCY },
  );
  const duplicates = new Worker(
    QUEUES.customerDuplicates,
    (job) =>
      guarded<unknown>(() =>
        job.name === JOB_NAMES.duplicateScan ? runDuplicateScan(deps, ZDuplicateScanPayload.parse(job.data)) : runCustomerDuplicates(deps, ZCustomerDuplicatesPayload.parse(job.data)),
      ),
    { ...common, concurrency: env.DUPLICATES_CONCURRENCY },
  );
  // A scan out of attempts is Failed, never left Running.
  duplicates.on("failed", (job, error) => {
    if (!finallyFailed(job) || !job || job.name !== JOB_NAMES.duplicateScan) return;
    void updateDuplicateScan(deps.db, job.data.scanId, { status: "Failed", failureReason: error.message.slice(0, 500), completedAt: deps.now() });
  });
  // Out of attempts: a message still claimed or queued is Failed, never left hanging, never resent.
  for (const w of [email, sms]) {
    w.on("failed", (job, error) => {
      if (!finallyFailed(job) || !job) return;
      const reason = `${error.message} (after ${job.attemptsMade} attempts; not resent to avoid a duplicate)`.slice(0, 500);
      for (const from of ["Sending", "Queued"]) void transitionCommunication(deps.db, job.data.communicationId, from, "Failed", deps.now(), { failureReason: reason });
    });
  }
  const maintenance = new Worker(
    QUEUES.maintenance,
    async (job) => {
      if (job.name === JOB_NAMES.fileRetention) return runFileRetention(deps);
      if (job.name === JOB_NAMES.inactivitySweep) return runInactivitySweep(deps);
      if (job.name === JOB_NAMES.ltvCheck) {
        const result = await runLtvCheck(deps);
        metrics.ltvDrift.set(result.drifted);
        return result;
      }
      if (job.name === JOB_NAMES.segmentDigest) return runSegmentDigest(deps);
      if (job.name === JOB_NAMES.segmentSweep) {
        const payloads = await segmentSweepPayloads(deps);
        await addBulk(queues.imports, payloads.map((p) => ({ name: JOB_NAMES.segmentCalculation, data: p, opts: { jobId: jobIdFor.segmentCalculation(p) } })));
        return { segments: payloads.length };
      }
      if (job.name === JOB_NAMES.eventRetention) return runEventRetention(deps, { retentionMonths: env.TRACKING_RETENTION_MONTHS, aheadMonths: env.TRACKING_PARTITIONS_AHEAD });
      if (job.name === JOB_NAMES.loyaltyMonthly) {
        // One run per tenant for the month; each its own job, resumable from its checkpoint.
        const runs = await createMonthlyLoyaltyRuns(deps);
        await addBulk(queues.imports, runs.map((r) => loyaltyJob({ runId: r.id, tenantId: r.tenantId })));
        return { runs: runs.length };
      }
      if (job.name === JOB_NAMES.escalationSweep) {
        const result = await runEscalationSweep(deps);
        // One digest per tenant that had escalations; the digest takes whatever is unannounced.
        const run = job.id ?? Date.now();
        await addBulk(
          queues.notifications,
          result.tenants.map((tenantId) => ({ name: JOB_NAMES.escalationDigest, data: { tenantId }, opts: { jobId: `digest-${tenantId}-${run}` } })),
        );
        return result;
      }
      return undefined;
    },
    common,
  );

  // A job out of attempts leaves its import/export Failed, so its status never hangs in Processing.
  imports.on("failed", (job, error) => {
    if (!finallyFailed(job) || !job) return;
    if (job.name === JOB_NAMES.customerBulk) void finishBulkJob(deps.db, job.data.jobId, "Failed", deps.now(), error.message.slice(0, 500));
    else if (job.name === JOB_NAMES.loyaltyRecalculation) void updateRecalculation(deps.db, job.data.runId, { status: "Failed", failureReason: error.message.slice(0, 500), completedAt: deps.now() });
    // A segment recalculation has no row of its own: the failure log below is its record; a segment calculation marked its segment ERROR itself.
    else if (job.name !== JOB_NAMES.segmentRecalculation && job.name !== JOB_NAMES.segmentCalculation) void finishImport(deps.db, job.data.importId, "Failed", deps.now(), error.message.slice(0, 500));
  });
  exports.on("failed", (job, error) => {
    if (!finallyFailed(job) || !job) return;
    void updateExport(deps.db, job.data.exportId, { status: "Failed", failureReason: error.message.slice(0, 500), completedAt: deps.now() });
  });
  const workers = [imports, exports, email, sms, notifications, duplicates, maintenance];
  for (const w of workers) {
    w.on("error", (error) => deps.log.warn({ err: error.message }, "job worker error"));
    // Operators see every failed attempt, and loudly the last one; reasons are masked (a refusal names its recipient).
    w.on("failed", (job, error) => {
      const final = Boolean(finallyFailed(job));
      metrics.failedAttempts.inc({ queue: w.name, final: String(final) });
      const fields = { queue: w.name, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, attempts: job?.opts.attempts ?? 1, reason: maskPii(error.message).slice(0, 500) };
      if (final) deps.log.error(fields, "job failed with no attempt left");
      else deps.log.warn(fields, "job attempt failed; it will be retried");
    });
  }

  await queues.maintenance.upsertJobScheduler("file-retention", { pattern: env.FILE_RETENTION_CRON }, { name: JOB_NAMES.fileRetention });
  await queues.maintenance.upsertJobScheduler("escalate-complaints", { pattern: env.ESCALATION_CRON }, { name: JOB_NAMES.escalationSweep });
  await queues.maintenance.upsertJobScheduler("loyalty-monthly", { pattern: env.LOYALTY_CRON }, { name: JOB_NAMES.loyaltyMonthly });
  await queues.maintenance.upsertJobScheduler("inactivity-daily", { pattern: env.INACTIVITY_CRON }, { name: JOB_NAMES.inactivitySweep });
  await queues.maintenance.upsertJobScheduler("ltv-check-nightly", { pattern: env.LTV_CHECK_CRON }, { name: JOB_NAMES.ltvCheck });
  await queues.maintenance.upsertJobScheduler("segment-digest-daily", { pattern: env.SEGMENT_DIGEST_CRON }, { name: JOB_NAMES.segmentDigest });
  await queues.maintenance.upsertJobScheduler("customer-segment-sweep-daily", { pattern: env.SEGMENT_SWEEP_CRON }, { name: JOB_NAMES.segmentSweep });
  await queues.maintenance.upsertJobScheduler("tracked-event-retention-daily", { pattern: env.TRACKING_RETENTION_CRON }, { name: JOB_NAMES.eventRetention });

  // Work the API recorded but could not queue (Redis was down) is queued here; job ids dedupe.
  const sweep = async () => {
    try {
      const cutoff = new Date(deps.now().getTime() - env.SWEEP_INTERVAL_MS);
      const [stranded, messages, bulk, loyaltyRuns] = await Promise.all([
        findStranded(deps.db, cutoff),
        findQueuedMessages(deps.db, cutoff),
        findStrandedBulkJobs(deps.db, cutoff),
        findStrandedRecalculations(deps.db, cutoff),
      ]);
      const message = (m: (typeof messages)[number], name: string) => {
        const p = { communicationId: m.id, tenantId: m.tenantId };
        return { name, data: p, opts: { jobId: jobIdFor.message(p) } };
      };
      const texts = messages.filter((m) => m.type === "SMS");
      const mails = messages.filter((m) => m.type !== "SMS");
      await Promise.all([
        addBulk(
          queues.imports,
          stranded.imports.map((i) => {
            const p = { importId: i.id, tenantId: i.tenantId };
            if (i.kind === "Customer") return { name: JOB_NAMES.customerImport, data: p, opts: { jobId: jobIdFor.customerImport(p) } };
            return { name: JOB_NAMES.contactImport, data: p, opts: { jobId: jobIdFor.contactImport(p) } };
          }),
        ),
        addBulk(
          queues.imports,
          bulk.map((b) => {
            const p = { jobId: b.id, tenantId: b.tenantId };
            return { name: JOB_NAMES.customerBulk, data: p, opts: { jobId: jobIdFor.customerBulk(p) } };
          }),
        ),
        addBulk(queues.imports, loyaltyRuns.map((r) => loyaltyJob({ runId: r.id, tenantId: r.tenantId }))),
        addBulk(
          queues.exports,
          stranded.exports.map((e) => {
            const p = { exportId: e.id, tenantId: e.tenantId };
            if (e.kind === "Customer") return { name: JOB_NAMES.customerExport, data: p, opts: { jobId: jobIdFor.customerExport(p) } };
            return { name: JOB_NAMES.contactExport, data: p, opts: { jobId: jobIdFor.contactExport(p) } };
          }),
        ),
        addBulk(queues.sms, texts.map((m) => message(m, JOB_NAMES.sendSms))),
        addBulk(queues.email, mails.map((m) => message(m, JOB_NAMES.sendEmail))),
      ]);
      // Duplicate detection: customers marked in their write whose job was lost (Redis down), and stranded scans.
      const [dirty, scans] = await Promise.all([findStaleDirtyMarks(deps.db, cutoff), findStrandedDuplicateScans(deps.db, cutoff)]);
      await addBulk(queues.duplicates, [
        ...dirty.map((d) => {
          const p = { tenantId: d.tenantId, customerId: d.customerId, version: d.version };
          return { name: JOB_NAMES.customerDuplicates, data: p, opts: { jobId: jobIdFor.customerDuplicates(p) } };
        }),
        ...scans.map((s) => {
          const p = { scanId: s.id, tenantId: s.tenantId };
          return { name: JOB_NAMES.duplicateScan, data: p, opts: { jobId: jobIdFor.duplicateScan(p) } };
        }),
      ]);
      metrics.sweeps.inc({ outcome: "ok" });
      const counts: [Queue, number][] = [[queues.imports, stranded.imports.length + bulk.length], [queues.exports, stranded.exports.length], [queues.sms, texts.length], [queues.email, mails.length]];
      for (const [q, n] of counts) if (n) metrics.requeued.inc({ queue: q.name }, n);
    } catch (error) {
      metrics.sweeps.inc({ outcome: "failed" });
      deps.log.warn({ err: (error as Error).message }, "stranded-job sweep failed");
    }
  };
  const sweeper = setInterval(() => void sweep(), env.SWEEP_INTERVAL_MS);

  return {
    queues: Object.values(queues),
    async close() {
      clearInterval(sweeper);
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
    },
  };
}
