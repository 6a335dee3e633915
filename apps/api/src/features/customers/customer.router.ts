import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZCreateCustomerInput,
  ZCreateCustomerOutput,
  ZCustomer,
  ZCustomerHistoryOutput,
  ZCustomerWriteOutput,
  ZDeleteCustomerInput,
  ZGetCustomerInput,
  ZSearchCustomersInput,
  ZSearchCustomersOutput,
  ZSetTagsInput,
  ZStatusChangeInput,
  ZStatusChangeOutput,
  ZSuspendInput,
  ZUpdateCustomerInput,
  ZUpdateContactInfoInput,
  ZUpdatePreferencesInput,
  ZUpdateProfileInput,
  ZUpdateShippingAddressInput,
} from "./customer.schemas";
import * as uc from "./customer.use-cases";

const tags = ["Customers"];
const EMAIL_TAKEN = "CUST-002: another customer of the tenant (not deactivated or archived) has this primaryEmail";

/** Thin procedures: validate (zod), authorize (privilege), call the use case. */
export const customerRouter = router({
  create: withPrivilege("customer:create")
    .meta({
      openapi: { method: "POST", path: "/customers", tags, summary: "Create a customer" },
      successStatus: 201,
      errors: { 409: EMAIL_TAKEN },
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

  list: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers", tags, summary: "List customers (paged, with the search filters; Archived only when asked for)" } })
    .input(ZSearchCustomersInput)
    .output(ZSearchCustomersOutput)
    .query(({ ctx, input }) => uc.listCustomers(ctx.deps, ctx.actor, input)),

  update: withPrivilege("customer:update")
    .meta({
      openapi: { method: "PUT", path: "/customers/{id}", tags, summary: "Update profile, contact info and preferences in one change (version required)" },
      errors: { 409: EMAIL_TAKEN },
    })
    .input(ZUpdateCustomerInput)
    .output(ZCustomerWriteOutput)
    .mutation(({ ctx, input }) => uc.updateRecord(ctx.deps, ctx.actor, input, ctx.traceId)),

  delete: withPrivilege("customer:delete")
    .meta({ openapi: { method: "DELETE", path: "/customers/{id}", tags, summary: "Soft delete (= deactivate), reason as ?reason= or in the body" } })
    .input(ZDeleteCustomerInput)
    .output(ZStatusChangeOutput)
    .mutation(({ ctx, input }) => uc.deleteCustomer(ctx.deps, ctx.actor, input, ctx.traceId)),

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
    .meta({ openapi: { method: "PUT", path: "/customers/{id}/contact-info", tags, summary: "Update emails, phones, billing address" }, errors: { 409: EMAIL_TAKEN } })
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
    .meta({ openapi: { method: "POST", path: "/customers/{id}/reactivate", tags, summary: "Reactivate a deactivated customer" }, errors: { 409: EMAIL_TAKEN } })
    .input(ZStatusChangeInput)
    .output(ZStatusChangeOutput)
    .mutation(({ ctx, input }) => uc.reactivate(ctx.deps, ctx.actor, input, ctx.traceId)),

  setTags: withPrivilege("customer:update")
    .meta({ openapi: { method: "PUT", path: "/customers/{id}/tags", tags, summary: "Replace the customer's tags" } })
    .input(ZSetTagsInput)
    .output(ZCustomerWriteOutput)
    .mutation(({ ctx, input }) => uc.changeTags(ctx.deps, ctx.actor, input, ctx.traceId)),

  suspend: withPrivilege("customer:suspend")
    .meta({ openapi: { method: "POST", path: "/customers/{id}/suspend", tags, summary: "Suspend an Active or Inactive customer (admins; reason required)" } })
    .input(ZSuspendInput)
    .output(ZStatusChangeOutput)
    .mutation(({ ctx, input }) => uc.suspend(ctx.deps, ctx.actor, input, ctx.traceId)),

  unsuspend: withPrivilege("customer:suspend")
    .meta({ openapi: { method: "POST", path: "/customers/{id}/unsuspend", tags, summary: "Return a suspended customer to Active (admins)" }, errors: { 409: EMAIL_TAKEN } })
    .input(ZStatusChangeInput)
    .output(ZStatusChangeOutput)
    .mutation(({ ctx, input }) => uc.unsuspend(ctx.deps, ctx.actor, input, ctx.traceId)),

  archive: withPrivilege("customer:delete")
    .meta({ openapi: { method: "POST", path: "/customers/{id}/archive", tags, summary: "Archive (terminal: readable, hidden from default lists, never changed again)" } })
    .input(ZStatusChangeInput)
    .output(ZStatusChangeOutput)
    .mutation(({ ctx, input }) => uc.archive(ctx.deps, ctx.actor, input, ctx.traceId)),
});
