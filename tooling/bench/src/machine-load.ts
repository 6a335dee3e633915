import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

/**
 * CPU time used by processes other than the benchmark's own (this process, its children, MariaDB,
 * Redis) while a scenario runs: on a small shared machine, a test run or a build next to the
 * benchmark skews every figure. Linux only (/proc); elsewhere it reports nothing.
 */

type Snapshot = { total: number; busy: number; ours: number };

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in clock ticks. */
function processTicks(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  // Fields after the parenthesised command name, which may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Every process's parent, from /proc/<pid>/stat. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const d of readdirSync("/proc")) {
      if (!/^\d+$/.test(d)) continue;
      const stat = read(`/proc/${d}/stat`);
      if (stat) out.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    }
  } catch {
    // not Linux
  }
  return out;
}

/** A process's children, their children and so on (node:cluster workers of the API and the baseline). */
export function descendants(pid: number): number[] {
  const parentOf = parents();
  const found: number[] = [];
  let level = [pid];
  while (level.length) {
    level = [...parentOf].filter(([, parent]) => level.includes(parent)).map(([child]) => child);
    found.push(...level);
  }
  return found;
}

/** os.loadavg() as "1.02 0.87 0.65 (1, 5, 15 min)". */
export const loadAverage = () => `${os.loadavg().map((v) => v.toFixed(2)).join(" ")} (1, 5, 15 min; ${os.cpus().length} CPUs)`;

function pidsNamed(names: string[]): number[] {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => names.includes(read(`/proc/${d}/comm`)?.trim() ?? ""))
      .map(Number);
  } catch {
    return [];
  }
}

function snapshot(pids: number[]): Snapshot | undefined {
  const line = read("/proc/stat")?.split("\n")[0];
  if (!line?.startsWith("cpu ")) return undefined;
  const t = line.trim().split(/\s+/).slice(1).map(Number);
  const total = t.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (t[3] ?? 0) + (t[4] ?? 0);
  return { total, busy: total - idle, ours: pids.reduce((sum, pid) => sum + processTicks(pid), 0) };
}

/** Starts measuring; the returned function gives the others' share of all CPUs since then (0..1). */
export function watchOtherLoad(ownPids: number[]): () => number | undefined {
  // The bench's children and theirs (cluster workers) count as ours.
  const pids = [...new Set([process.pid, ...ownPids, ...descendants(process.pid), ...pidsNamed(["mariadbd", "mysqld", "redis-server"])])];
  const start = snapshot(pids);
  return () => {
    const end = snapshot(pids);
    if (!start || !end || end.total <= start.total) return undefined;
    return Math.max(0, end.busy - start.busy - (end.ours - start.ours)) / (end.total - start.total);
  };
}
