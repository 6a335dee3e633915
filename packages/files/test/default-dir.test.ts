import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { defaultFilesDir } from "../src/default-dir";

const root = mkdtempSync(join(tmpdir(), "clientele-default-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("defaultFilesDir", () => {
  it("is var/files of this repository when called from its source", () => {
    const repo = fileURLToPath(new URL("../../..", import.meta.url));
    expect(defaultFilesDir()).toBe(join(repo, "var", "files"));
  });

  it("finds the workspace root from a bundle's folder (apps/<app>/dist), not three folders up from it", () => {
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
    const dist = join(root, "apps", "api", "dist");
    mkdirSync(dist, { recursive: true });
    expect(defaultFilesDir(dist)).toBe(join(root, "var", "files"));
  });

  it("falls back to var/files under the working directory outside a checkout", () => {
    const outside = mkdtempSync(join(tmpdir(), "clientele-no-workspace-"));
    try {
      expect(defaultFilesDir(outside)).toBe(join(process.cwd(), "var", "files"));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
