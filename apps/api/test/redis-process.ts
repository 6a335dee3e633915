import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** A port free right now: bind an ephemeral one, note it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A private, real redis-server, so a test can stop it without disturbing the other files. */
export async function startRedis(): Promise<{ proc: ChildProcess; port: number; url: string }> {
  const port = await freePort();
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
