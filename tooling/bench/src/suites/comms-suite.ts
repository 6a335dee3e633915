import { createEmailSender } from "@clientele/messaging";
import { startSmtpServer } from "@clientele/test-doubles";
import type { SuiteOptions } from "../args";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { latencyAt, median, ratioAtLeast, table, targetsTable, type Target } from "../report";
import { api, createCustomers, fmt, log, percentiles, sleep, startPlatform, waitUntil } from "./platform";

const EMAILS = 10_000;
const RATE = 500;
const BATCH = 100;
// Campaign requests in flight at once when queueing as fast as the API takes them.
const QUEUE_CONCURRENCY = 4;

type Phase = { msgsPerSecond: number; sustained: number; p50: number; p95: number; p99: number; max: number };

/** Arrivals per second over the middle 80% of them, so start-up and the tail neither flatter nor hurt. */
function sustainedRate(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  return (0.8 * n) / ((sorted[Math.floor(n * 0.9)]! - sorted[Math.floor(n * 0.1)]!) / 1000);
}

/**
 * Each run, three phases of 10,000 emails to a local SMTP server that notes when each arrived:
 *   paced:    campaigns queued through the API at 500 emails/s (a batch of 100 every 200 ms, on
 *             schedule), sent by the worker: queued (the API's answer) → sent (arrival) per message;
 *   max:      the same queued as fast as the API takes them: the worker's sending throughput;
 *   baseline: the same number straight from a pooled nodemailer transport, 50 at a time.
 * Targets (issue 9): max ≥ 0.6× the baseline's rate (both the middle-80% arrival rate), and the
 * paced run's queued → sent p95 < 2 s at 500/s.
 */
