import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import { ZCustomerLoyalty, ZLoyaltyRun, ZLoyaltyRunRef } from "./loyalty.schemas";
import { ZCustomerRef } from "./rating.schemas";
import * as uc from "./loyalty.use-cases";

const tags = ["Customer value"];

export const loyaltyRouter = router({
  recalculate: withPrivilege("loyalty:recalculate")
    .meta({ openapi: { method: "POST", path: "/loyalty/recalculate", tags, summary: "Recalculate every customer's loyalty tier now (Admins; a worker job; poll its progress)" }, successStatus: 201 })
    .input(z.object({}))
    .output(ZLoyaltyRun)
    .mutation(({ ctx }) => uc.startLoyaltyRecalculation(ctx.deps, ctx.actor)),
  run: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path: "/loyalty/recalculations/{runId}", tags, summary: "A loyalty recalculation's progress" } })
    .input(ZLoyaltyRunRef)
    .output(ZLoyaltyRun)
    .query(({ ctx, input }) => uc.loyaltyRun(ctx.deps, ctx.actor, input.runId)),
  forCustomer: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path: "/customers/{customerId}/loyalty", tags, summary: "The customer's loyalty tier, trailing 12-month spend and tier history" } })
    .input(ZCustomerRef)
    .output(ZCustomerLoyalty)
    .query(({ ctx, input }) => uc.customerLoyalty(ctx.deps, ctx.actor, input.customerId)),
});
