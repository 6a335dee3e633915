import { deleteConsumedBefore, inTransaction, markConsumed, markConsumedBatch, type Db, type Trx } from "@clientele/db";
import { describeError, maskPii, type Logger } from "@clientele/telemetry";
import type { Redis } from "ioredis";
import { parseStreamEntry, type StreamEnvelope } from "./stream-envelope";


export type StreamMessageContext = {
  trx: Trx;
  /** 1 on first delivery; more when the entry was reclaimed after a failure or a dead consumer. */
  deliveries: number;
  /** The Redis stream entry id (not the event id). */
  entryId: string;
  /** Runs `fn` once the transaction has committed (cache invalidation); its failure is logged, not retried. */
  afterCommit(fn: () => Promise<void> | void): void;
};
export type StreamBatchContext = Pick<StreamMessageContext, "trx" | "afterCommit">;

type StreamHandlerBase = {
  /** Stream name without the deployment's prefix (STREAM_PREFIX is added), e.g. "payment-events". */
  stream: string;
  /** Consumer group: one per feature reading the stream; every group sees every entry. */
  group: string;
  /** Event types this handler applies; other entries are acknowledged untouched. All when absent. */
  types?: string[];
  /**
   * The stream exists only for its consumer groups (a work queue, like tracked behaviour): entries
   * every group of it has acknowledged are trimmed, so it holds the backlog, not the history. Not
   * for our outbox topics, which the live updates read back for their resume window.
   */
  trimAcknowledged?: boolean;
};

/**
 * A feature's handler for one (stream, group). `handle` applies one event; `handleBatch`, when
 * given, applies many in one transaction (throughput) and is the one used for fresh reads, while
 * reclaimed entries and a failed batch's entries go one at a time (through `handle`, or
 * `handleBatch` with one envelope) so a poison message is isolated. Either runs in the transaction
 * that records the event ids as consumed, and must do nothing but database work in it.
 */
export type StreamHandler = StreamHandlerBase &
  (
    | {
        handle(envelope: StreamEnvelope, ctx: StreamMessageContext): Promise<void>;
        handleBatch?(envelopes: StreamEnvelope[], ctx: StreamBatchContext): Promise<void>;
      }
    | { handle?: undefined; handleBatch(envelopes: StreamEnvelope[], ctx: StreamBatchContext): Promise<void> }
  );

/**
 * Thrown by a handler for an event that can never apply (invalid data, unknown customer): it is
 * dead-lettered at once with this reason, not retried. From `handleBatch`, naming the event lets
 * the rest of the batch go on without it.
 */
export class DeadLetterError extends Error {
  constructor(
    reason: string,
    readonly eventId?: string,
  ) {
    super(reason);
    this.name = "DeadLetterError";
  }
}

/** Why an entry went to the dead-letter stream. */
export type DeadLetterReason = "unparseable" | "rejected" | "poison";

export type StreamConsumerMetrics = {
  processed?(stream: string, group: string, count: number): void;
  deadLettered?(stream: string, group: string, reason: DeadLetterReason): void;
  /** A handler failed and the entry was left pending for redelivery. */
  failed?(stream: string, group: string): void;
};

export type StreamConsumerOptions = {
  db: Db;
  redis: Redis;
  log: Logger;
  /** Unique per process: a consumer's pending entries are reclaimed by others once it is gone. */
  consumerName: string;
  handlers: StreamHandler[];
  /** Entries per XREADGROUP (and per handleBatch transaction). */
  batchSize: number;
  /** How long a read waits for new entries before the loop looks for entries to reclaim. */
  blockMs: number;
  /** An entry pending this long (its consumer died, or its handler failed) is reclaimed. */
  claimIdleMs: number;
  /** Deliveries after which a failing entry is dead-lettered instead of retried. */
  maxDeliveries: number;
  /** Dead letters of stream s go to `${s}${deadLetterSuffix}`; default ":dead". */
  deadLetterSuffix?: string;
  /** Prepended to every handler's stream (the relay's STREAM_PREFIX); default "". */
  streamPrefix?: string;
  /** How long consumed event ids are remembered (past any redelivery); default 30 days. */
  consumedRetentionMs?: number;
  /** How often the forgotten ids are deleted; default hourly. */
  cleanupIntervalMs?: number;
  /** Consumers of a group idle this long with nothing pending are removed from it (dead workers); default a day. */
  forgetConsumersIdleMs?: number;
  now?: () => Date;
  metrics?: StreamConsumerMetrics;
};

