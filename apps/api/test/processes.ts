import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const pids = () => readdirSync("/proc").filter((p) => /^\d+$/.test(p));

/** Processes whose environment holds `entry` (`NAME=value`): a spawned tree and whatever it left behind. */
export function processesWithEnv(entry: string): number[] {
  const found: number[] = [];
  for (const pid of pids()) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(entry)) found.push(Number(pid));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * The cluster workers a primary forked (node:cluster marks them with NODE_UNIQUE_ID), not other
 * children it may have, such as the esbuild service tsx starts to compile a file.
 */
export const clusterWorkersOf = (primary: number): number[] =>
  childrenOf(primary).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").some((e) => e.startsWith("NODE_UNIQUE_ID="));
    } catch {
      return false;
    }
  });

/** The live children of a process. */
export function childrenOf(parent: number): number[] {
  const found: number[] = [];
  for (const pid of pids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      // The fields after the command name (in parentheses, may hold spaces): state, ppid, ...
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === parent && state !== "Z") found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * Which of `candidates` holds the server side of each TCP connection to `serverPort` coming from
 * one of `clientPorts` (on this host): the connection's socket inode from /proc/net/tcp{,6},
 * matched against each candidate's open file descriptors. Unowned connections are left out.
 */
export function connectionOwners(candidates: number[], serverPort: number, clientPorts: number[]): Map<number, number> {
  const inodeOfClient = new Map<string, number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "latin1").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const local = parseInt(fields[1]!.split(":").at(-1)!, 16);
      const remote = parseInt(fields[2]!.split(":").at(-1)!, 16);
      if (local === serverPort && clientPorts.includes(remote)) inodeOfClient.set(fields[9]!, remote);
    }
  }
  const owners = new Map<number, number>();
  for (const pid of candidates) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        const client = inode === undefined ? undefined : inodeOfClient.get(inode);
        if (client !== undefined) owners.set(client, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return owners;
}
