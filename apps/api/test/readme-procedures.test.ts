import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { appRouter } from "../src/trpc/router";

// The README's table of tRPC procedures is what TypeScript clients read first; it must not drift.
describe("README: tRPC procedures per router", () => {
  it("lists every procedure of every router, and none that does not exist", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### tRPC procedures, per router"));
    const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| router |")));
    const listed = new Set<string>();
    for (const row of table.split("\n").filter((l) => /^\| `\w+` \|/.test(l))) {
      const [router, queries, mutations] = row.split("|").slice(1, 4).map((c) => c.trim());
      const ns = router!.replaceAll("`", "");
      for (const m of `${queries} ${mutations}`.matchAll(/`(\w+)`/g)) listed.add(`${ns}.${m[1]}`);
    }
    const actual = Object.keys(appRouter._def.procedures).sort();
    expect([...listed].sort()).toEqual(actual);
  });
});
