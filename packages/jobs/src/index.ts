export * from "./queues";
export * from "./job-deps";
export * from "./contact-import.job";
export * from "./contact-export.job";
export * from "./file-retention.job";
export * from "./messaging.jobs";
export * from "./complaint.jobs";
export * from "./testimonial-notices";
