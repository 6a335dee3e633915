import { router, withPrivilege } from "../../trpc/trpc";
import { ZReviewListInput, ZReviewListOutput } from "./rating.schemas";
import * as uc from "./inactivity.use-cases";

export const inactivityRouter = router({
  reviewList: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path: "/customers/review", tags: ["Customer value"], summary: "Inactive customers to review (InactiveRisk after 180 days, Review after 24 months), longest inactive first" } })
    .input(ZReviewListInput)
    .output(ZReviewListOutput)
    .query(({ ctx, input }) => uc.reviewList(ctx.deps, ctx.actor, input)),
});
