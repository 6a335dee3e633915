import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAppRouter } from "../src/http/admin-app";

// The router on its own, over a build folder of this test's making (the real build is the e2e suite's).
const dir = mkdtempSync(join(tmpdir(), "clientele-admin-build-"));
let server: ReturnType<express.Express["listen"]>;
let base: string;

beforeAll(async () => {
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>admin</title>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
  const app = express();
  app.use("/admin", adminAppRouter(dir)!);
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the built admin app under /admin", () => {
  it("answers client-side routes with index.html, never cached", async () => {
    for (const path of ["/", "/customers", "/customers/3f0c5e0e-1111-4222-8333-444455556666"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toContain("<title>admin</title>");
    }
  });

  it("serves hashed assets for a year, and a missing asset is a 404 (not index.html)", async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${base}/assets/gone.js`)).status).toBe(404);
  });

  it("is absent when the app has not been built", () => {
    expect(adminAppRouter(join(dir, "no-build-here"))).toBeNull();
  });
});
