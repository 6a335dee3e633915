import { z } from "zod";
import { TRACKING_LIMITS } from "@clientele/domain";
import { router, withPrivilege } from "../../trpc/trpc";
import * as analytics from "./analytics.use-cases";
import { ZActiveCustomers, ZCohorts, ZCohortsInput, ZCustomerAnalytics, ZCustomerAnalyticsInput, ZDayRangeInput, ZNewCustomers, ZTierDistribution } from "./analytics.schemas";
import { ZTrackBatchInput, ZTrackInput, ZTrackOutput } from "./tracking.schemas";
import { trackEvents } from "./tracking.use-cases";

const tags = ["Tracking and analytics"];
const accepted = () => true;

export const trackingRouter = router({
  track: withPrivilege("tracking:write")
    .meta({
      openapi: { method: "POST", path: "/customers/{customerId}/track", tags, summary: "Track one event of the customer (202: queued for storage; refused without analytics-tracking consent; 503 TRACK-001 when the stream is down)" },
      acceptedWhen: accepted,
    })
    .input(ZTrackInput)
    .output(ZTrackOutput)
    .mutation(({ ctx, input }) => trackEvents(ctx.deps, ctx.actor, [input], true)),
  trackBatch: withPrivilege("tracking:write")
    .meta({
      openapi: { method: "POST", path: "/customers/track", tags, summary: `Track up to ${TRACKING_LIMITS.batchEvents} events of the tenant's customers in one call (202); unknown customers are rejected by index, the rest go on` },
      acceptedWhen: accepted,
    })
    .input(ZTrackBatchInput)
    .output(ZTrackOutput)
    .mutation(({ ctx, input }) => trackEvents(ctx.deps, ctx.actor, input.events, false)),
  customerAnalytics: withPrivilege("analytics:read")
    .meta({ openapi: { method: "GET", path: "/customers/{customerId}/analytics", tags, summary: "Activity counts by type over 7/30/90 days, last seen, engagement score with its factors, recency/frequency/monetary scores" } })
    .input(ZCustomerAnalyticsInput)
    .output(ZCustomerAnalytics)
    .query(({ ctx, input }) => analytics.customerAnalytics(ctx.deps, ctx.actor, input.customerId)),
  newCustomers: withPrivilege("analytics:tenant")
    .meta({ openapi: { method: "GET", path: "/customers/analytics/new-customers", tags, summary: "New customers per UTC day by source and type over a range of days" } })
    .input(ZDayRangeInput)
    .output(ZNewCustomers)
    .query(({ ctx, input }) => analytics.newCustomers(ctx.deps, ctx.actor, input)),
  activeCustomers: withPrivilege("analytics:tenant")
    .meta({ openapi: { method: "GET", path: "/customers/analytics/active-customers", tags, summary: "Distinct customers with tracked activity per day and per month over a range of days" } })
    .input(ZDayRangeInput)
    .output(ZActiveCustomers)
    .query(({ ctx, input }) => analytics.activeCustomers(ctx.deps, ctx.actor, input)),
  tiers: withPrivilege("analytics:tenant")
    .meta({ openapi: { method: "GET", path: "/customers/analytics/tiers", tags, summary: "Customers per tier (Standard, Premium, VIP, Corporate)" } })
    .input(z.object({}))
    .output(ZTierDistribution)
    .query(({ ctx }) => analytics.tiers(ctx.deps, ctx.actor)),
  cohorts: withPrivilege("analytics:tenant")
    .meta({ openapi: { method: "GET", path: "/customers/analytics/cohorts", tags, summary: "Retention cohorts: customers by signup month and how many were active in each later month" } })
    .input(ZCohortsInput)
    .output(ZCohorts)
    .query(({ ctx, input }) => analytics.cohorts(ctx.deps, ctx.actor, input.fromMonth)),
});
