import { setTimeout as sleep } from "node:timers/promises";
import { TOPICS, type EventEnvelope, type Topic } from "@clientele/domain";
import type { Logger } from "@clientele/telemetry";
import { Redis } from "ioredis";

/** An event as a live subscriber gets it: the envelope and its entry id in the topic's stream (the resume point). */
export type StreamEvent = { streamId: string; envelope: EventEnvelope };

/** The hub closed (shutdown) or a subscriber fell too far behind: it should reconnect and resume. */
export class LiveStreamInterrupted extends Error {
  override readonly name = "LiveStreamInterrupted";
}

export type EventHub = {
  /**
   * The topic's events after `after` (a stream entry id; absent: from now) that `accept` keeps, each
   * once and in stream order: first what Redis still holds after that id, then live. The first item
   * is `{ ready: id }`: the position the subscriber is live from (events after it will come).
   */
  events: (topic: Topic, o: { tenantId: string; after?: string; signal?: AbortSignal; accept: (e: EventEnvelope) => boolean }) => AsyncGenerator<StreamEvent | { ready: string }>;
  /** Aborted when the hub closes: other live streams (job progress) end with it. */
  shutdown: AbortSignal;
  close: () => Promise<void>;
};

/** Entries per XREAD/XRANGE call. */
const PAGE = 500;
/** How long one XREAD waits for entries: bounds how late close() is noticed. */
const BLOCK_MS = 2000;
/** A resume replays at most this far back, so a stale or forged id cannot make the process scan a whole stream. */
export const RESUME_WINDOW_MS = 10 * 60_000;
/** Live events waiting for one slow subscriber; beyond it the subscriber is cut off and resumes from Redis. */
const MAX_QUEUED = 1000;

export const STREAM_ID = /^\d{1,15}-\d{1,15}$/;

const compareIds = (a: string, b: string) => {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
};

type Entry = [id: string, fields: string[]];

/** The tenant the relay wrote beside the event, read without parsing it; null when the entry has none. */
function tenantOf(fields: string[]): string | null {
  const at = fields.indexOf("tenantId");
  return at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? null) : null;
}

function parseEntry([id, fields]: Entry): StreamEvent | null {
  const at = fields.indexOf("event");
  if (at < 0 || at % 2 !== 0) return null;
  try {
    return { streamId: id, envelope: JSON.parse(fields[at + 1]!) as EventEnvelope };
  } catch {
    return null;
  }
}

type Subscriber = { push: (e: StreamEvent) => void; interrupt: (reason: string) => void };

/**
 * Live updates' reader of the event streams, one per API process: one blocking XREAD connection
 * (plus one for resume reads, which must not queue behind it) follows every topic from where it
 * started and fans entries out in memory to this process's subscribers. It keeps no state a
 * reconnect needs: a subscriber resumes from its last stream id, read back from Redis, on
 * whichever process it reaches. Not a consumer group: every process needs every entry.
 * Opened on the first subscription, so processes nobody subscribes to hold no extra connections.
 */
