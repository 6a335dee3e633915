import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** mysql2 returns JSON as text on MariaDB (JSON is LONGTEXT there) and parsed on MySQL 8. */
export type Json<T> = ColumnType<T | string, string, string>;

export type TenantsTable = {
  id: string;
  name: string | null;
  settings: Json<Record<string, unknown>>;
  createdAt: ColumnType<Date, Date, never>;
};

export type SequencesTable = {
  tenantId: string;
  name: string;
  lastValue: number;
};

export type CustomersTable = {
  id: string;
  tenantId: string;
  customerNumber: string;
  type: string;
  companyName: string;
  firstName: string | null;
  lastName: string | null;
  industry: string | null;
  website: string | null;
  segment: string;
  lifetimeValue: ColumnType<string, string | undefined, string>;
  totalEvents: ColumnType<number, number | undefined, number>;
  rating: string;
  status: string;
  primaryEmail: string;
  secondaryEmail: string | null;
  primaryPhone: string;
  secondaryPhone: string | null;
  billingStreet: string;
  billingCity: string;
  billingState: string;
  billingZipCode: string;
  billingCountry: string;
  shippingStreet: string | null;
  shippingCity: string | null;
  shippingState: string | null;
  shippingZipCode: string | null;
  shippingCountry: string | null;
  preferences: Json<unknown>;
  isDeleted: number;
  deletedAt: Date | null;
  deletedBy: string | null;
  statusReason: string | null;
  createdAt: Date;
  createdBy: string;
  lastModifiedAt: Date | null;
  lastModifiedBy: string | null;
  version: number;
  notes: ColumnType<string | null, string | null | undefined, string | null>;
  source: ColumnType<string | null, string | null | undefined, string | null>;
  dateOfBirth: ColumnType<Date | null, string | null | undefined, string | null>;
  gender: ColumnType<string | null, string | null | undefined, string | null>;
  socialMediaLinks: ColumnType<unknown, string | null | undefined, string | null>;
  emailVerified: ColumnType<number, number | undefined, number>;
  phoneVerified: ColumnType<number, number | undefined, number>;
  /** Generated: lower(primary_email) while not deactivated; unique per tenant. */
  activeEmail: ColumnType<string | null, never, never>;
  /** Rating (RATING): the table's result, its factors, and a manager's override (customers.rating shows the override while it stands). */
  calculatedRating: ColumnType<string, string | undefined, string>;
  ratingFactors: ColumnType<unknown, string | null | undefined, string | null>;
  ratingOverride: ColumnType<string | null, string | null | undefined, string | null>;
  ratingOverrideReason: ColumnType<string | null, string | null | undefined, string | null>;
  ratingOverrideBy: ColumnType<string | null, string | null | undefined, string | null>;
  ratingOverrideAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  loyaltyTier: ColumnType<string | null, string | null | undefined, string | null>;
  loyaltyTierSince: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Issue 12: a manual segment override (the segment it holds), who, when and why; null when none. */
  segmentOverride: ColumnType<string | null, string | null | undefined, string | null>;
  segmentOverrideReason: ColumnType<string | null, string | null | undefined, string | null>;
  segmentOverrideBy: ColumnType<string | null, string | null | undefined, string | null>;
  segmentOverrideAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

/** Issue 12: the ledger (money as DECIMAL strings; mysql2 returns decimals as strings). */
export type CustomerTransactionsTable = {
  id: string;
  tenantId: string;
  customerId: string;
  kind: string;
  category: string;
  status: string;
  amount: string;
  currency: string;
  exchangeRate: string;
  baseAmount: string;
  occurredAt: Date;
  dueAt: Date | null;
  late: number;
  externalReference: string | null;
  idempotencyKey: string;
  contentHash: string;
  source: string;
  createdAt: Date;
  createdBy: string;
};
export type CustomerLtvHistoryTable = {
  id: Generated<number>;
  tenantId: string;
  customerId: string;
  at: Date;
  lifetimeValue: string;
  delta: string;
  transactionId: string | null;
};
export type CustomerSegmentHistoryTable = {
  id: Generated<number>;
  tenantId: string;
  customerId: string;
  fromSegment: string;
  toSegment: string;
  reason: string;
  note: string | null;
  changedBy: string;
  changedAt: Date;
};

export type CustomerTagsTable = { tenantId: string; customerId: string; tag: string };
export type CustomerActivityTable = { tenantId: string; customerId: string; lastActivityAt: Date };
/** Advanced search lookups (issue 10 §2): name-word keys and 4-digit phone windows per customer. */
export type CustomerNameKeysTable = { tenantId: string; nameKey: string; customerId: string };
export type CustomerPhoneGramsTable = { tenantId: string; gram: string; customerId: string };

export type AuditLogTable = {
  id: Generated<number>;
  tenantId: string;
  entityType: string;
  entityId: string;
  action: string;
  actorId: string;
  occurredAt: Date;
  changes: Json<unknown>;
  traceId: string | null;
};

/** Events a stream consumer group has applied (dedupe of at-least-once delivery). */
export type ConsumedEventsTable = {
  consumerGroup: string;
  eventId: string;
  tenantId: string;
  consumedAt: Date;
};

/** Issue 13 §2: raw tracked behaviour, partitioned by month on occurredAt (written by the ingest worker). */
export type CustomerEventsTable = {
  id: string;
  tenantId: string;
  customerId: string;
  eventType: string;
  name: string;
  eventData: Json<unknown> | null;
  sessionId: string | null;
  deviceInfo: Json<unknown> | null;
  clientEventId: string | null;
  occurredAt: Date;
  receivedAt: Date;
};

/** Client event ids already stored (tracking idempotency). */
export type CustomerEventKeysTable = { tenantId: string; clientEventId: string; receivedAt: Date };

/** Tracked events per customer, UTC day, type and CUSTOM name ('' otherwise). */
export type CustomerEventRollupsTable = { tenantId: string; customerId: string; day: string; eventType: string; name: string; count: number };

export type CustomerLastSeenTable = { tenantId: string; customerId: string; lastSeenAt: Date };

/** Each customer once per period it was active in ('YYYY-MM-DD' or 'YYYY-MM'), and the per-period counts. */
export type CustomerActivePeriodsTable = { tenantId: string; period: string; customerId: string };
export type TenantActiveCountsTable = { tenantId: string; period: string; customers: number };
/** Customers of signup month `cohort` active in month `period` (YYYY-MM both). */
export type TenantCohortCountsTable = { tenantId: string; cohort: string; period: string; customers: number };

/** Issue 13 §1: segment definitions (criteria JSON for dynamic ones), their members and membership periods. */
export type CustomerSegmentsTable = {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  ruleId: string | null;
  kind: string;
  criteria: ColumnType<unknown, string | null, string | null>;
  status: string;
  customerCount: ColumnType<number, number | undefined, number>;
  lastCalculatedAt: Date | null;
  calcTotal: number | null;
  calcDone: number | null;
  calcError: string | null;
  version: ColumnType<number, number | undefined, number>;
  createdBy: string;
  createdAt: Date;
  updatedBy: string | null;
  updatedAt: Date | null;
  deletedBy: string | null;
  deletedAt: Date | null;
  activeName: ColumnType<string | null, never, never>;
};
export type CustomerSegmentMembershipTable = { tenantId: string; segmentId: string; customerId: string; joinedAt: Date; reason: string };
export type CustomerSegmentMembershipHistoryTable = {
  id: Generated<number>;
  tenantId: string;
  segmentId: string;
  customerId: string;
  joinedAt: Date;
  joinReason: string;
  leftAt: Date | null;
  leaveReason: string | null;
};

export type DomainEventsTable = {
  seq: Generated<number>;
  id: string;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  eventType: string;
  topic: string;
  payload: Json<unknown>;
  occurredAt: Date;
  actor: string;
  publishedAt: Date | null;
};

export type ContactsTable = {
  id: string;
  tenantId: string;
  customerId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  position: string | null;
  isPrimary: number;
  status: string;
  removedAt: Date | null;
  removedBy: string | null;
  removalReason: string | null;
  createdAt: Date;
  createdBy: string;
  lastModifiedAt: Date | null;
  lastModifiedBy: string | null;
  version: number;
  activeEmail: ColumnType<string | null, never, never>;
};

export type ContactTagsTable = { tenantId: string; contactId: string; tag: string };

export type ContactImportsTable = {
  id: string;
  tenantId: string;
  status: string;
  format: string;
  mode: string;
  dryRun: number;
  options: Json<unknown>;
  fileKey: string;
  fileName: string | null;
  totalRows: number;
  processedRows: ColumnType<number, number | undefined, number>;
  importedCount: ColumnType<number, number | undefined, number>;
  updatedCount: ColumnType<number, number | undefined, number>;
  failedCount: ColumnType<number, number | undefined, number>;
  failureReason: ColumnType<string | null, string | null | undefined, string | null>;
  createdBy: string;
  createdAt: Date;
  startedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  completedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Whose rows the import writes: "Contact" or "Customer". */
  kind: ColumnType<string, string | undefined, string>;
};

export type ContactImportErrorsTable = {
  id: Generated<number>;
  importId: string;
  rowNumber: number;
  field: string;
  reason: string;
};

export type ContactExportsTable = {
  id: string;
  tenantId: string;
  status: string;
  format: string;
  options: Json<unknown>;
  recordCount: number | null;
  fileKey: string | null;
  failureReason: string | null;
  createdBy: string;
  createdAt: Date;
  completedAt: Date | null;
  /** Whose rows the export reads: "Contact" or "Customer". */
  kind: ColumnType<string, string | undefined, string>;
};

export type CustomerBulkJobsTable = {
  id: string;
  tenantId: string;
  operation: string;
  status: string;
  options: Json<unknown>;
  total: number;
  processed: ColumnType<number, number | undefined, number>;
  succeeded: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  failureReason: ColumnType<string | null, string | null | undefined, string | null>;
  createdBy: string;
  createdAt: Date;
  completedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

export type CustomerBulkItemsTable = {
  jobId: string;
  position: number;
  customerId: string;
  outcome: ColumnType<string | null, string | null | undefined, string | null>;
  message: ColumnType<string | null, string | null | undefined, string | null>;
};

type Opt<T> = ColumnType<T, T | undefined, T>;

export type CommunicationsTable = {
  id: string;
  tenantId: string;
  customerId: string;
  type: string;
  purpose: string;
  direction: string;
  status: string;
  subject: Opt<string | null>;
  bodyText: Opt<string | null>;
  bodyHtml: Opt<string | null>;
  recipientEmail: Opt<string | null>;
  recipientPhone: Opt<string | null>;
  templateId: Opt<string | null>;
  attachments: ColumnType<unknown, string | null | undefined, string | null>;
  segments: Opt<number | null>;
  encoding: Opt<string | null>;
  providerMessageId: Opt<string | null>;
  failureReason: Opt<string | null>;
  durationSeconds: Opt<number | null>;
  scheduledStart: Opt<Date | null>;
  scheduledEnd: Opt<Date | null>;
  location: Opt<string | null>;
  meetingLink: Opt<string | null>;
  isVirtual: Opt<number | null>;
  attendees: ColumnType<unknown, string | null | undefined, string | null>;
  reminderMinutes: ColumnType<unknown, string | null | undefined, string | null>;
  sequence: Opt<number>;
  notes: Opt<string | null>;
  occurredAt: Date;
  createdAt: Date;
  createdBy: string;
  sendingStartedAt: Opt<Date | null>;
  sentAt: Opt<Date | null>;
  deliveredAt: Opt<Date | null>;
  statusChangedAt: Opt<Date | null>;
  /** The failed message this one resends. */
  resentFromId: Opt<string | null>;
  version: Opt<number>;
};

export type MessageTemplatesTable = {
  id: string;
  tenantId: string;
  name: string;
  channel: string;
  purpose: string;
  subject: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
  status: string;
  createdAt: Date;
  createdBy: string;
  lastModifiedAt: Opt<Date | null>;
  lastModifiedBy: Opt<string | null>;
  version: Opt<number>;
};

export type EmailSuppressionsTable = { tenantId: string; email: string; reason: string; communicationId: string | null; createdAt: Date };
export type SmsOptOutsTable = { phone: string; keyword: string; optedOutAt: Date };

export type FollowUpsTable = {
  id: string;
  tenantId: string;
  customerId: string;
  subject: string;
  description: string | null;
  dueDate: Date;
  priority: string;
  status: string;
  assignedTo: string | null;
  completedAt: Opt<Date | null>;
  completedBy: Opt<string | null>;
  createdAt: Date;
  createdBy: string;
  version: Opt<number>;
};

export type UsersTable = { tenantId: string; id: string; name: string | null; email: string | null; roles: Json<string[]>; lastSeenAt: Date };

export type FilesTable = {
  id: string;
  tenantId: string;
  storageKey: string;
  fileName: string;
  contentType: string;
  size: number;
  purpose: string;
  createdAt: Date;
  createdBy: string;
};

export type NotificationLogTable = {
  key: string;
  tenantId: string;
  kind: string;
  status: string;
  recipients: number;
  claimedAt: Date;
  sentAt: Date | null;
  failureReason: string | null;
};

export type ComplaintsTable = {
  id: string;
  tenantId: string;
  customerId: string;
  complaintNumber: string;
  subject: string;
  description: string;
  category: string | null;
  priority: string;
  status: string;
  previousStatus: Opt<string | null>;
  relatedEventId: string | null;
  assignedTo: string | null;
  attachments: ColumnType<unknown, string | null | undefined, string | null>;
  resolution: Opt<string | null>;
  resolvedBy: Opt<string | null>;
  resolvedAt: Opt<Date | null>;
  resolutionTimeHours: Opt<number | null>;
  compensationOffered: Opt<string | null>;
  customerSatisfied: Opt<number | null>;
  escalatedAt: Opt<Date | null>;
  escalatedBy: Opt<string | null>;
  escalationNotifiedAt: Opt<Date | null>;
  createdAt: Date;
  createdBy: string;
  lastModifiedAt: Opt<Date | null>;
  lastModifiedBy: Opt<string | null>;
  version: Opt<number>;
};

export type ComplaintStatusHistoryTable = {
  id: Generated<number>;
  complaintId: string;
  tenantId: string;
  fromStatus: string | null;
  toStatus: string;
  notes: string;
  changedBy: string;
  changedAt: Date;
};

export type TestimonialsTable = {
  id: string;
  tenantId: string;
  customerId: string;
  content: string;
  rating: number;
  relatedEventId: string | null;
  isPublic: number;
  status: string;
  containsProfanity: number;
  authorName: string;
  approvedBy: Opt<string | null>;
  approvedAt: Opt<Date | null>;
  rejectedBy: Opt<string | null>;
  rejectedAt: Opt<Date | null>;
  rejectionReason: Opt<string | null>;
  createdAt: Date;
  createdBy: string;
  version: Opt<number>;
};

export type CustomerSearchTermsTable = {
  tenantId: string;
  term: string;
  customerId: string;
  isDeleted: number;
  status: string;
  type: string;
  segment: string;
  companyName: string;
  customerNumber: string;
  createdAt: Date;
  lastModifiedAt: Date | null;
};

export type CustomerMergesTable = {
  id: string;
  tenantId: string;
  sourceCustomerId: string;
  targetCustomerId: string;
  options: Json<unknown>;
  fieldChoices: Json<unknown>;
  /** JSON text: per moved kind, the records with their version once moved. */
  moved: string;
  droppedContacts: Json<unknown>;
  tagsAdded: Json<unknown>;
  targetFields: Json<unknown>;
  sourceBefore: Json<unknown>;
  sourceVersion: number;
  mergedAt: Date;
  mergedBy: string;
  undoneAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  undoneBy: ColumnType<string | null, string | null | undefined, string | null>;
};

/** Duplicate detection (issue 10 §5): match keys, candidate pairs, dismissals, pending work, scans. */
export type CustomerMatchKeysTable = { tenantId: string; keyKind: string; keyHash: Buffer; customerId: string };
export type CustomerDuplicatePairsTable = {
  tenantId: string;
  customerA: string;
  customerB: string;
  score: number;
  /** JSON array of reasons. */
  reasons: string;
  detectedAt: Date;
  checkedAt: Date;
};
export type CustomerDuplicateDismissalsTable = { tenantId: string; customerA: string; customerB: string; dismissedBy: string; dismissedAt: Date };
export type CustomerDuplicateDirtyTable = { tenantId: string; customerId: string; version: number; markedAt: Date };
export type CustomerDuplicateScansTable = {
  id: string;
  tenantId: string;
  status: string;
  totalKeys: ColumnType<number, number | undefined, number>;
  processedKeys: ColumnType<number, number | undefined, number>;
  pairsFound: ColumnType<number, number | undefined, number>;
  failureReason: ColumnType<string | null, string | null | undefined, string | null>;
  createdBy: string;
  createdAt: Date;
  startedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  completedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

/** Customer value (issue 12, RATING): attendance, rating and loyalty history, inactivity flags, loyalty runs. */
export type CustomerAttendanceTable = {
  id: string;
  tenantId: string;
  customerId: string;
  eventRef: string;
  eventName: string | null;
  status: string;
  occurredAt: Date;
  idempotencyKey: string;
  source: string;
  createdAt: Date;
  createdBy: string;
};
export type CustomerRatingHistoryTable = {
  id: Generated<number>;
  tenantId: string;
  customerId: string;
  rating: string;
  calculatedRating: string;
  change: string;
  rule: string | null;
  factors: ColumnType<unknown, string | null, string | null>;
  reason: string | null;
  changedBy: string;
  changedAt: Date;
};
export type CustomerLoyaltyHistoryTable = {
  id: Generated<number>;
  tenantId: string;
  customerId: string;
  fromTier: string | null;
  toTier: string;
  spend: string;
  runId: string;
  changedAt: Date;
};
export type CustomerInactivityTable = { customerId: string; tenantId: string; flag: string; since: Date; lastActivityAt: Date; hadActivity: number };
export type ValueRecalculationsTable = {
  id: string;
  tenantId: string;
  kind: string;
  period: string;
  status: string;
  asOf: Date;
  lastCustomerId: Opt<string | null>;
  total: Opt<number>;
  processed: Opt<number>;
  changed: Opt<number>;
  failureReason: Opt<string | null>;
  createdBy: string;
  createdAt: Date;
  startedAt: Opt<Date | null>;
  completedAt: Opt<Date | null>;
};

export type Database = {
  tenants: TenantsTable;
  sequences: SequencesTable;
  customers: CustomersTable;
  customerSearchTerms: CustomerSearchTermsTable;
  customerTags: CustomerTagsTable;
  customerActivity: CustomerActivityTable;
  customerNameKeys: CustomerNameKeysTable;
  customerPhoneGrams: CustomerPhoneGramsTable;
  customerMatchKeys: CustomerMatchKeysTable;
  customerDuplicatePairs: CustomerDuplicatePairsTable;
  customerDuplicateDismissals: CustomerDuplicateDismissalsTable;
  customerDuplicateDirty: CustomerDuplicateDirtyTable;
  customerDuplicateScans: CustomerDuplicateScansTable;
  auditLog: AuditLogTable;
  domainEvents: DomainEventsTable;
  customerSegments: CustomerSegmentsTable;
  customerSegmentMembership: CustomerSegmentMembershipTable;
  customerSegmentMembershipHistory: CustomerSegmentMembershipHistoryTable;
  consumedEvents: ConsumedEventsTable;
  customerEvents: CustomerEventsTable;
  customerEventKeys: CustomerEventKeysTable;
  customerEventRollups: CustomerEventRollupsTable;
  customerLastSeen: CustomerLastSeenTable;
  customerActivePeriods: CustomerActivePeriodsTable;
  tenantActiveCounts: TenantActiveCountsTable;
  tenantCohortCounts: TenantCohortCountsTable;
  contacts: ContactsTable;
  contactTags: ContactTagsTable;
  contactImports: ContactImportsTable;
  contactImportErrors: ContactImportErrorsTable;
  contactExports: ContactExportsTable;
  customerBulkJobs: CustomerBulkJobsTable;
  customerBulkItems: CustomerBulkItemsTable;
  communications: CommunicationsTable;
  messageTemplates: MessageTemplatesTable;
  emailSuppressions: EmailSuppressionsTable;
  smsOptOuts: SmsOptOutsTable;
  followUps: FollowUpsTable;
  users: UsersTable;
  files: FilesTable;
  notificationLog: NotificationLogTable;
  complaints: ComplaintsTable;
  complaintStatusHistory: ComplaintStatusHistoryTable;
  testimonials: TestimonialsTable;
  customerMerges: CustomerMergesTable;
  customerAttendance: CustomerAttendanceTable;
  customerRatingHistory: CustomerRatingHistoryTable;
  customerLoyaltyHistory: CustomerLoyaltyHistoryTable;
  customerInactivity: CustomerInactivityTable;
  valueRecalculations: ValueRecalculationsTable;
  customerTransactions: CustomerTransactionsTable;
  customerLtvHistory: CustomerLtvHistoryTable;
  customerSegmentHistory: CustomerSegmentHistoryTable;
};

export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomerRow = Insertable<CustomersTable>;
export type CustomerRowUpdate = Updateable<CustomersTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type DomainEventRow = Selectable<DomainEventsTable>;

export function parseJson<T>(value: T | string): T {
  return typeof value === "string" ? (JSON.parse(value) as T) : value;
}
