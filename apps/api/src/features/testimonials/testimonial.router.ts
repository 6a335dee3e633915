import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import { ZApproveTestimonialInput, ZListTestimonialsInput, ZModerationQueue, ZModerationQueueInput, ZRejectTestimonialInput, ZSubmitTestimonialInput, ZSubmittedTestimonial, ZTestimonial } from "./testimonial.schemas";
import * as uc from "./testimonial.use-cases";

const tags = ["Testimonials"];

export const testimonialRouter = router({
  submit: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: "/customers/{customerId}/testimonials", tags, summary: "Submit a testimonial (pending approval; profanity masked; marketing notified)" }, successStatus: 201 })
    .input(ZSubmitTestimonialInput)
    .output(ZSubmittedTestimonial)
    .mutation(({ ctx, input }) => uc.submitTestimonial(ctx.deps, ctx.actor, input, ctx.traceId)),
  forCustomer: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/{customerId}/testimonials", tags, summary: "A customer's testimonials, newest first" } })
    .input(ZListTestimonialsInput)
    .output(z.object({ items: z.array(ZTestimonial) }))
    .query(({ ctx, input }) => uc.customerTestimonials(ctx.deps, ctx.actor, input)),
  moderationQueue: withPrivilege("testimonial:approve")
    .meta({ openapi: { method: "GET", path: "/testimonials/pending", tags, summary: "The tenant's pending testimonials, oldest first, with the customer's name and profanity flag (for moderators)" } })
    .input(ZModerationQueueInput)
    .output(ZModerationQueue)
    .query(({ ctx, input }) => uc.moderationQueue(ctx.deps, ctx.actor, input)),
  approve: withPrivilege("testimonial:approve")
    .meta({ openapi: { method: "POST", path: "/customers/{customerId}/testimonials/{testimonialId}/approve", tags, summary: "Approve a pending testimonial, optionally making it public (final; the customer is emailed)" } })
    .input(ZApproveTestimonialInput)
    .output(ZTestimonial)
    .mutation(({ ctx, input }) => uc.approveTestimonial(ctx.deps, ctx.actor, input, ctx.traceId)),
  reject: withPrivilege("testimonial:approve")
    .meta({ openapi: { method: "POST", path: "/customers/{customerId}/testimonials/{testimonialId}/reject", tags, summary: "Reject a pending testimonial with a reason (final)" } })
    .input(ZRejectTestimonialInput)
    .output(ZTestimonial)
    .mutation(({ ctx, input }) => uc.rejectTestimonial(ctx.deps, ctx.actor, input, ctx.traceId)),
});
