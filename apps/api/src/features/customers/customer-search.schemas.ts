import "../../zod-setup";
import { CUSTOMER_SEGMENTS, CUSTOMER_STATUSES, CUSTOMER_TYPES, PHONE_GRAM, phoneDigits } from "@clientele/domain";
import { ADVANCED_SORT_FIELDS } from "@clientele/db";
import { z } from "zod";
import { listOf, text, ZDateTime, ZPage, ZPageSize } from "../shared.schemas";
import { ZCustomer } from "./customer.schemas";

const list = <T extends z.ZodType>(item: T) => listOf(item, 20);
const SORT_FIELDS = Object.keys(ADVANCED_SORT_FIELDS).join(", ");

/** A date range; either end may be left open. */
const ZRange = z
  .object({ from: ZDateTime.optional(), to: ZDateTime.optional() })
  .refine((r) => !r.from || !r.to || r.from <= r.to, { path: ["from"], message: "must not be after to" });

/** Search statuses: the record's statuses, plus Deactivated for soft-deleted customers. */
export const SEARCH_STATUSES = [...CUSTOMER_STATUSES, "Deactivated"] as const;

export const ZAdvancedSearchInput = z.object({
  name: text(200).optional().describe("Fuzzy: any of first, last or company name; typos, transpositions and accents tolerated."),
  firstName: text(100).optional(),
  lastName: text(100).optional(),
  companyName: text(200).optional(),
  email: text(320).optional().describe("The start of the primary or secondary email."),
  phone: text(40)
    .refine((p) => phoneDigits(p).length >= PHONE_GRAM, `must contain at least ${PHONE_GRAM} digits`)
    .optional()
    .describe("Any 4 or more consecutive digits of a phone, formatted as you like: '(020) 7946-09'."),
  tags: list(text(50)).optional().describe("Customers having every one of these tags."),
  status: list(z.enum(SEARCH_STATUSES))
    .optional()
    .describe("Default: every status but Archived, deactivated customers left out; Deactivated includes them."),
  type: list(z.enum(CUSTOMER_TYPES)).optional(),
  segment: list(z.enum(CUSTOMER_SEGMENTS)).optional(),
  createdAt: ZRange.optional(),
  lastActivityAt: ZRange.optional(),
  sort: list(
    z
      .string()
      .regex(
        new RegExp(`^(relevance|(${Object.keys(ADVANCED_SORT_FIELDS).join("|")})(:(asc|desc))?)$`),
        `must be relevance or field[:asc|desc] with field one of ${SORT_FIELDS}`,
      ),
  )
    .refine((s) => !s.slice(1).includes("relevance"), "relevance can only be the first sort key")
    .optional()
    .describe("Default: relevance when a name or phone is given, else companyName:asc. Keys after relevance break its ties."),
  page: ZPage,
  pageSize: ZPageSize,
});
export type TAdvancedSearchInput = z.infer<typeof ZAdvancedSearchInput>;

export const ZAdvancedSearchOutput = z.object({
  items: z.array(
    ZCustomer.extend({
      score: z.number().nullable().describe("Relevance 0..1 of the name and phone criteria; null when the search had neither."),
    }),
  ),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});
export type TAdvancedSearchOutput = z.infer<typeof ZAdvancedSearchOutput>;
