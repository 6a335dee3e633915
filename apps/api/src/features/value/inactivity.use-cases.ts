import { getTenantSettings, listInactiveCustomers } from "@clientele/db";
import { inactivityReason, readValueSettings, VALUE_SETTINGS_KEY, type Actor, type InactivityFlag } from "@clientele/domain";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import type { ZReviewListInput } from "./rating.schemas";

/** GET /customers/review (003 BR-6): flagged customers, longest inactive first, with the reason. */
export async function reviewList(deps: AppDeps, actor: Actor, input: z.infer<typeof ZReviewListInput>) {
  const settings = readValueSettings((await getTenantSettings(deps.db, actor.tenantId))[VALUE_SETTINGS_KEY]);
  const { items, totalCount } = await listInactiveCustomers(deps.db, actor.tenantId, input.flag ? [input.flag] : [], input.page, input.pageSize);
  return {
    items: items.map((r) => ({
      customerId: r.customerId,
      customerNumber: r.customerNumber,
      companyName: r.companyName,
      flag: r.flag as InactivityFlag,
      // As of when the flag was raised, which is when the daily job last judged it.
      reason: inactivityReason(r.flag as InactivityFlag, r.lastActivityAt, r.hadActivity, r.since, settings),
      since: r.since.toISOString(),
      lastActivityAt: r.lastActivityAt.toISOString(),
      hadActivity: r.hadActivity,
    })),
    totalCount,
    page: input.page,
    pageSize: input.pageSize,
    totalPages: Math.ceil(totalCount / input.pageSize),
  };
}
