import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZCreateCustomerInput,
  ZCreateCustomerOutput,
  ZCustomer,
  ZCustomerHistoryOutput,
  ZCustomerWriteOutput,
  ZGetCustomerInput,
  ZSearchCustomersInput,
  ZSearchCustomersOutput,
  ZStatusChangeInput,
  ZUpdateContactInfoInput,
  ZUpdatePreferencesInput,
  ZUpdateProfileInput,
  ZUpdateShippingAddressInput,
} from "./customer.schemas";
import * as uc from "./customer.use-cases";

const tags = ["Customers"];
const ZStatusChangeOutput = z.object({ id: z.string(), status: z.string(), version: z.number().int() });

/** Thin procedures: validate (zod), authorize (privilege), call the use case. */
export const customerRouter = router({
  create: withPrivilege("customer:create")
    .meta({
      openapi: { method: "POST", path: "/customers", tags, summary: "Create a customer" },
      successStatus: 201,
      example: {
        request: {
          type: "SmallBusiness",
          companyName: "Acme Widgets Ltd",
          industry: "Manufacturing",
          primaryEmail: "orders@acme-widgets.example",
          primaryPhone: "+442079460958",
          billingAddress: { street: "1 High Street", city: "London", state: "Greater London", zipCode: "SW1A 1AA", country: "GB" },
        },
      },
    })
    .input(ZCreateCustomerInput)
    .output(ZCreateCustomerOutput)
    .mutation(({ ctx, input }) => uc.createCustomer(ctx.deps, ctx.actor, input, ctx.traceId)),

  search: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/search", tags, summary: "Search and filter customers" } })
    .input(ZSearchCustomersInput)
    .output(ZSearchCustomersOutput)
    .query(({ ctx, input }) => uc.searchCustomerList(ctx.deps, ctx.actor, input)),

  get: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/{id}", tags, summary: "Get a customer by id" } })
    .input(ZGetCustomerInput)
    .output(ZCustomer)
    .query(({ ctx, input }) => uc.getCustomer(ctx.deps, ctx.actor, input.id)),

  history: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/{id}/history", tags, summary: "A customer's audit trail" } })
    .input(ZGetCustomerInput)
    .output(ZCustomerHistoryOutput)
    .query(({ ctx, input }) => uc.customerHistory(ctx.deps, ctx.actor, input.id)),

  updateProfile: withPrivilege("customer:update")
    .meta({ openapi: { method: "PUT", path: "/customers/{id}/profile", tags, summary: "Update the profile" } })
    .input(ZUpdateProfileInput)
    .output(ZCustomerWriteOutput)
    .mutation(({ ctx, input }) => uc.changeProfile(ctx.deps, ctx.actor, input, ctx.traceId)),

  updateContactInfo: withPrivilege("customer:update")
    .meta({ openapi: { method: "PUT", path: "/customers/{id}/contact-info", tags, summary: "Update emails, phones, billing address" } })
    .input(ZUpdateContactInfoInput)
    .output(ZCustomerWriteOutput)
    .mutation(({ ctx, input }) => uc.changeContactInfo(ctx.deps, ctx.actor, input, ctx.traceId)),

  updateShippingAddress: withPrivilege("customer:update")
    .meta({ openapi: { method: "PUT", path: "/customers/{id}/shipping-address", tags, summary: "Set, copy from billing, or remove the shipping address" } })
    .input(ZUpdateShippingAddressInput)
    .output(ZCustomerWriteOutput)
    .mutation(({ ctx, input }) => uc.changeShippingAddress(ctx.deps, ctx.actor, input, ctx.traceId)),

  updatePreferences: withPrivilege("customer:update")
    .meta({ openapi: { method: "PUT", path: "/customers/{id}/preferences", tags, summary: "Update preferences (fields given are changed)" } })
    .input(ZUpdatePreferencesInput)
    .output(ZCustomerWriteOutput)
    .mutation(({ ctx, input }) => uc.changePreferences(ctx.deps, ctx.actor, input, ctx.traceId)),

  deactivate: withPrivilege("customer:delete")
    .meta({ openapi: { method: "POST", path: "/customers/{id}/deactivate", tags, summary: "Deactivate (soft delete)" } })
    .input(ZStatusChangeInput)
    .output(ZStatusChangeOutput)
    .mutation(({ ctx, input }) => uc.deactivate(ctx.deps, ctx.actor, input, ctx.traceId)),

  reactivate: withPrivilege("customer:update")
    .meta({ openapi: { method: "POST", path: "/customers/{id}/reactivate", tags, summary: "Reactivate a deactivated customer" } })
    .input(ZStatusChangeInput)
    .output(ZStatusChangeOutput)
    .mutation(({ ctx, input }) => uc.reactivate(ctx.deps, ctx.actor, input, ctx.traceId)),
});
