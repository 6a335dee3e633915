import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTenant, rest, startTestServer, type TestServer } from "./harness";

const apiDir = fileURLToPath(new URL("..", import.meta.url));
const token = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/scripts/token.ts", ...args], { cwd: apiDir, encoding: "utf8", env: { ...process.env, NODE_ENV: "test" } });
  return { code: run.status, out: run.stdout, err: run.stderr };
};
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("pnpm token", () => {
  it("--help prints the usage and exits 0", () => {
    const { code, out, err } = token("--help");
    expect(code).toBe(0);
    expect(out).toContain("Usage: pnpm token [options]");
    expect(out).toContain("--tenant <id>");
    expect(out).toContain("MarketingManager");
    expect(err).toBe("");
  });

  it.each([["--bogus"], ["--role", "Wizard"], ["--expires", "soon"]])("%s is a usage error: exit 2, usage, no stack trace", (...args) => {
    const { code, out, err } = token(...args);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/^pnpm token: /);
    expect(err).toContain("Usage: pnpm token [options]");
    noStackTrace(err);
  });

  it("prints a token the API accepts, with the claims asked for", async () => {
    const tenant = newTenant();
    const { code, out } = token("--tenant", tenant, "--role", "Viewer,SalesRep", "--email", "sam@example.com");
    expect(code).toBe(0);
    const jwt = out.trim();
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));
    expect(claims).toMatchObject({ tid: tenant, roles: ["Viewer", "SalesRep"], email: "sam@example.com", sub: "dev-user" });
    expect((await rest(server.url, jwt).get("/customers/search")).status).toBe(200);
  });
});