export async function runCommsSuite(o: SuiteOptions): Promise<number> {
  const smtp = await startSmtpServer();
  let arrived = new Map<string, number>();
  const originalPush = smtp.messages.push.bind(smtp.messages);
  // Note each arrival's time as the SMTP server records it, without holding 10,000 parsed copies.
  smtp.messages.push = (...items) => {
    for (const m of items) if (m.messageId) arrived.set(m.messageId.replace(/^<|@clientele>$/g, ""), performance.now());
    return originalPush();
  };
  log(`comms bench: ${fmt(EMAILS)} emails per phase, queued through the API (campaigns of ${BATCH}) and sent by the worker to a local SMTP server; ${o.runs} run${o.runs > 1 ? "s" : ""}, API_WORKERS=${o.apiWorkers}`);
  log(`machine: load average ${loadAverage()} at the start`);
  const p = await startPlatform({ ...o, workerEnv: { SMTP_URL: smtp.url, EMAIL_CONCURRENCY: "50" }, apiEnv: {
      API_WORKERS: String(o.apiWorkers),
      // Two phases of 100 campaigns a run pass the default 100 bulk sends per user and hour;
      // the limiter stays on (its cost is measured), with budgets no run can spend.
      RATE_LIMIT_PER_USER_PER_HOUR: "1000000000",
      RATE_LIMIT_PER_TENANT_PER_HOUR: "1000000000",
      RATE_LIMIT_PER_IP_PER_HOUR: "1000000000",
      RATE_LIMIT_EXPENSIVE_PER_USER_PER_HOUR: "1000000000",
    },
  });
  try {
    const tenant = "bench-comms";
    const token = await p.token(tenant);
    const customers = await createCustomers(p.url, token, BATCH);
    let campaign = 0;
    const queueBatch = async (queuedAt: Map<string, number>) => {
      const r = await api<{ accepted: { communicationId: string }[] }>(p.url, token, "POST", "/communications/email/bulk", {
        customerIds: customers.map((c) => c.id),
        subject: `Your statement ${campaign++}`,
        body: "Dear {{companyName}}, your statement is ready.",
        purpose: "Transactional",
      });
      const at = performance.now();
      for (const a of r.accepted) queuedAt.set(a.communicationId, at);
    };

    /** Queues EMAILS through the API (at `rate`, or as fast as it answers) and waits until all arrived. */
    const throughApi = async (label: string, rate: number | undefined): Promise<Phase> => {
      arrived = new Map();
      const queuedAt = new Map<string, number>();
      const started = performance.now();
      const batches = EMAILS / BATCH;
      if (rate) {
        // An offered load of `rate` emails/s: a campaign batch every BATCH / rate seconds, on schedule.
        const inFlight: Promise<void>[] = [];
        for (let b = 0; b < batches; b++) {
          await sleep(Math.max(0, started + (b * BATCH * 1000) / rate - performance.now()));
          inFlight.push(queueBatch(queuedAt));
        }
        await Promise.all(inFlight);
      } else {
        let next = 0;
        await Promise.all(
          Array.from({ length: QUEUE_CONCURRENCY }, async () => {
            while (next++ < batches) await queueBatch(queuedAt);
          }),
        );
      }
      const queuedSeconds = (performance.now() - started) / 1000;
      if (queuedAt.size !== EMAILS) throw new Error(`the API accepted ${queuedAt.size} of ${EMAILS}`);
      await waitUntil(
        () => [...queuedAt.keys()].filter((id) => arrived.has(id)).length,
        (n) => n >= EMAILS,
        180_000,
        { intervalMs: 100, timeoutMessage: (n) => `${label}: only ${n} of ${EMAILS} emails arrived within 3 minutes` },
      );
      const times = [...queuedAt.keys()].map((id) => arrived.get(id)!);
      const q = percentiles([...queuedAt].map(([id, at]) => arrived.get(id)! - at));
      const sendSeconds = (Math.max(...times) - Math.min(...times)) / 1000;
      log(`  ${label}: queued ${fmt(EMAILS)} in ${queuedSeconds.toFixed(1)} s (${fmt(EMAILS / queuedSeconds)}/s through the API), sent at ${fmt(sustainedRate(times))}/s, queued → sent p95 ${fmt(q.p95)} ms`);
      return { msgsPerSecond: EMAILS / sendSeconds, sustained: sustainedRate(times), p50: q.p50, p95: q.p95, p99: q.p99, max: q.max };
    };

    const bareSend = async (run: number): Promise<Phase> => {
      arrived = new Map();
      const bare = createEmailSender({ smtpUrl: smtp.url, from: "bench@clientele.local", pool: true });
      const started = performance.now();
      let n = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          for (let i = n++; i < EMAILS; i = n++) await bare.send({ messageId: `bare-${run}-${i}`, to: [{ address: "x@bench.example" }], subject: `Bare ${i}`, text: "bare" });
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      bare.close();
      if (arrived.size < EMAILS) throw new Error(`baseline: ${arrived.size} of ${EMAILS} messages arrived`);
      const times = [...arrived.values()];
      log(`  baseline: ${fmt(EMAILS)} through a nodemailer pool in ${seconds.toFixed(1)} s, sent at ${fmt(sustainedRate(times))}/s`);
      return { msgsPerSecond: EMAILS / seconds, sustained: sustainedRate(times), p50: NaN, p95: NaN, p99: NaN, max: NaN };
    };

    const runs: { paced: Phase; max: Phase; bare: Phase }[] = [];
    const others = watchOtherLoad([p.worker.pid]);
    for (let run = 1; run <= o.runs; run++) {
      if (o.runs > 1) log(`run ${run} of ${o.runs}`);
      const paced = await throughApi(`paced at ${RATE}/s`, RATE);
      const max = await throughApi("as fast as the API takes them", undefined);
      runs.push({ paced, max, bare: await bareSend(run) });
    }
    const othersShare = others();

    const med = (pick: (r: (typeof runs)[number]) => Phase, f: keyof Phase) => median(runs.map((r) => pick(r)[f]));
    const row = (name: string, pick: (r: (typeof runs)[number]) => Phase) => [
      name,
      fmt(med(pick, "msgsPerSecond")),
      fmt(med(pick, "sustained")),
      ...(["p50", "p95", "p99", "max"] as const).map((f) => (Number.isNaN(med(pick, f)) ? "" : fmt(med(pick, f)))),
    ];
    log("");
    if (o.runs > 1) log(`medians of ${o.runs} runs:`);
    log(
      table(
        ["scenario", "msgs/s", "sustained", "p50 ms", "p95 ms", "p99 ms", "max ms"],
        [
          row(`queued → sent @${RATE}/s (API + BullMQ + worker)`, (r) => r.paced),
          row("queued → sent, as fast as possible", (r) => r.max),
          row("baseline: nodemailer pool → SMTP", (r) => r.bare),
        ],
      ),
    );
    log(`${fmt(EMAILS)} emails per row and run; msgs/s: first to last arrival; sustained: over the middle 80% of arrivals; latencies: queued (the API's answer) → arrived at the SMTP server`);
    log(`machine: load average ${loadAverage()} at the end; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs during the runs`);

    const targets = (r: { paced: Phase; max: Phase; bare: Phase }, ratio?: number): Target[] => [
      ratioAtLeast("comms sending", { value: r.max.sustained, baseline: r.bare.sustained, ...(ratio === undefined ? {} : { ratio }), min: 0.6, unit: "emails/s", against: "bare nodemailer pool" }),
      latencyAt(`comms queued → sent @${RATE}/s`, { p95: r.paced.p95, limit: 2000, achieved: r.paced.sustained, rate: RATE, unit: "emails/s" }),
    ];
    const medianRun = { paced: medianPhase(runs.map((r) => r.paced)), max: medianPhase(runs.map((r) => r.max)), bare: medianPhase(runs.map((r) => r.bare)) };
    const judged = targets(medianRun, median(runs.map((r) => r.max.sustained / r.bare.sustained)));
    log("");
    log(`targets of issue 9${o.runs > 1 ? `, judged on the medians of ${o.runs} runs, each run's figure below` : ""}:`);
    log(targetsTable(judged, runs.map(targets)));
    return 0;
  } finally {
    await p.stop();
    await smtp.close();
  }
}

function medianPhase(phases: Phase[]): Phase {
  const f = (k: keyof Phase) => median(phases.map((p) => p[k]));
  return { msgsPerSecond: f("msgsPerSecond"), sustained: f("sustained"), p50: f("p50"), p95: f("p95"), p99: f("p99"), max: f("max") };
}
