import { contactTransferRouter } from "../features/contacts/contact-transfer.router";
import { contactRouter } from "../features/contacts/contact.router";
import { communicationRouter, templateRouter } from "../features/communications/communication.router";
import { complaintRouter } from "../features/complaints/complaint.router";
import { customerBulkRouter } from "../features/customers/customer-bulk.router";
import { customerDuplicateRouter } from "../features/customers/customer-duplicate.router";
import { customerMergeRouter } from "../features/customers/customer-merge.router";
import { customerSearchRouter } from "../features/customers/customer-search.router";
import { customerTransferRouter } from "../features/customers/customer-transfer.router";
import { customerRouter } from "../features/customers/customer.router";
import { fileRouter } from "../features/files/file.router";
import { followUpRouter } from "../features/follow-ups/follow-up.router";
import { liveRouter } from "../features/live/live.router";
import { testimonialRouter } from "../features/testimonials/testimonial.router";
import { transactionRouter } from "../features/value/transaction.router";
import { valueSettingsRouter } from "../features/value/value-settings.router";
import { attendanceRouter } from "../features/value/attendance.router";
import { inactivityRouter } from "../features/value/inactivity.router";
import { loyaltyRouter } from "../features/value/loyalty.router";
import { ratingRouter } from "../features/value/rating.router";
import { trackingRouter } from "../features/tracking/tracking.router";
import { segmentRouter } from "../features/segmentation/segment.router";
import { mergeRouters, router } from "./trpc";

export const appRouter = router({
  customers: mergeRouters(customerRouter, customerMergeRouter, customerSearchRouter, customerDuplicateRouter, customerBulkRouter, customerTransferRouter),
  contacts: contactRouter,
  contactTransfer: contactTransferRouter,
  communications: communicationRouter,
  templates: templateRouter,
  followUps: followUpRouter,
  files: fileRouter,
  complaints: complaintRouter,
  testimonials: testimonialRouter,
  live: liveRouter,
  transactions: transactionRouter,
  valueSettings: valueSettingsRouter,
  attendance: attendanceRouter,
  rating: ratingRouter,
  loyalty: loyaltyRouter,
  inactivity: inactivityRouter,
  tracking: trackingRouter,
  segments: segmentRouter,
});

export type AppRouter = typeof appRouter;
