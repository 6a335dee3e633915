import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZAddContactInput,
  ZContact,
  ZContactRef,
  ZListContactsInput,
  ZListContactsOutput,
  ZRemoveContactInput,
  ZRemoveContactOutput,
  ZTagInput,
  ZUpdateContactInput,
} from "./contact.schemas";
import * as uc from "./contact.use-cases";

const tags = ["Contacts"];
const base = "/customers/{customerId}/contacts";
const DUPLICATE_EMAIL = "Another active contact of this customer has that email (CONT-002)";

export const contactRouter = router({
  add: withPrivilege("customer:update")
    .meta({ openapi: { method: "POST", path: base, tags, summary: "Add a contact" }, successStatus: 201, errors: { 409: DUPLICATE_EMAIL } })
    .input(ZAddContactInput)
    .output(ZContact)
    .mutation(({ ctx, input }) => uc.add(ctx.deps, ctx.actor, input, ctx.traceId)),

  list: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: base, tags, summary: "A customer's active contacts, optionally with a tag" } })
    .input(ZListContactsInput)
    .output(ZListContactsOutput)
    .query(({ ctx, input }) => uc.list(ctx.deps, ctx.actor, input)),

  get: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: `${base}/{contactId}`, tags, summary: "Get a contact" } })
    .input(ZContactRef)
    .output(ZContact)
    .query(({ ctx, input }) => uc.get(ctx.deps, ctx.actor, input)),

  update: withPrivilege("customer:update")
    .meta({ openapi: { method: "PUT", path: `${base}/{contactId}`, tags, summary: "Update a contact (isPrimary: true makes it the primary)" }, errors: { 409: DUPLICATE_EMAIL } })
    .input(ZUpdateContactInput)
    .output(ZContact)
    .mutation(({ ctx, input }) => uc.update(ctx.deps, ctx.actor, input, ctx.traceId)),

  remove: withPrivilege("customer:update")
    .meta({ openapi: { method: "DELETE", path: `${base}/{contactId}`, tags, summary: "Remove (deactivate) a contact; optional ?reason=" }, successStatus: 204 })
    .input(ZRemoveContactInput)
    .output(ZRemoveContactOutput)
    .mutation(({ ctx, input }) => uc.remove(ctx.deps, ctx.actor, input, ctx.traceId)),

  tag: withPrivilege("customer:update")
    .meta({ openapi: { method: "POST", path: `${base}/{contactId}/tags`, tags, summary: "Tag a contact" } })
    .input(ZTagInput)
    .output(ZContact)
    .mutation(({ ctx, input }) => uc.tag(ctx.deps, ctx.actor, input, ctx.traceId)),

  untag: withPrivilege("customer:update")
    .meta({ openapi: { method: "DELETE", path: `${base}/{contactId}/tags/{tag}`, tags, summary: "Remove a tag from a contact" } })
    .input(ZTagInput)
    .output(ZContact)
    .mutation(({ ctx, input }) => uc.untag(ctx.deps, ctx.actor, input, ctx.traceId)),
});