export function createEventHub(o: { redisUrl: string; streamPrefix: string; log: Logger }): EventHub {
  const keyOf = (topic: Topic) => `${o.streamPrefix}${topic}`;
  const subscribers = new Map<string, Set<Subscriber>>(TOPICS.map((t) => [keyOf(t), new Set()]));
  let started: Promise<{ reader: Redis; commands: Redis }> | undefined;
  let loop: Promise<void> | undefined;
  let closed = false;
  const shutdown = new AbortController();

  const connect = () => {
    const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null, connectTimeout: 2000 });
    redis.on("error", (error) => o.log.debug({ err: error.message }, "live updates: redis error"));
    return redis;
  };

  const head = async (redis: Redis, key: string) => ((await redis.xrevrange(key, "+", "-", "COUNT", 1))[0]?.[0] as string | undefined) ?? "0-0";

  async function follow(reader: Redis, cursors: Map<string, string>) {
    const keys = [...cursors.keys()];
    while (!closed) {
      try {
        const batch = (await reader.xread("COUNT", PAGE, "BLOCK", BLOCK_MS, "STREAMS", ...keys, ...keys.map((k) => cursors.get(k)!))) as [string, Entry[]][] | null;
        for (const [key, entries] of batch ?? []) {
          cursors.set(key, entries.at(-1)?.[0] ?? cursors.get(key)!);
          // Parsed only for a topic someone here listens to.
          const listening = subscribers.get(key);
          if (!listening?.size) continue;
          for (const entry of entries) {
            const event = parseEntry(entry);
            if (event) for (const s of listening) s.push(event);
          }
        }
      } catch (error) {
        if (closed) return;
        o.log.warn({ err: (error as Error).message }, "live updates: reading the event streams failed; retrying");
        await sleep(1000);
      }
    }
  }

  let connections: { reader: Redis; commands: Redis } | undefined;
  const start = () =>
    (started ??= (async () => {
      const c = (connections = { reader: connect(), commands: connect() });
      const cursors = new Map<string, string>();
      for (const key of subscribers.keys()) cursors.set(key, await head(c.commands, key));
      loop = follow(c.reader, cursors);
      return c;
    })().catch((error: unknown) => {
      // A failed first read (Redis down or refusing) must not leave this process without live updates: the next subscriber tries again.
      connections?.reader.disconnect();
      connections?.commands.disconnect();
      connections = undefined;
      started = undefined;
      throw error;
    }));

  async function* events(topic: Topic, { tenantId, after, signal, accept }: Parameters<EventHub["events"]>[1]): AsyncGenerator<StreamEvent | { ready: string }> {
    if (closed) throw new LiveStreamInterrupted("the server is shutting down");
    const { commands } = await start();
    const key = keyOf(topic);
    const floor = `${Date.now() - RESUME_WINDOW_MS}-0`;
    // Read before subscribing: an entry landing in between is after this id, so the backlog read has it.
    // A resume id past the stream's head (forged, or from a stream since reset) would skip every later event: it starts at the head.
    const now = await head(commands, key);
    let last = after && STREAM_ID.test(after) ? (compareIds(after, floor) < 0 ? floor : compareIds(after, now) > 0 ? now : after) : now;
    const queue: StreamEvent[] = [];
    let interrupted: string | null = null;
    let wake: (() => void) | null = null;
    const subscriber: Subscriber = {
      push(e) {
        if (queue.length >= MAX_QUEUED) interrupted = "this subscriber fell behind";
        else queue.push(e);
        wake?.();
      },
      interrupt(reason) {
        interrupted = reason;
        wake?.();
      },
    };
    const onAbort = () => wake?.();
    subscribers.get(key)!.add(subscriber);
    signal?.addEventListener("abort", onAbort);
    try {
      for (;;) {
        const page = (await commands.xrange(key, `(${last}`, "+", "COUNT", PAGE)) as Entry[];
        for (const entry of page) {
          last = entry[0];
          // Other tenants' entries are skipped unparsed: a resume reads the whole topic's window.
          const owner = tenantOf(entry[1]);
          if (owner !== null && owner !== tenantId) continue;
          const event = parseEntry(entry);
          if (event && accept(event.envelope)) yield event;
        }
        if (page.length < PAGE) break;
      }
      yield { ready: last };
      while (!signal?.aborted) {
        if (interrupted) throw new LiveStreamInterrupted(interrupted);
        const event = queue.shift();
        if (!event) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        // The backlog read may already have delivered what was queued meanwhile.
        if (compareIds(event.streamId, last) <= 0) continue;
        last = event.streamId;
        if (accept(event.envelope)) yield event;
      }
    } finally {
      subscribers.get(key)!.delete(subscriber);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  return {
    events,
    shutdown: shutdown.signal,
    async close() {
      if (closed) return;
      closed = true;
      shutdown.abort();
      for (const set of subscribers.values()) for (const s of set) s.interrupt("the server is shutting down");
      // The blocked XREAD ends with the connection; the loop sees `closed` and stops.
      connections?.reader.disconnect();
      await loop;
      connections?.commands.disconnect();
    },
  };
}
