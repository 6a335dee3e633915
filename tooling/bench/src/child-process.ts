import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { childEnv } from "./env";

export type Child = { name: string; url: string; pid: number; alive: () => boolean; output: () => string; stop: () => Promise<void> };

const running = new Set<ChildProcess>();

// Children must not outlive the bench, whatever way it ends.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Runs a TypeScript entry point in its own Node process (tsx as a loader, so the pid we hold is
 * the server itself and a signal reaches it directly) and waits until `readyPath` answers 200.
 */
export async function startTsProcess(o: {
  name: string;
  entry: string;
  cwd: string;
  env: Record<string, string>;
  port: number;
  readyPath: string;
  /** For a process without HTTP: ready once it prints this line. */
  readyLine?: string;
  timeoutMs?: number;
  /** Node flags before the entry point (a preload, --cpu-prof). */
  nodeArgs?: string[];
}): Promise<Child> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), ...(o.nodeArgs ?? []), o.entry], {
    cwd: o.cwd,
    env: childEnv(o.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split("\n").filter(Boolean));
    if (output.length > 40) output.splice(0, output.length - 40);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exit = once(child, "exit").then(() => {
    exited = true;
    running.delete(child);
  });

  const url = `http://127.0.0.1:${o.port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${o.name} exited during start (code ${child.exitCode}):\n  ${output.join("\n  ")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${o.name} not ready after ${(o.timeoutMs ?? 60_000) / 1000} s:\n  ${output.join("\n  ")}`);
    }
    if (o.readyLine) {
      if (output.some((line) => line.includes(o.readyLine!))) break;
      await sleep(50);
      continue;
    }
    try {
      const res = await fetch(url + o.readyPath, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }

  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exit;
    clearTimeout(timer);
  };
  return { name: o.name, url, pid: child.pid ?? 0, alive: () => !exited, output: () => output.join("\n  "), stop };
}
