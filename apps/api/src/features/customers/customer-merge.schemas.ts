import "../../zod-setup";
import { DEFAULT_MERGE_OPTIONS, MERGE_FIELDS, MOVED_KINDS } from "@clientele/domain";
import { z } from "zod";
import { ZId } from "../shared.schemas";
import { ZCustomer } from "./customer.schemas";

// Edge validation of the merge (REQ-CUS-007, 001 §5.1.7); the rules are the domain's (customer-merge.ts).

const option = (what: string) => z.boolean().default(true).describe(`Move the source's ${what} to the target (default true).`);

export const ZMergeOptions = z
  .object({
    contacts: option("contacts (an email the target already has keeps the target's contact)"),
    communicationHistory: option("communications (emails, SMS, calls, meetings) and follow-ups"),
    complaints: option("complaints"),
    testimonials: option("testimonials"),
  })
  .strict();

const ZSide = z.enum(["source", "target"]);
export const ZFieldChoices = z
  .object(Object.fromEntries(MERGE_FIELDS.map((f) => [f, ZSide.optional()])) as Record<(typeof MERGE_FIELDS)[number], z.ZodOptional<typeof ZSide>>)
  .strict()
  .describe(`Per field, whose value the merged customer keeps ("target" when left out): ${MERGE_FIELDS.join(", ")}.`);

export const ZMergeCustomersInput = z.object({
  sourceCustomerId: ZId.describe("The duplicate: deactivated by the merge."),
  targetCustomerId: ZId.describe("The customer that stays and receives the records."),
  mergeOptions: ZMergeOptions.default(DEFAULT_MERGE_OPTIONS),
  fieldChoices: ZFieldChoices.default({}),
});
export type TMergeCustomersInput = z.infer<typeof ZMergeCustomersInput>;

export const ZMergeIdInput = z.object({ mergeId: ZId });

const ZMovedIds = z.object(Object.fromEntries(MOVED_KINDS.map((k) => [k, z.array(z.string())])) as Record<(typeof MOVED_KINDS)[number], z.ZodArray<z.ZodString>>);

export const ZMerge = z.object({
  mergeId: z.string(),
  sourceCustomerId: z.string(),
  targetCustomerId: z.string(),
  mergeOptions: z.object({ contacts: z.boolean(), communicationHistory: z.boolean(), complaints: z.boolean(), testimonials: z.boolean() }),
  fieldChoices: z.record(z.string(), ZSide),
  moved: ZMovedIds.describe("The ids of the records moved to the target, per kind."),
  droppedContacts: z
    .array(z.object({ id: z.string(), email: z.string(), keptContactId: z.string() }))
    .describe("Source contacts left with the source because an active target contact has their email."),
  tagsAdded: z.array(z.string()),
  fieldsFromSource: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })).describe("Target fields that took the source's value."),
  mergedAt: z.string(),
  mergedBy: z.string(),
  undoableUntil: z.string(),
  undoneAt: z.string().nullable(),
  undoneBy: z.string().nullable(),
});

export const ZMergeCustomersOutput = ZMerge.extend({ target: ZCustomer.describe("The merged customer as it now is.") });

const ZAuditEntry = z.object({
  action: z.string(),
  actorId: z.string(),
  occurredAt: z.string(),
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
});
export const ZGetMergeOutput = ZMerge.extend({ sourceHistory: z.array(ZAuditEntry).describe("The source customer's audit trail, kept readable through its merge.") });

export const ZUndoMergeOutput = ZMerge.extend({ source: ZCustomer.describe("The source, restored."), target: ZCustomer });
