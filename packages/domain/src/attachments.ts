import { FieldErrorCollector } from "./errors";

/** Rejects more than `maxCount` files or more than `maxBytes` in total (internal: not re-exported from index.ts). */
export function checkAttachmentLimits(files: { size: number }[], limits: { maxCount: number; maxBytes: number }): void {
  const errors = new FieldErrorCollector();
  if (files.length > limits.maxCount) errors.add("attachments", `at most ${limits.maxCount} files`);
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > limits.maxBytes) errors.add("attachments", `at most ${limits.maxBytes / 1024 / 1024} MB in total`);
  errors.throwIfAny();
}
