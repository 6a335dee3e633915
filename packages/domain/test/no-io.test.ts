import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The domain decides; it never talks to a database, a queue or the network (DESIGN.md).
const FORBIDDEN = /^(kysely|mysql2|ioredis|bullmq|express|@trpc\/|nodemailer|twilio|pino|(node:)?(fs|net|http|https|child_process|dgram|dns|tls))(\/|$)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("packages/domain", () => {
  it("imports no I/O library", () => {
    const src = new URL("../src", import.meta.url).pathname;
    const offenders = sources(src).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)]
        .map((m) => m[1]!)
        .filter((spec) => FORBIDDEN.test(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it("declares no I/O dependency", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).filter((d) => FORBIDDEN.test(d))).toEqual([]);
  });
});
