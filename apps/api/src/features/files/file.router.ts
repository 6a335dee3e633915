import { randomUUID } from "node:crypto";
import { insertFile } from "@clientele/db";
import { MAX_ATTACHMENT_BYTES, validationError } from "@clientele/domain";
import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";

export const ZFile = z.object({ id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number().int(), createdAt: z.string() });

export const fileRouter = router({
  /** REST: multipart POST /files (field "file"); typed clients send base64. Used for email attachments. */
  upload: withPrivilege("communication:send")
    .input(
      z.object({
        file: z.union([z.instanceof(Uint8Array), z.base64("must be base64")]),
        fileName: z.string().min(1).max(255),
        contentType: z.string().max(150).default("application/octet-stream"),
      }),
    )
    .output(ZFile)
    .mutation(async ({ ctx, input }) => {
      const bytes = typeof input.file === "string" ? Buffer.from(input.file, "base64") : Buffer.from(input.file);
      if (bytes.length === 0) throw validationError({ file: ["is empty"] });
      if (bytes.length > MAX_ATTACHMENT_BYTES) throw validationError({ file: ["must be at most 10 MB"] });
      if (/[\r\n"\\/]/.test(input.fileName)) throw validationError({ fileName: ["must not contain line breaks, quotes or slashes"] });
      const id = randomUUID();
      const now = ctx.deps.now();
      const storageKey = `communication-attachments/${ctx.actor.tenantId}/${id}`;
      await ctx.deps.storage.put(storageKey, bytes);
      const row = { id, tenantId: ctx.actor.tenantId, storageKey, fileName: input.fileName, contentType: input.contentType, size: bytes.length, purpose: "attachment", createdAt: now, createdBy: ctx.actor.userId };
      await insertFile(ctx.deps.db, row);
      return { id, fileName: row.fileName, contentType: row.contentType, size: row.size, createdAt: now.toISOString() };
    }),
});
