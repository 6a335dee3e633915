import { build } from "esbuild";
import { describe, expect, it } from "vitest";

describe("@clientele/sdk bundle", () => {
  it("contains the tRPC client and none of the server's code", async () => {
    const result = await build({
      entryPoints: [new URL("../src/index.ts", import.meta.url).pathname],
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes("@trpc/client"))).toBe(true);
    const serverOnly = [/apps\/api\//, /packages\/(db|domain)\//, ...["kysely", "mysql2", "express", "ioredis", "pino", "zod"].map((p) => new RegExp(`/node_modules/${p}/`))];
    expect(inputs.filter((i) => serverOnly.some((re) => re.test(i)))).toEqual([]);
  });
});
