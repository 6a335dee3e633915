/**
 * Coalesces calls made while an earlier batch is still running into one batch, like a database's
 * group commit: at a trickle every call runs alone and at once (no added latency); under load the
 * calls that arrive during one round trip share the next. Each caller gets its own result or the
 * batch's error, and nothing resolves before its batch has finished.
 */
export function createBatcher<I, O>(run: (items: I[]) => Promise<O[]>, maxBatch: number): (item: I) => Promise<O> {
  let waiting: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (waiting.length) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(maxBatch);
      try {
        const out = await run(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    running = false;
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      // Started on the next turn, so the calls of one tick (jobs fetched together) share the first batch.
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
}
