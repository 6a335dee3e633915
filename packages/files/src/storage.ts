import { randomUUID } from "node:crypto";
import { createWriteStream as createFileWriteStream } from "node:fs";
import { mkdir, open, opendir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FileNotFoundError, InvalidStorageKeyError } from "./errors";

export type FileBody = Buffer | NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

export type StorageWriteStream = {
  stream: Writable;
  /** Ends the stream if the caller has not, waits for it to flush, then makes the file visible under its key. */
  done: () => Promise<{ size: number }>;
  /** Drops the partial file; the key is left as it was. */
  abort: () => Promise<void>;
};

/** Where import uploads and export results live; local disk by default, an object store later. */
export type FileStorage = {
  put(key: string, body: FileBody): Promise<{ size: number }>;
  createWriteStream(key: string): Promise<StorageWriteStream>;
  get(key: string): Promise<Readable>;
  readBuffer(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Deletes every file whose key starts with `prefix` and was last modified before `cutoff`; returns how many. */
  deleteOlderThan(prefix: string, cutoff: Date): Promise<number>;
};

const KEY_CHARS = /^[A-Za-z0-9/_.-]+$/;
const MAX_KEY_LENGTH = 512;

/** Throws unless `key` is a relative path made only of safe characters; keys must never escape the storage root. */
export function assertValidKey(key: string): void {
  checkPath(key, false);
}

function checkPath(key: string, isPrefix: boolean): void {
  if (typeof key !== "string") throw new InvalidStorageKeyError(String(key), "not a string");
  if (!isPrefix && key.length === 0) throw new InvalidStorageKeyError(key, "empty");
  if (key.length > MAX_KEY_LENGTH) throw new InvalidStorageKeyError(key, "too long");
  if (key.includes("\\")) throw new InvalidStorageKeyError(key, "backslashes are not allowed");
  if (key.startsWith("/")) throw new InvalidStorageKeyError(key, "absolute paths are not allowed");
  if (key.includes("..")) throw new InvalidStorageKeyError(key, '".." is not allowed');
  if (key.length > 0 && !KEY_CHARS.test(key)) {
    throw new InvalidStorageKeyError(key, "only A-Z, a-z, 0-9, '/', '_', '.' and '-' are allowed");
  }
  // A prefix may end at a folder boundary ("contact-exports/"); a key names a file.
  const segments = isPrefix && key.endsWith("/") ? key.slice(0, -1).split("/") : key.split("/");
  if (key.length > 0 && segments.some((s) => s === "" || s === ".")) {
    throw new InvalidStorageKeyError(key, "empty or '.' path segments are not allowed");
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR";
}

export function createLocalDiskStorage(rootDir: string): FileStorage {
  const root = resolve(rootDir);

  function pathFor(key: string): string {
    assertValidKey(key);
    const full = join(root, ...key.split("/"));
    // Belt and braces: the key rules above already make this impossible.
    if (!full.startsWith(root + sep)) throw new InvalidStorageKeyError(key, "outside the storage root");
    return full;
  }

  async function createWriteStream(key: string): Promise<StorageWriteStream> {
    const target = pathFor(key);
    await mkdir(dirname(target), { recursive: true });
    // Same folder as the target so the rename is atomic; readers never see a half-written file.
    const temp = join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
    const stream = createFileWriteStream(temp, { flags: "wx" });
    let failure: unknown;
    stream.on("error", (error) => {
      failure ??= error;
    });
    const closed = new Promise<void>((resolveClosed) => stream.once("close", resolveClosed)).then(async () => {
      // An errored or destroyed stream leaves no temp file behind.
      if (!stream.writableFinished || failure !== undefined) await rm(temp, { force: true });
    });

    let finishing: Promise<{ size: number }> | undefined;
    const done = () => {
      finishing ??= (async () => {
        if (!stream.writableEnded && !stream.destroyed) stream.end();
        await closed;
        if (failure !== undefined) throw failure;
        if (!stream.writableFinished) throw new Error(`write to ${key} was aborted`);
        await rename(temp, target);
        return { size: stream.bytesWritten };
      })();
      return finishing;
    };
    const abort = async () => {
      if (!stream.closed) stream.destroy();
      await closed;
      await rm(temp, { force: true });
    };
    return { stream, done, abort };
  }

  return {
    async put(key, body) {
      const { stream, done, abort } = await createWriteStream(key);
      try {
        if (Buffer.isBuffer(body)) stream.end(body);
        else await pipeline(body, stream);
        return await done();
      } catch (error) {
        await abort();
        throw error;
      }
    },

    createWriteStream,

    async get(key) {
      const path = pathFor(key);
      let handle;
      try {
        handle = await open(path, "r");
      } catch (error) {
        if (isMissing(error)) throw new FileNotFoundError(key);
        throw error;
      }
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new FileNotFoundError(key);
      }
      return handle.createReadStream();
    },

    async readBuffer(key) {
      try {
        return await readFile(pathFor(key));
      } catch (error) {
        if (isMissing(error)) throw new FileNotFoundError(key);
        throw error;
      }
    },

    async exists(key) {
      try {
        return (await stat(pathFor(key))).isFile();
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },

    async delete(key) {
      await rm(pathFor(key), { force: true });
    },

    async deleteOlderThan(prefix, cutoff) {
      checkPath(prefix, true);
      const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
      let deleted = 0;
      for await (const file of walkFiles(folder === "" ? root : join(root, ...folder.split("/")), folder)) {
        if (!file.key.startsWith(prefix)) continue;
        try {
          if ((await stat(file.path)).mtime < cutoff) {
            await rm(file.path);
            deleted += 1;
          }
        } catch (error) {
          // Deleted by someone else meanwhile: nothing left to do.
          if (!isMissing(error)) throw error;
        }
      }
      return deleted;
    },
  };
}

/** Regular files under `dir`, depth first; symlinks are skipped so cleanup never leaves the root. */
async function* walkFiles(dir: string, keyPrefix: string): AsyncGenerator<{ key: string; path: string }> {
  let handle;
  try {
    handle = await opendir(dir);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for await (const entry of handle) {
    const key = keyPrefix === "" ? entry.name : `${keyPrefix}/${entry.name}`;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFiles(path, key);
    else if (entry.isFile()) yield { key, path };
  }
}
