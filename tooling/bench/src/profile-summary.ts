/**
 * Top frames of a V8 .cpuprofile: self time by function, inclusive time by function (the share
 * of samples with it anywhere on the stack) and self time by package, so a profile taken by
 * `pnpm bench --profile` can be read in a terminal and pasted into a note.
 * `pnpm --filter @clientele/bench exec tsx src/profile-summary.ts FILE [--top N]` prints one.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** `ioredis`, `@trpc/server`, `node:internal`, `(gc)` or the repository path of our own code. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const repo = /\/(apps|packages|tooling)\/([^/]+)\//.exec(url);
  return repo ? `${repo[1]}/${repo[2]}` : url;
}

function frameName(f: CallFrame): string {
  const file = f.url ? f.url.replace(/^.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, "").replace(/^file:\/\/.*?\/(apps|packages|tooling)\//, "$1/") : "";
  return `${f.functionName || "(anonymous)"}${file ? ` ${file}:${f.lineNumber + 1}` : ""}`;
}

export function summarize(profile: CpuProfile, top = 15): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  const stacks = new Map<number, string[]>();
  const stackOf = (id: number): string[] => {
    let s = stacks.get(id);
    if (!s) {
      const names = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = byId.get(at)!.callFrame;
        if (f.url || !f.functionName.startsWith("(")) names.add(frameName(f));
      }
      s = [...names];
      stacks.set(id, s);
    }
    return s;
  };
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") {
      idle += dt;
      return;
    }
    total += dt;
    const name = frameName(f);
    self.set(name, (self.get(name) ?? 0) + dt);
    const pkg = packageOf(f.url, f.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + dt);
    for (const s of stackOf(id)) inclusive.set(s, (inclusive.get(s) ?? 0) + dt);
  });
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)}%`;
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)}  ${k}`)
      .join("\n");
  return [
    `busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (shares below are of busy time)`,
    `self time by package:\n${list(packages, 12)}`,
    `self time by function:\n${list(self, top)}`,
    `inclusive time by function (on the stack):\n${list(inclusive, top + 10)}`,
  ].join("\n");
}

export function summarizeFile(file: string, top?: number): string {
  return summarize(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, top);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, flag, n] = process.argv.slice(2).filter((a) => a !== "--");
  if (!file) {
    console.error("usage: profile-summary FILE [--top N]");
    process.exit(2);
  }
  console.log(summarizeFile(file, flag === "--top" ? Number(n) : undefined));
}
