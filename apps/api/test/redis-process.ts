import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/**
 * A port free right now, drawn from below Linux's ephemeral range (32768–60999): a port handed
 * out for `listen(0)` could be given again to any other process binding port 0 (a worker's
 * metrics, another test's server) before the caller binds it; these ones never are.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer()
        .once("error", () => resolve(false))
        .listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** A private, real redis-server, so a test can stop it without disturbing the other files (on `port`: the one a stopped server had). */
export async function startRedis(port?: number): Promise<{ proc: ChildProcess; port: number; url: string }> {
  port ??= await freePort();
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  // Ready once it answers; ioredis keeps retrying until the server is listening.
  const probe = new Redis(port, "127.0.0.1", { retryStrategy: () => 20 });
  probe.on("error", () => undefined);
  await new Promise((resolve) => probe.once("ready", resolve));
  probe.disconnect();
  return { proc, port, url: `redis://127.0.0.1:${port}` };
}
