// Initial JavaScript of the customers screen, gzipped: the entry chunk, the customers route's chunk,
// and every chunk either imports statically (what the browser must load before the list renders).
// Reads the Vite manifest of the build `pnpm perf` just made. Target: ≤ 250 kB.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

type Chunk = { file: string; name?: string; isEntry?: boolean; isDynamicEntry?: boolean; imports?: string[]; dynamicImports?: string[]; src?: string };
const dist = join(import.meta.dirname, "..", "dist");
const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8")) as Record<string, Chunk>;
const TARGET_KB = 250;

function closure(keys: string[], seen = new Set<string>()): Set<string> {
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    closure(manifest[key]?.imports ?? [], seen);
  }
  return seen;
}

const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
// A route chunk that also holds modules its own lazy chunks share (e.g. the export dialog's) is keyed
// by its file name ("_customers-page-….js") rather than its source: found by either.
const screen = Object.keys(manifest).find((k) => k.endsWith("features/customers/customers-page.tsx") || (manifest[k]!.name === "customers-page" && manifest[k]!.isDynamicEntry));
if (!entry || !screen) throw new Error("manifest has no entry or no customers-page chunk: is the build current?");

const gz = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const files = [...closure([entry, screen])].map((k) => manifest[k]!.file);
let total = 0;
for (const file of files) {
  const size = gz(file);
  total += size;
  console.log(`  ${(size / 1024).toFixed(1).padStart(7)} kB  ${file}`);
}
const kb = total / 1024;
console.log(`customers screen initial JS (gzip): ${kb.toFixed(1)} kB (target ≤ ${TARGET_KB} kB) ${kb <= TARGET_KB ? "OK" : "OVER"}`);
if (kb > TARGET_KB) process.exitCode = 1;
