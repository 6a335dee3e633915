import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";

// The SDK as a developer of another service gets it: packed, installed from the tarball into a
// project outside the monorepo (dependencies from the npm registry), type-checked by that project's
// own tsc settings and run by plain node.

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
// The pnpm running this test (it may have come through npx), else the one on the PATH.
const pnpm = process.env.npm_execpath?.includes("pnpm") ? [process.execPath, process.env.npm_execpath] : ["pnpm"];

let server: TestServer;
let consumer: string;
let tarball: string;

const CONFIGS = {
  NodeNext: { module: "NodeNext", moduleResolution: "NodeNext" },
  Bundler: { module: "Preserve", moduleResolution: "Bundler" },
} as const;

const GOOD = `import { createClient, isClienteleError, type RouterInputs, type RouterOutputs } from "@clientele/sdk";

const client = createClient({ url: "http://127.0.0.1:3000", getToken: async () => "token" });
const search: RouterInputs["customers"]["search"] = { query: "acme", type: ["Enterprise", "SmallBusiness"], pageSize: 20, page: 2, sort: ["companyName:asc"] };
export async function use(): Promise<string[]> {
  const page: RouterOutputs["customers"]["search"] = await client.customers.search.query(search);
  await client.communications.history.query({ customerId: "c", type: ["Email"], startDate: "2025-01-01T00:00:00Z", pageSize: 5 });
  await client.complaints.list.query({ customerId: "c", status: ["New", "Escalated"], priority: ["High"] });
  await client.testimonials.forCustomer.query({ customerId: "c", isPublic: true, status: "Approved" });
  await client.communications.logPhoneCall.mutate({ customerId: "c", phoneNumber: "+1", callType: "Inbound", durationInSeconds: 5, summary: "s", callTime: new Date().toISOString() });
  return page.items.map((c) => c.profile.companyName);
}
export const failed = (e: unknown) => (isClienteleError(e) ? e.data.fieldErrors : null);
`;

// Each line must fail to compile, with the message beside it.
const BAD: [string, RegExp][] = [
  [`client.customers.search.query({ pageSize: "20" });`, /Type 'string' is not assignable to type 'number'/],
  [`client.customers.search.query({ type: ["Spaceship"] });`, /Type '"Spaceship"' is not assignable to type '"\w+" \|/],
  [`client.complaints.list.query({ customerId: "c", status: "New" });`, /Type 'string' is not assignable to type '\("New" \| "InProgress"/],
  [`client.testimonials.forCustomer.query({ customerId: "c", isPublic: "true" });`, /Type 'string' is not assignable to type 'boolean/],
  [`client.communications.history.query({ customerId: "c", startDate: new Date() });`, /Type 'Date' is not assignable to type 'string'/],
  [`client.customers.get.query({ id: 1 });`, /Type 'number' is not assignable to type 'string'/],
];
const badSource = () =>
  `import { createClient } from "@clientele/sdk";\nconst client = createClient({ url: "http://127.0.0.1:3000" });\n${BAD.map(([line]) => line).join("\n")}\n`;

const CALL = (format: "esm" | "cjs") => `${format === "esm" ? 'import { createClient, isClienteleError } from "@clientele/sdk";' : 'const { createClient, isClienteleError } = require("@clientele/sdk");'}
const client = createClient({ url: process.env.API_URL, token: process.env.API_TOKEN });
(async () => {
  const created = await client.customers.create.mutate(JSON.parse(process.env.CUSTOMER));
  const found = await client.customers.search.query({ query: created.customerNumber, pageSize: 5 });
  let error = null;
  try { await client.customers.search.query({ pageSize: "20" }); } catch (e) { error = isClienteleError(e) ? e.data : String(e); }
  console.log(JSON.stringify({ number: created.customerNumber, found: found.items.map((c) => c.id), id: created.id, error }));
})();
`;

async function typecheck(config: keyof typeof CONFIGS, files: string[], listFiles = false) {
  const name = `tsconfig.${config}.json`;
  await writeFile(
    join(consumer, name),
    JSON.stringify({ compilerOptions: { ...CONFIGS[config], target: "ES2022", strict: true, noEmit: true, skipLibCheck: true, types: [] }, files }),
  );
  try {
    const { stdout } = await run(process.execPath, [tsc, "-p", name, ...(listFiles ? ["--listFiles"] : [])], { cwd: consumer });
    return { ok: true, output: stdout };
  } catch (error) {
    return { ok: false, output: (error as { stdout: string }).stdout };
  }
}

beforeAll(async () => {
  const packDir = await mkdtemp(join(tmpdir(), "clientele-sdk-pack-"));
  consumer = await mkdtemp(join(tmpdir(), "clientele-sdk-consumer-"));
  // Packing runs the package's build (prepack): router types generated, then tsdown.
  const [started] = await Promise.all([startTestServer(), run(pnpm[0]!, [...pnpm.slice(1), "pack", "--pack-destination", packDir], { cwd: sdkDir })]);
  server = started;
  tarball = join(packDir, (await readdir(packDir)).find((f) => f.endsWith(".tgz"))!);
  await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "sdk-consumer", private: true, type: "module" }));
  // Peers are left out on purpose: the consumer type-checks with its own tsc (the workspace's here).
  await run("npm", ["install", "--no-audit", "--no-fund", "--legacy-peer-deps", "--prefer-offline", tarball], { cwd: consumer });
  await Promise.all([
    writeFile(join(consumer, "good.ts"), GOOD),
    writeFile(join(consumer, "good.cts"), `import { createClient } from "@clientele/sdk";\nexport const client = createClient({ url: "http://x" });\n`),
    writeFile(join(consumer, "bad.ts"), badSource()),
    writeFile(join(consumer, "call.mjs"), CALL("esm")),
    writeFile(join(consumer, "call.cjs"), CALL("cjs")),
  ]);
}, 180_000);
afterAll(async () => {
  await server?.close();
  if (consumer) await rm(consumer, { recursive: true, force: true });
  if (tarball) await rm(dirname(tarball), { recursive: true, force: true });
});

