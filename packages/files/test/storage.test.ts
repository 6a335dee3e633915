import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalDiskStorage, type FileStorage } from "../src/storage";

let root: string;
let storage: FileStorage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "files-storage-"));
  storage = createLocalDiskStorage(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const key = "contact-exports/tenant-a/0b6f7a1e-6f0e-4a43-9a35-1c1a3f1a9d11.csv";

describe("local disk storage", () => {
  it("puts a buffer and reads it back as a stream and a buffer", async () => {
    expect(await storage.put(key, Buffer.from("name\nAda\n"))).toEqual({ size: 9 });
    expect(await storage.exists(key)).toBe(true);
    expect(await text(await storage.get(key))).toBe("name\nAda\n");
    expect((await storage.readBuffer(key)).toString()).toBe("name\nAda\n");
  });

  it("puts a readable stream and an async iterable", async () => {
    await storage.put("a/stream.csv", Readable.from([Buffer.from("one,"), Buffer.from("two")]));
    async function* chunks() {
      yield new TextEncoder().encode("x");
      yield new TextEncoder().encode("yz");
    }
    expect(await storage.put("a/iterable.csv", chunks())).toEqual({ size: 3 });
    expect((await storage.readBuffer("a/stream.csv")).toString()).toBe("one,two");
    expect((await storage.readBuffer("a/iterable.csv")).toString()).toBe("xyz");
  });

  it("leaves no file behind when a put's source fails", async () => {
    async function* failing() {
      yield new TextEncoder().encode("partial");
      throw new Error("source broke");
    }
    await expect(storage.put("a/broken.csv", failing())).rejects.toThrow("source broke");
    expect(await storage.exists("a/broken.csv")).toBe(false);
    expect(await readdir(join(root, "a"))).toEqual([]);
  });

  it("makes a streamed file visible only when done() resolves", async () => {
    const { stream, done } = await storage.createWriteStream(key);
    stream.write("header\n");
    await new Promise((resolve) => stream.write("row 1\n", resolve));
    expect(await storage.exists(key)).toBe(false);
    await expect(storage.readBuffer(key)).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });

    expect(await done()).toEqual({ size: 13 });
    expect((await storage.readBuffer(key)).toString()).toBe("header\nrow 1\n");
    // Only the final file remains: the temp file was renamed, not copied.
    expect(await readdir(join(root, "contact-exports", "tenant-a"))).toEqual([key.split("/")[2]]);
  });

  it("keeps an existing file intact until the replacement is done", async () => {
    await storage.put(key, Buffer.from("old"));
    const { stream, done } = await storage.createWriteStream(key);
    stream.write("new content");
    expect((await storage.readBuffer(key)).toString()).toBe("old");
    await done();
    expect((await storage.readBuffer(key)).toString()).toBe("new content");
  });

  it("drops the partial file on abort", async () => {
    const { stream, abort, done } = await storage.createWriteStream(key);
    stream.write("half a file");
    await abort();
    expect(await storage.exists(key)).toBe(false);
    expect(await readdir(join(root, "contact-exports", "tenant-a"))).toEqual([]);
    await expect(done()).rejects.toThrow(/aborted/);
  });

  it("throws FILE_NOT_FOUND for a missing file on get and readBuffer", async () => {
    await expect(storage.get("contact-exports/tenant-a/missing.csv")).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
    });
    await expect(storage.readBuffer("contact-exports/tenant-a/missing.csv")).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
    });
    // A folder is not a file either.
    await storage.put("folder/inner.csv", Buffer.from("x"));
    await expect(storage.get("folder")).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
    expect(await storage.exists("folder")).toBe(false);
  });

  it("deletes a file, and deleting a missing one is not an error", async () => {
    await storage.put(key, Buffer.from("x"));
    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  it.each([
    ["../outside.csv", /\.\./],
    ["contact-exports/../../etc/passwd", /\.\./],
    ["/etc/passwd", /absolute/],
    ["contact-exports\\tenant\\x.csv", /backslash/],
    ["contact-exports/tenant a/x.csv", /only A-Z/],
    ["contact-exports/tenant/x.csv?download", /only A-Z/],
    ["contact-exports/tenant/é.csv", /only A-Z/],
    ["contact-exports//x.csv", /segments/],
    ["contact-exports/./x.csv", /segments/],
    ["contact-exports/", /segments/],
    ["", /empty/],
  ])("rejects the key %j", async (badKey, reason) => {
    await expect(storage.put(badKey, Buffer.from("x"))).rejects.toThrow(reason);
    await expect(storage.get(badKey)).rejects.toMatchObject({ code: "INVALID_KEY" });
    await expect(storage.readBuffer(badKey)).rejects.toMatchObject({ code: "INVALID_KEY" });
    await expect(storage.exists(badKey)).rejects.toMatchObject({ code: "INVALID_KEY" });
    await expect(storage.delete(badKey)).rejects.toMatchObject({ code: "INVALID_KEY" });
    await expect(storage.createWriteStream(badKey)).rejects.toMatchObject({ code: "INVALID_KEY" });
  });

  it("deletes only files under the prefix older than the cutoff", async () => {
    const now = new Date("2025-01-10T00:00:00Z");
    const eightDaysAgo = new Date(now.getTime() - 8 * 86_400_000);
    const sixDaysAgo = new Date(now.getTime() - 6 * 86_400_000);
    const files = {
      "contact-exports/tenant-a/old.csv": eightDaysAgo,
      "contact-exports/tenant-b/old.xlsx": eightDaysAgo,
      "contact-exports/tenant-a/recent.csv": sixDaysAgo,
      "contact-imports/tenant-a/old.csv": eightDaysAgo,
    };
    for (const [fileKey, mtime] of Object.entries(files)) {
      await storage.put(fileKey, Buffer.from("x"));
      await utimes(join(root, ...fileKey.split("/")), mtime, mtime);
    }
    const cutoff = new Date(now.getTime() - 7 * 86_400_000);

    expect(await storage.deleteOlderThan("contact-exports/", cutoff)).toBe(2);
    expect(await storage.exists("contact-exports/tenant-a/old.csv")).toBe(false);
    expect(await storage.exists("contact-exports/tenant-b/old.xlsx")).toBe(false);
    expect(await storage.exists("contact-exports/tenant-a/recent.csv")).toBe(true);
    expect(await storage.exists("contact-imports/tenant-a/old.csv")).toBe(true);

    // A prefix need not end at a folder: "contact-imp" matches contact-imports/ only.
    expect(await storage.deleteOlderThan("contact-imp", cutoff)).toBe(1);
    expect(await storage.exists("contact-imports/tenant-a/old.csv")).toBe(false);
    expect(await storage.deleteOlderThan("contact-exports/", cutoff)).toBe(0);
  });

  it("cleans up stale temp files left by a crash, and ignores a missing prefix folder", async () => {
    await mkdir(join(root, "contact-exports", "tenant-a"), { recursive: true });
    const stale = join(root, "contact-exports", "tenant-a", ".x.csv.1234.tmp");
    await writeFile(stale, "partial");
    const old = new Date(Date.now() - 8 * 86_400_000);
    await utimes(stale, old, old);
    expect(await storage.deleteOlderThan("contact-exports/", new Date(Date.now() - 7 * 86_400_000))).toBe(1);
    expect(await storage.deleteOlderThan("nothing-here/", new Date())).toBe(0);
  });

  it("rejects a bad prefix", async () => {
    await expect(storage.deleteOlderThan("../", new Date())).rejects.toMatchObject({ code: "INVALID_KEY" });
    await expect(storage.deleteOlderThan("/tmp", new Date())).rejects.toMatchObject({ code: "INVALID_KEY" });
  });
});
