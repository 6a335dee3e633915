import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Router, type Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { devOnlyRoutes } from "../src/rest/dev-sign-in-routes";
import { startTestServer, type TestServer } from "./harness";

const run = promisify(execFile);
const apiDir = join(import.meta.dirname, "..");

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; example?: unknown }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }> } };

let server: TestServer;
let doc: Doc;
beforeAll(async () => {
  server = await startTestServer();
  doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Doc;
});
afterAll(() => server?.close());

const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));

/** `METHOD /path` for every route an express app serves under /api/v1 (the docs page and the document itself aside). */
function servedRoutes(app: Express): string[] {
  type Layer = { rawPath?: string; route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[]; servedRoutes?: string[] } };
  const out: string[] = [];
  const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");
  for (const layer of (app as unknown as { router: { stack: Layer[] } }).router.stack) {
    if (layer.rawPath !== "/api/v1") continue;
    // The procedures' dispatcher (a find-my-way tree) lists its own routes.
    for (const route of layer.handle.servedRoutes ?? []) {
      if (devOnlyRoutes.includes(route)) continue; // development sign-in: absent in production, no part of the contract
      const [method, path] = route.split(" ") as [string, string];
      out.push(`${method} ${openApiPath(path)}`);
    }
    for (const inner of layer.handle.stack ?? []) {
      if (!inner.route) continue;
      for (const method of Object.keys(inner.route.methods)) out.push(`${method.toUpperCase()} ${openApiPath(inner.route.path)}`);
    }
  }
  return out.sort();
}

const documentedRoutes = () => operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort();

describe("the OpenAPI document", () => {
  it("passes redocly lint (recommended rules) with zero errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clientele-openapi-"));
    try {
      const file = join(dir, "openapi.json");
      writeFileSync(file, JSON.stringify(doc, null, 2));
      const lint = (format: string) =>
        run(join(apiDir, "node_modules/.bin/redocly"), ["lint", "--config", join(apiDir, "redocly.yaml"), `--format=${format}`, file], {
          cwd: apiDir,
          env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        }).catch((error: { stdout: string; stderr: string }) => error);
      const { stdout } = await lint("json");
      const result = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string }[] };
      const errors = result.problems.filter((p) => p.severity === "error").map((p) => `${p.ruleId}: ${p.message}`);
      expect(errors).toEqual([]);
      expect(result.totals.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("documents exactly the routes the app serves under /api/v1", () => {
    expect(documentedRoutes()).toEqual(servedRoutes(createApp(server.deps)));
  });

  it("notices a route served without documentation", () => {
    const app = createApp(server.deps);
    const extra = Router();
    extra.get("/undocumented/:id", (_req, res) => void res.end());
    app.use("/api/v1", extra);
    const served = servedRoutes(app);
    expect(served.filter((r) => !documentedRoutes().includes(r))).toEqual(["GET /undocumented/{id}"]);
  });

  it("gives every operation an id, a summary, a tag, its security and examples", () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[A-Za-z][\w-]*$/);
      expect(op.summary, where).toBeTruthy();
      expect(op.tags?.length, where).toBeGreaterThan(0);
      const unauthenticated = /^\/(webhooks|public)\/|^\/files\/download$/.test(path);
      expect(op.security, where).toEqual(unauthenticated ? [] : [{ bearerAuth: [] }]);
      for (const p of op.parameters ?? []) expect(p.example, `${where} parameter ${p.name}`).toBeDefined();
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) expect(media.example, `${where} request ${type}`).toBeDefined();
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (type !== "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") expect(media.example, `${where} ${status} ${type}`).toBeDefined();
        }
      }
    }
  });

  it("answers every error as problem+json and declares the statuses the API answers", () => {
    const resolve = (r: Operation["responses"][string]) => (r.$ref ? doc.components.responses[r.$ref.split("/").pop()!]! : r);
    for (const { method, path, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const content = resolve(response).content ?? {};
        expect(Object.keys(content), `${where} ${status}`).toEqual(["application/problem+json"]);
        expect(content["application/problem+json"]!.schema?.$ref, `${where} ${status}`).toBe("#/components/schemas/Problem");
      }
      const statuses = Object.keys(op.responses);
      if (op.security?.length) expect(statuses, where).toEqual(expect.arrayContaining(["401", "403", "429"]));
      if (!path.startsWith("/webhooks/")) expect(statuses, where).toContain("429");
      if (/\{\w+\}/.test(path) && op.security?.length) expect(statuses, where).toContain("404");
      // Versioned updates: the If-Match header and the 409 it leads to go together.
      const ifMatch = (op.parameters ?? []).some((p) => p.in === "header" && p.name === "If-Match");
      if (ifMatch) expect(statuses, where).toContain("409");
    }
    const status = (method: string, path: string) => Object.keys(doc.paths[path]![method]!.responses).filter((s) => Number(s) < 400);
    expect(status("post", "/customers")).toEqual(["201"]);
    expect(status("delete", "/customers/{customerId}/contacts/{contactId}")).toEqual(["204"]);
    expect(status("post", "/customers/contacts/export")).toEqual(["200", "202"]);
    expect(status("post", "/customers/contacts/import")).toEqual(["200", "202"]);
    const versioned = ["/customers/{id}/profile", "/templates/{templateId}", "/customers/{customerId}/complaints/{complaintId}/status"];
    for (const path of versioned) expect(doc.paths[path]!.put!.parameters!.map((p) => p.name), path).toContain("If-Match");
  });
});