describe("@clientele/sdk from its tarball, outside the monorepo", () => {
  it("holds only the built files and depends on nothing of ours", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    expect(stdout.trim().split("\n").sort()).toEqual(["package/dist/index.cjs", "package/dist/index.d.cts", "package/dist/index.d.ts", "package/dist/index.js", "package/package.json"]);
    const { stdout: installed } = await run("npm", ["ls", "--all", "--parseable"], { cwd: consumer }).catch((e: { stdout: string }) => e);
    const packages = installed.split("\n").filter((p) => p.includes("node_modules")).map((p) => p.slice(p.lastIndexOf("node_modules/") + 13));
    expect(packages.sort()).toEqual(["@clientele/sdk", "@trpc/client", "@trpc/server"]);
    for (const file of ["index.js", "index.cjs"]) {
      const code = await readFile(join(consumer, "node_modules/@clientele/sdk/dist", file), "utf8");
      const imports = [...code.matchAll(/(?:from |require\()"([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(imports), file).toEqual(new Set(["@trpc/client"]));
    }
  });

  for (const config of Object.keys(CONFIGS) as (keyof typeof CONFIGS)[]) {
    it(`type-checks right inputs under ${config}, compiling none of the server's code`, async () => {
      const { ok, output } = await typecheck(config, ["good.ts", ...(config === "NodeNext" ? ["good.cts"] : [])], true);
      expect(output.split("\n").filter((l) => l.includes("error TS")), output).toEqual([]);
      expect(ok).toBe(true);
      const compiled = output.split("\n").filter((f) => f.includes("/node_modules/") && !f.includes("/typescript/lib/"));
      expect(compiled.length).toBeGreaterThan(0);
      expect(compiled.filter((f) => !/\/node_modules\/(@clientele\/sdk\/dist|@trpc\/(client|server)\/dist)\//.test(f))).toEqual([]);
    });

    it(`rejects wrong inputs under ${config}`, async () => {
      const { ok, output } = await typecheck(config, ["bad.ts"]);
      expect(ok).toBe(false);
      const errors = output.split("\n").filter((l) => l.includes("error TS"));
      BAD.forEach(([line, message], i) => {
        const atLine = errors.filter((e) => e.startsWith(`bad.ts(${i + 3},`));
        expect(atLine.join("\n"), line).toMatch(message);
      });
      expect(errors).toHaveLength(BAD.length);
    });
  }

  for (const file of ["call.mjs", "call.cjs"]) {
    it(`calls the API with plain node (${file})`, async () => {
      const token = await server.token("CustomerManager", newTenant());
      const customer = {
        type: "Enterprise",
        companyName: "Packed Client AG",
        primaryEmail: "ops@packed.example",
        primaryPhone: "+41 44 668 18 00",
        billingAddress: { street: "Bahnhofstrasse 1", city: "Zürich", state: "ZH", zipCode: "8001", country: "CH" },
      };
      const { stdout } = await run(process.execPath, [file], { cwd: consumer, env: { ...process.env, API_URL: server.url, API_TOKEN: token, CUSTOMER: JSON.stringify(customer) } });
      const result = JSON.parse(stdout) as { number: string; found: string[]; id: string; error: { httpStatus: number; fieldErrors: Record<string, string[]> } };
      expect(result.number).toBe("CUS-000001");
      expect(result.found).toEqual([result.id]);
      expect(result.error).toMatchObject({ httpStatus: 400, fieldErrors: { pageSize: ["must be a number"] } });
    });
  }
});
