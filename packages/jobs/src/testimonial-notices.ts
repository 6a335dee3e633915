import { findCustomerById, findTestimonial, findUsersWithRoles } from "@clientele/db";
import { z } from "zod";
import { customerAddress } from "./customer-address";
import type { MessagingDeps, Notice } from "./messaging.jobs";

/** A new testimonial: the tenant's marketing managers are asked to review it. */
const ZTestimonialReceivedNotice = z.object({ kind: z.literal("testimonial-received"), tenantId: z.string(), testimonialId: z.uuid() });
/** An approved testimonial: the customer is thanked. */
const ZTestimonialApprovedNotice = z.object({ kind: z.literal("testimonial-approved"), tenantId: z.string(), testimonialId: z.uuid() });
export const ZTestimonialNoticePayload = z.discriminatedUnion("kind", [ZTestimonialReceivedNotice, ZTestimonialApprovedNotice]);
export type TestimonialNoticePayload = z.infer<typeof ZTestimonialNoticePayload>;

export const testimonialNoticeKey = (p: TestimonialNoticePayload) => `${p.kind}:${p.testimonialId}`;

export async function buildTestimonialNotice(deps: MessagingDeps, p: TestimonialNoticePayload): Promise<Notice> {
  const t = await findTestimonial(deps.db, p.tenantId, p.testimonialId);
  if (!t) return null;
  const customer = await findCustomerById(deps.db, p.tenantId, t.customerId);
  if (!customer || customer.isDeleted) return null;
  const base = { key: testimonialNoticeKey(p), kind: p.kind, tenantId: p.tenantId };

  if (p.kind === "testimonial-received") {
    // Decided before the notice went out: nothing left to review.
    if (t.status !== "Pending") return null;
    const team = await findUsersWithRoles(deps.db, p.tenantId, ["MarketingManager"]);
    if (team.length === 0) {
      deps.log.warn({ testimonialId: t.id }, "no marketing manager with an email on file; testimonial notice not sent");
      return null;
    }
    return {
      ...base,
      email: {
        to: team.map((u) => ({ address: u.email!, ...(u.name ? { name: u.name } : {}) })),
        subject: `New testimonial to review: ${t.rating}/5 for ${customer.companyName}`,
        text: [
          `${t.authorName} wrote a ${t.rating}-star testimonial for ${customer.companyName} (${customer.customerNumber}); they asked for it to be ${t.isPublic ? "public" : "private"}.`,
          ...(t.containsProfanity ? ["It contained profanity, which has been masked."] : []),
          "",
          t.content,
        ].join("\n"),
      },
    };
  }

  if (t.status !== "Approved") return null;
  // The customer's own choice (email notifications off) and bounced addresses both mean: don't write.
  const recipient = await customerAddress(deps, p.tenantId, customer, () =>
    deps.log.info({ testimonialId: t.id }, "customer address suppressed; approval notice not sent"),
  );
  if (!recipient) return null;
  return {
    ...base,
    email: {
      to: [recipient],
      subject: "Thank you: your testimonial has been approved",
      text: [
        `Dear ${t.authorName},`,
        "",
        `Thank you for your ${t.rating}-star testimonial. It has been approved${t.isPublic ? " and will appear on our website" : ""}.`,
        "",
        t.content,
      ].join("\n"),
    },
  };
}
