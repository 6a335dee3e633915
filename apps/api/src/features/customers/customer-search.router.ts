import { router, withPrivilege } from "../../trpc/trpc";
import { ZAdvancedSearchInput, ZAdvancedSearchOutput } from "./customer-search.schemas";
import * as uc from "./customer-search.use-cases";

const tags = ["Customers"];

/** The advanced search (issue 10 §2), merged into the `customers` namespace. */
export const customerSearchRouter = router({
  advancedSearch: withPrivilege("customer:read")
    .meta({
      openapi: { method: "POST", path: "/customers/search", tags, summary: "Advanced search: fuzzy names, partial phones, filters, relevance" },
      example: { request: { name: "Jonh Smtih", phone: "(020) 7946-09", status: ["Active"], sort: ["relevance"], page: 1, pageSize: 20 } },
    })
    .input(ZAdvancedSearchInput)
    .output(ZAdvancedSearchOutput)
    .mutation(({ ctx, input }) => uc.advancedSearch(ctx.deps, ctx.actor, input)),
});
