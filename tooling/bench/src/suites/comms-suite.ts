import { createEmailSender } from "@clientele/messaging";
import { startSmtpServer } from "@clientele/test-doubles";
import { api, createCustomers, fmt, log, percentiles, sleep, startPlatform, waitUntil } from "./platform";

const EMAILS = 10_000;
const RATE = 500;
const BATCH = 100;

/**
 * Queued-to-sent for 10,000 emails: the API records them (its answer is the queue time), the
 * worker sends through SMTP, and the local SMTP server notes when each arrived.
 */
export async function runCommsSuite(o: { databaseUrl: string; redisUrl: string }): Promise<number> {
  const smtp = await startSmtpServer();
  const arrived = new Map<string, number>();
  const originalPush = smtp.messages.push.bind(smtp.messages);
  // Note each arrival's time as the SMTP server records it, without holding 10,000 parsed copies.
  smtp.messages.push = (...items) => {
    for (const m of items) if (m.messageId) arrived.set(m.messageId.replace(/^<|@clientele>$/g, ""), performance.now());
    return originalPush();
  };
  log(`comms bench: ${fmt(EMAILS)} emails queued through the API at ${RATE}/s (campaigns of ${BATCH}) and sent by the worker to a local SMTP server`);
  const p = await startPlatform({ ...o, workerEnv: { SMTP_URL: smtp.url, EMAIL_CONCURRENCY: "50" } });
  try {
    const tenant = "bench-comms";
    const token = await p.token(tenant);
    const customers = await createCustomers(p.url, token, BATCH);
    const queuedAt = new Map<string, number>();
    // An offered load of RATE emails/s: a campaign batch every BATCH / RATE seconds, on schedule.
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let b = 0; b < EMAILS / BATCH; b++) {
      const due = started + (b * BATCH * 1000) / RATE;
      await sleep(Math.max(0, due - performance.now()));
      inFlight.push(
        api<{ accepted: { communicationId: string }[] }>(p.url, token, "POST", "/communications/email/bulk", {
          customerIds: customers.map((c) => c.id),
          subject: `Your statement ${b}`,
          body: "Dear {{companyName}}, your statement is ready.",
          purpose: "Transactional",
        }).then((r) => {
          const at = performance.now();
          for (const a of r.accepted) queuedAt.set(a.communicationId, at);
        }),
      );
    }
    await Promise.all(inFlight);
    const queuedSeconds = (performance.now() - started) / 1000;
    if (queuedAt.size !== EMAILS) throw new Error(`the API accepted ${queuedAt.size} of ${EMAILS}`);
    log(`  queued ${fmt(EMAILS)} in ${queuedSeconds.toFixed(1)} s (${fmt(EMAILS / queuedSeconds)}/s offered through the API)`);
    await waitUntil(
      () => arrived.size,
      (n) => n >= EMAILS,
      120_000,
      { intervalMs: 50, timeoutMessage: (n) => `only ${n} of ${EMAILS} emails arrived within 2 minutes` },
    );
    const times = [...arrived.values()].sort((a, b) => a - b);
    const sendSeconds = (times.at(-1)! - times[0]!) / 1000;
    const latencies = [...queuedAt].map(([id, q]) => arrived.get(id)! - q);
    const q = percentiles(latencies);
    // Sustained: the middle 80% of arrivals, so start-up and the tail don't flatter or hurt.
    const sustained = (0.8 * EMAILS) / ((times[Math.floor(EMAILS * 0.9)]! - times[Math.floor(EMAILS * 0.1)]!) / 1000);

    // Baseline: the same number of messages straight from a pooled nodemailer transport.
    smtp.messages.push = originalPush;
    const bare = createEmailSender({ smtpUrl: smtp.url, from: "bench@clientele.local", pool: true });
    const before = smtp.messages.length;
    const bareStart = performance.now();
    let n = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = n++; i < EMAILS; i = n++) await bare.send({ messageId: `bare-${i}`, to: [{ address: "x@bench.example" }], subject: `Bare ${i}`, text: "bare" });
      }),
    );
    const bareSeconds = (performance.now() - bareStart) / 1000;
    bare.close();
    if (smtp.messages.length - before < EMAILS) throw new Error("baseline lost messages");

    log("");
    log("scenario                               emails  msgs/s  sustained  p50 ms  p95 ms  p99 ms  max ms");
    log(`queued → sent (API + BullMQ + worker)  ${fmt(EMAILS).padStart(6)}  ${fmt(EMAILS / sendSeconds).padStart(6)}  ${fmt(sustained).padStart(9)}  ${q.p50.toFixed(0).padStart(6)}  ${q.p95.toFixed(0).padStart(6)}  ${q.p99.toFixed(0).padStart(6)}  ${q.max.toFixed(0).padStart(6)}`);
    log(`baseline: nodemailer pool → SMTP       ${fmt(EMAILS).padStart(6)}  ${fmt(EMAILS / bareSeconds).padStart(6)}`);
    log("");
    log(`targets: ${sustained >= 500 ? "PASS" : "FAIL"} sustained ≥ 500 emails/s (${fmt(sustained)}); ${q.p95 < 2000 ? "PASS" : "FAIL"} p95 queued → sent < 2 s (${(q.p95 / 1000).toFixed(2)} s)`);
    return 0;
  } finally {
    await p.stop();
    await smtp.close();
  }
}