export type StreamGroupState = {
  stream: string;
  group: string;
  /** Entries not yet delivered to the group (XINFO GROUPS lag); null when Redis cannot tell. */
  lag: number | null;
  /** Age of the oldest entry not yet delivered, in seconds (0 when none waits). */
  lagSeconds: number;
  /** Delivered but not acknowledged (in a handler, failed, or held by a dead consumer). */
  pending: number;
};

export type StreamConsumer = {
  /** Starts one read loop per handler; Redis being away is retried with backoff, never thrown. */
  start(): void;
  /** Finishes the entries in hand, hands the rest back for reclaiming, and stops. */
  stop(): Promise<void>;
  /** Applies everything readable now (reclaimable entries, then new ones) without blocking; returns how many entries were settled. Not alongside start(). */
  drainOnce(): Promise<number>;
  /** Lag and pending entries per handler (for metrics). */
  groups(): Promise<StreamGroupState[]>;
};

type Entry = { id: string; fields: string[] };
type Parsed = Entry & { envelope: StreamEnvelope; raw: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const CLEANUP_LIMIT = 10_000;
const MAX_BACKOFF_MS = 5_000;
const TRIM_EVERY_MS = 5_000;

/** Stream entry ids ("ms-seq") in order. */
function compareEntryIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

/** Lost connections, timeouts and lock waits: the database may answer the same work later, so it is retried, not counted against the entry. */
function isTransientDbError(error: unknown): boolean {
  const e = error as { fatal?: boolean; code?: string; errno?: number };
  if (e.fatal === true) return true;
  if (e.errno !== undefined && [1040, 1205, 1213, 2006, 2013].includes(e.errno)) return true;
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT"].includes(e.code ?? "");
}

/**
 * The platform's Redis Streams consumer (DESIGN.md "Consuming streams"): consumer groups,
 * at-least-once delivery, each event applied once (its id recorded in consumed_events in the
 * handler's transaction), acknowledged only after commit, pending entries of dead consumers
 * reclaimed (XAUTOCLAIM), failing entries dead-lettered after maxDeliveries.
 */
export function createStreamConsumer(o: StreamConsumerOptions): StreamConsumer {
  const prefix = o.streamPrefix ?? "";
  const suffix = o.deadLetterSuffix ?? ":dead";
  const now = o.now ?? (() => new Date());
  const seenKeys = new Set<string>();
  for (const h of o.handlers) {
    const k = `${h.stream}\u0000${h.group}`;
    // Two handlers in one group would split its entries between them, each seeing only some.
    if (seenKeys.has(k)) throw new Error(`two stream handlers for ${h.stream} in group ${h.group}`);
    seenKeys.add(k);
  }
  const keyOf = (h: StreamHandler) => `${prefix}${h.stream}`;
  const wanted = (h: StreamHandler, e: StreamEnvelope) => !h.types || h.types.includes(e.type);

  let running = false;
  // Set by stop(): entries not started yet are handed back rather than begun (drainOnce never sets it).
  let stopRequested = false;
  let stopping: AbortController | undefined;
  const loops: Promise<void>[] = [];
  const readers: Redis[] = [];
  let cleanupTimer: NodeJS.Timeout | undefined;

  /** A backoff that stop() cuts short. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const signal = stopping?.signal;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    });

  /**
   * From the start of what the stream retains ("0"), not only what arrives later ("$"): a group
   * added to a stream that already holds events (a new feature, a first deployment) applies them
   * too, and applying one twice is harmless (dedupe). MKSTREAM: a stream nobody wrote yet is fine.
   */
  async function ensureGroup(h: StreamHandler): Promise<void> {
    try {
      await o.redis.xgroup("CREATE", keyOf(h), h.group, "0", "MKSTREAM");
    } catch (error) {
      if (!String((error as Error).message).startsWith("BUSYGROUP")) throw error;
    }
  }

  async function ack(h: StreamHandler, ids: string[]): Promise<void> {
    if (ids.length > 0) await o.redis.xack(keyOf(h), h.group, ...ids);
  }

  /** Dead letter and acknowledgement in one MULTI: the entry is in exactly one of the two places. */
  async function deadLetter(h: StreamHandler, entry: Entry, raw: string, reason: DeadLetterReason, error: string, deliveries: number): Promise<void> {
    const key = keyOf(h);
    const results = await o.redis
      .multi()
      .xadd(`${key}${suffix}`, "*", "event", raw, "error", error, "reason", reason, "deliveries", String(deliveries), "group", h.group, "stream", key, "entryId", entry.id, "consumer", o.consumerName, "deadAt", now().toISOString())
      .xack(key, h.group, entry.id)
      .exec();
    const failed = results?.find(([e]) => e);
    if (failed) throw failed[0];
    o.log.warn({ stream: key, group: h.group, entryId: entry.id, reason, deliveries, err: maskPii(error) }, "stream entry dead-lettered");
    o.metrics?.deadLettered?.(h.stream, h.group, reason);
  }

  const runOne = (h: StreamHandler, envelope: StreamEnvelope, ctx: StreamMessageContext) =>
    h.handle ? h.handle(envelope, ctx) : h.handleBatch!([envelope], { trx: ctx.trx, afterCommit: ctx.afterCommit });

  async function runAfterCommit(h: StreamHandler, fns: (() => Promise<void> | void)[]): Promise<void> {
    for (const fn of fns) {
      try {
        await fn();
      } catch (error) {
        o.log.warn({ stream: keyOf(h), group: h.group, err: maskPii(describeError(error)) }, "a stream handler's after-commit step failed");
      }
    }
  }

  /**
   * One entry in its own transaction. A transient database error is retried here with backoff
   * (an outage must not use up deliveries); a handler's error leaves the entry pending, to be
   * reclaimed after claimIdleMs, until its last delivery dead-letters it.
   */
  async function processOne(h: StreamHandler, entry: Entry, deliveries: number): Promise<void> {
    const parsed = parseStreamEntry(entry.fields);
    if (!parsed.ok) return deadLetter(h, entry, parsed.raw, "unparseable", parsed.reason, deliveries);
    const { envelope } = parsed;
    if (!wanted(h, envelope)) return ack(h, [entry.id]);
    for (let backoff = 100; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      let applied: boolean;
      const committed: (() => Promise<void> | void)[] = [];
      try {
        applied = await inTransaction(o.db, async (trx) => {
          committed.length = 0;
          if (!(await markConsumed(trx, h.group, { eventId: envelope.id, tenantId: envelope.tenantId }, now()))) return false;
          await runOne(h, envelope, { trx, deliveries, entryId: entry.id, afterCommit: (fn) => committed.push(fn) });
          return true;
        });
      } catch (error) {
        if (error instanceof DeadLetterError) return deadLetter(h, entry, parsed.raw, "rejected", error.message, deliveries);
        if (isTransientDbError(error)) {
          if (stopRequested) return;
          o.log.warn({ stream: keyOf(h), group: h.group, err: describeError(error) }, "database unavailable to a stream handler; retrying");
          await sleep(backoff);
          continue;
        }
        if (deliveries >= o.maxDeliveries) return deadLetter(h, entry, parsed.raw, "poison", describeError(error), deliveries);
        o.log.warn({ stream: keyOf(h), group: h.group, entryId: entry.id, deliveries, err: maskPii(describeError(error)) }, "stream handler failed; the entry stays pending");
        o.metrics?.failed?.(h.stream, h.group);
        return;
      }
      // After commit: a failed XACK only means a redelivery, which the consumed row turns into a skip.
      await runAfterCommit(h, committed);
      await ack(h, [entry.id]);
      if (applied) o.metrics?.processed?.(h.stream, h.group, 1);
      return;
    }
  }

  /** Fresh entries through handleBatch in one transaction; anything unexpected falls back to one at a time. */
  async function processBatch(h: StreamHandler & { handleBatch: NonNullable<StreamHandler["handleBatch"]> }, entries: Entry[]): Promise<void> {
    let batch: Parsed[] = [];
    const skipped: string[] = [];
    for (const entry of entries) {
      const parsed = parseStreamEntry(entry.fields);
      if (!parsed.ok) await deadLetter(h, entry, parsed.raw, "unparseable", parsed.reason, 1);
      else if (!wanted(h, parsed.envelope)) skipped.push(entry.id);
      else batch.push({ ...entry, envelope: parsed.envelope, raw: parsed.raw });
    }
    await ack(h, skipped);
    for (let backoff = 100; batch.length > 0; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      let applied: number;
      const committed: (() => Promise<void> | void)[] = [];
      try {
        applied = await inTransaction(o.db, async (trx) => {
          committed.length = 0;
          const fresh = await markConsumedBatch(
            trx,
            h.group,
            batch.map((p) => ({ eventId: p.envelope.id, tenantId: p.envelope.tenantId, envelope: p.envelope })),
            now(),
          );
          if (fresh.length > 0) await h.handleBatch(fresh.map((f) => f.envelope), { trx, afterCommit: (fn) => committed.push(fn) });
          return fresh.length;
        });
      } catch (error) {
        const rejected = error instanceof DeadLetterError && error.eventId !== undefined ? batch.find((p) => p.envelope.id === error.eventId) : undefined;
        if (rejected) {
          await deadLetter(h, rejected, rejected.raw, "rejected", (error as Error).message, 1);
          batch = batch.filter((p) => p !== rejected);
          continue;
        }
        if (isTransientDbError(error)) {
          if (stopRequested) return;
          o.log.warn({ stream: keyOf(h), group: h.group, err: describeError(error) }, "database unavailable to a stream handler; retrying");
          await sleep(backoff);
          continue;
        }
        for (const [i, p] of batch.entries()) {
          if (stopRequested) return release(h, batch.slice(i));
          await processOne(h, p, 1);
        }
        return;
      }
      await runAfterCommit(h, committed);
      await ack(h, batch.map((p) => p.id));
      if (applied > 0) o.metrics?.processed?.(h.stream, h.group, applied);
      return;
    }
  }

  /** Entries read but not started when stopping: made reclaimable at once (idle = claimIdleMs) without counting a delivery (JUSTID). */
  async function release(h: StreamHandler, entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    await o.redis.xclaim(keyOf(h), h.group, o.consumerName, 0, ...entries.map((e) => e.id), "IDLE", o.claimIdleMs, "JUSTID");
  }

  async function settle(h: StreamHandler, entries: Entry[]): Promise<void> {
    if (h.handleBatch && entries.length > 1) return processBatch(h as Parameters<typeof processBatch>[0], entries);
    for (const [i, entry] of entries.entries()) {
      if (stopRequested) return release(h, entries.slice(i));
      await processOne(h, entry, 1);
    }
  }

  /** New entries for this consumer; BLOCK only when a wait is wanted (the loop's own connection). */
  async function readNew(h: StreamHandler, conn: Redis, blockMs: number | null): Promise<Entry[]> {
    const args: (string | number)[] = ["GROUP", h.group, o.consumerName, "COUNT", o.batchSize];
    if (blockMs !== null) args.push("BLOCK", blockMs);
    const res = (await conn.call("XREADGROUP", ...args, "STREAMS", keyOf(h), ">")) as [string, [string, string[]][]][] | null;
    return (res?.[0]?.[1] ?? []).map(([id, fields]) => ({ id, fields }));
  }

  /**
   * Takes over entries pending longer than claimIdleMs (a dead consumer's, or ones whose handler
   * failed) and settles them one at a time. XAUTOCLAIM counts the delivery; an entry already
   * delivered more than maxDeliveries times without completing (it kills its consumer, say) is
   * dead-lettered without running again. Returns how many it settled.
   */
  async function reclaim(h: StreamHandler): Promise<number> {
    const key = keyOf(h);
    let cursor = "0-0";
    let settled = 0;
    do {
      const [next, claimed] = (await o.redis.xautoclaim(key, h.group, o.consumerName, o.claimIdleMs, cursor, "COUNT", o.batchSize)) as [string, [string, string[] | null][]];
      cursor = next;
      const entries = claimed.filter((c): c is [string, string[]] => c[1] !== null).map(([id, fields]) => ({ id, fields }));
      if (entries.length === 0) continue;
      const counts = o.redis.pipeline();
      for (const e of entries) counts.xpending(key, h.group, e.id, e.id, 1);
      const deliveries = new Map(
        ((await counts.exec()) ?? []).flatMap(([error, rows]) => {
          if (error) throw error;
          return (rows as [string, string, number, number][]).map(([id, , , n]) => [id, Number(n)] as const);
        }),
      );
      for (const [i, entry] of entries.entries()) {
        if (stopRequested) {
          await release(h, entries.slice(i));
          return settled;
        }
        const n = deliveries.get(entry.id) ?? 1;
        if (n > o.maxDeliveries) {
          const parsed = parseStreamEntry(entry.fields);
          await deadLetter(h, entry, parsed.raw, "poison", `delivered ${n} times without completing`, n);
        } else {
          await processOne(h, entry, n);
        }
        settled++;
      }
    } while (cursor !== "0-0" && !stopRequested);
    return settled;
  }

  async function loop(h: StreamHandler, conn: Redis): Promise<void> {
    let groupReady = false;
    let lastClaimAt = 0;
    let lastTrimAt = 0;
    const claimEveryMs = Math.max(100, Math.min(o.claimIdleMs, 5_000));
    for (let backoff = 100; running; ) {
      try {
        if (!groupReady) {
          await ensureGroup(h);
          groupReady = true;
        }
        if (Date.now() - lastClaimAt >= claimEveryMs) {
          lastClaimAt = Date.now();
          await reclaim(h);
        }
        const entries = await readNew(h, conn, Math.min(o.blockMs, claimEveryMs));
        if (entries.length > 0) await settle(h, entries);
        if (h.trimAcknowledged && Date.now() - lastTrimAt >= TRIM_EVERY_MS) {
          lastTrimAt = Date.now();
          await trimAcknowledged(h);
        }
        backoff = 100;
      } catch (error) {
        if (!running) break;
        // The group was deleted (or the stream with it): create it again before the next read.
        if (String((error as Error).message).startsWith("NOGROUP")) groupReady = false;
        o.log.warn({ stream: keyOf(h), group: h.group, err: maskPii(describeError(error)), retryInMs: backoff }, "stream consumer failed; retrying");
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * Consumers long idle holding nothing: every restarted worker joins under a new name, so the group
   * would list the dead ones forever. A live one removed by mistake is re-added by its next read.
   */
  async function forgetIdleConsumers(h: StreamHandler): Promise<void> {
    const consumers = (await o.redis.xinfo("CONSUMERS", keyOf(h), h.group)) as (string | number)[][];
    for (const fields of consumers) {
      const c = Object.fromEntries(fields.flatMap((v, i, a) => (i % 2 === 0 ? [[String(v), a[i + 1]]] : [])));
      if (c.name !== o.consumerName && Number(c.pending) === 0 && Number(c.idle) > (o.forgetConsumersIdleMs ?? DAY_MS)) await o.redis.xgroup("DELCONSUMER", keyOf(h), h.group, String(c.name));
    }
  }

  /**
   * Trims below the oldest entry some group still needs: its oldest pending entry, or past its last
   * delivered one. Every group's position counts (not only this handler's), and trimming stays below
   * each last-delivered id, so Redis keeps reporting each group's lag.
   */
  async function trimAcknowledged(h: StreamHandler): Promise<void> {
    const key = keyOf(h);
    const infos = ((await o.redis.xinfo("GROUPS", key)) as (string | number | null)[][]).map((fields) => Object.fromEntries(fields.flatMap((v, i, a) => (i % 2 === 0 ? [[String(v), a[i + 1]]] : []))));
    let floor: string | undefined;
    for (const g of infos) {
      let needed = String(g["last-delivered-id"]);
      if (Number(g.pending) > 0) {
        const [, oldest] = (await o.redis.xpending(key, String(g.name))) as [number, string | null, string | null, unknown];
        if (oldest) needed = oldest;
      }
      if (floor === undefined || compareEntryIds(needed, floor) < 0) floor = needed;
    }
    if (floor && floor !== "0-0") await o.redis.xtrim(key, "MINID", "~", floor);
  }

  async function cleanup(): Promise<void> {
    const before = new Date(now().getTime() - (o.consumedRetentionMs ?? 30 * DAY_MS));
    try {
      while (running && (await deleteConsumedBefore(o.db, before, CLEANUP_LIMIT)) === CLEANUP_LIMIT);
      // Before a handler's first read its group may not exist yet (NOGROUP): nothing to forget then.
      for (const h of o.handlers) await forgetIdleConsumers(h).catch(() => undefined);
    } catch (error) {
      o.log.warn({ err: describeError(error) }, "could not delete old consumed event ids; next round retries");
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopRequested = false;
      stopping = new AbortController();
      for (const h of o.handlers) {
        // Its own connection: a blocking XREADGROUP holds the connection it waits on.
        const conn = o.redis.duplicate();
        conn.on("error", () => undefined);
        readers.push(conn);
        loops.push(loop(h, conn));
      }
      cleanupTimer = setInterval(() => void cleanup(), o.cleanupIntervalMs ?? 60 * 60 * 1000);
      cleanupTimer.unref();
      void cleanup();
    },
    async stop() {
      if (!running) return;
      running = false;
      stopRequested = true;
      clearInterval(cleanupTimer);
      stopping?.abort();
      // Ends the blocking reads at once; the entries already in hand finish on the shared connection.
      for (const conn of readers) conn.disconnect();
      await Promise.all(loops);
      loops.length = 0;
      readers.length = 0;
    },
    async drainOnce() {
      let total = 0;
      for (const h of o.handlers) {
        await ensureGroup(h);
        total += await reclaim(h);
        for (let entries = await readNew(h, o.redis, null); entries.length > 0; entries = await readNew(h, o.redis, null)) {
          await settle(h, entries);
          total += entries.length;
        }
        if (h.trimAcknowledged) await trimAcknowledged(h);
      }
      return total;
    },
    async groups() {
      return Promise.all(
        o.handlers.map(async (h): Promise<StreamGroupState> => {
          const key = keyOf(h);
          const infos = (await o.redis.xinfo("GROUPS", key).catch(() => [])) as (string | number | null)[][];
          const info = infos.map((fields) => Object.fromEntries(fields.flatMap((v, i, a) => (i % 2 === 0 ? [[String(v), a[i + 1]]] : [])))).find((g) => g.name === h.group);
          if (!info) return { stream: h.stream, group: h.group, lag: null, lagSeconds: 0, pending: 0 };
          const [next] = (await o.redis.xrange(key, `(${String(info["last-delivered-id"])}`, "+", "COUNT", 1)) as [string, string[]][];
          const lagSeconds = next ? Math.max(0, (Date.now() - Number(next[0].split("-")[0])) / 1000) : 0;
          return { stream: h.stream, group: h.group, lag: info.lag === null || info.lag === undefined ? null : Number(info.lag), lagSeconds, pending: Number(info.pending ?? 0) };
        }),
      );
    },
  };
}
