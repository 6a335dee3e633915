import "../../zod-setup";
import { z } from "zod";
import { text, ZId } from "../shared.schemas";

const ZVersion = z.number().int().positive().optional().describe("The version you read; a stale one answers 409.");

export const ZContact = z.object({
  id: z.string(),
  customerId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  position: z.string().nullable(),
  isPrimary: z.boolean(),
  tags: z.array(z.string()),
  status: z.enum(["Active", "Inactive"]),
  createdAt: z.string(),
  createdBy: z.string(),
  lastModifiedAt: z.string().nullable(),
  lastModifiedBy: z.string().nullable(),
  version: z.number().int(),
});
export type TContact = z.infer<typeof ZContact>;

export const ZAddContactInput = z.object({
  customerId: ZId,
  firstName: text(100),
  lastName: text(100),
  email: text(320),
  phone: text(40).nullable().optional(),
  position: text(100).nullable().optional(),
  isPrimary: z.boolean().optional(),
  tags: z.array(text(60)).max(50).optional(),
});

export const ZListContactsInput = z.object({ customerId: ZId, tag: text(60).optional() });
export const ZListContactsOutput = z.object({ items: z.array(ZContact) });

export const ZContactRef = z.object({ customerId: ZId, contactId: ZId });

export const ZUpdateContactInput = ZContactRef.extend({
  version: ZVersion,
  firstName: text(100).optional(),
  lastName: text(100).optional(),
  email: text(320).optional(),
  phone: text(40).nullable().optional(),
  position: text(100).nullable().optional(),
  isPrimary: z.boolean().optional(),
});

export const ZRemoveContactInput = ZContactRef.extend({ version: ZVersion, reason: text(500).optional() });
export const ZRemoveContactOutput = z.object({ id: z.string(), status: z.literal("Inactive") });

export const ZTagInput = ZContactRef.extend({ tag: text(60) });
