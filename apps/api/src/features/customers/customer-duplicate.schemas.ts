import "../../zod-setup";
import { DUPLICATE_REASONS } from "@clientele/domain";
import { z } from "zod";
import { ZId, ZPage, ZPageSize } from "../shared.schemas";

// Duplicate detection (issue 10 §5, 002 REQ-CM-B012, 003 FR-5).

export const ZDuplicateReason = z.enum(DUPLICATE_REASONS);
const ZScore = z.number().int().min(0).max(100).describe("0–100 from the reasons: each adds evidence, none alone reaches 100");

/** A warning on creates and updates, never a block: the customer was written. */
export const ZPossibleDuplicate = z.object({
  id: z.string(),
  customerNumber: z.string(),
  name: z.string(),
  score: ZScore,
  reasons: z.array(ZDuplicateReason),
});
export type TPossibleDuplicate = z.infer<typeof ZPossibleDuplicate>;

export const ZCustomerDuplicatesInput = z.object({ id: ZId });
export const ZCustomerDuplicatesOutput = z.object({ customerId: z.string(), items: z.array(ZPossibleDuplicate) });

export const ZListDuplicatePairsInput = z.object({
  page: ZPage,
  pageSize: ZPageSize,
  minScore: z.number("must be a number").int("must be a whole number").min(0, "must be at least 0").max(100, "must be at most 100").optional(),
});
const ZPairSide = z.object({ id: z.string(), customerNumber: z.string(), name: z.string() });
export const ZDuplicatePair = z.object({
  customerA: ZPairSide,
  customerB: ZPairSide,
  score: ZScore,
  reasons: z.array(ZDuplicateReason),
  detectedAt: z.string(),
});
export const ZListDuplicatePairsOutput = z.object({
  items: z.array(ZDuplicatePair),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});

export const ZDismissDuplicateInput = z.object({ customerIdA: ZId, customerIdB: ZId });
export const ZDismissDuplicateOutput = z.object({
  customerIdA: z.string(),
  customerIdB: z.string(),
  dismissed: z.literal(true),
  alreadyDismissed: z.boolean().describe("true when this pair had been dismissed before (nothing changed)"),
});

export const ZDuplicateScanInput = z.object({ scanId: ZId });
export const ZDuplicateScanOutput = z.object({
  scanId: z.string(),
  status: z.enum(["Queued", "Running", "Completed", "Failed"]),
  totalKeys: z.number().int(),
  processedKeys: z.number().int(),
  progress: z.number().int().min(0).max(100).describe("percent of the tenant's match keys grouped so far"),
  pairsFound: z.number().int(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});
