import { router, withPrivilege } from "../../trpc/trpc";
import { ZCustomerRef, ZRatingOutput, ZRatingOverrideInput } from "./rating.schemas";
import * as uc from "./rating.use-cases";

const tags = ["Customer value"];

export const ratingRouter = router({
  get: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path: "/customers/{customerId}/rating", tags, summary: "The customer's rating: shown, calculated, the factors and rule that decided it, the override, the history" } })
    .input(ZCustomerRef)
    .output(ZRatingOutput)
    .query(({ ctx, input }) => uc.getRating(ctx.deps, ctx.actor, input.customerId)),
  override: withPrivilege("rating:override")
    .meta({ openapi: { method: "PUT", path: "/customers/{customerId}/rating-override", tags, summary: "Override the calculated rating (managers; reason required; holds until cleared)" } })
    .input(ZRatingOverrideInput)
    .output(ZRatingOutput)
    .mutation(({ ctx, input }) => uc.overrideRating(ctx.deps, ctx.actor, input, ctx.traceId)),
  clearOverride: withPrivilege("rating:override")
    .meta({ openapi: { method: "DELETE", path: "/customers/{customerId}/rating-override", tags, summary: "Clear the override: the calculated rating shows again" } })
    .input(ZCustomerRef)
    .output(ZRatingOutput)
    .mutation(({ ctx, input }) => uc.clearRatingOverride(ctx.deps, ctx.actor, input.customerId, ctx.traceId)),
  recalculate: withPrivilege("rating:override")
    .meta({ openapi: { method: "POST", path: "/customers/{customerId}/rating/recalculate", tags, summary: "Recalculate the rating now from payments, attendance, complaints and testimonials" } })
    .input(ZCustomerRef)
    .output(ZRatingOutput)
    .mutation(({ ctx, input }) => uc.recalculateCustomerRating(ctx.deps, ctx.actor, input.customerId)),
});
