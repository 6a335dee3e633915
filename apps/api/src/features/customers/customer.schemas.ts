import "../../zod-setup";
import {
  COMMUNICATION_CHANNELS,
  CUSTOMER_RATINGS,
  CUSTOMER_SEGMENTS,
  CUSTOMER_STATUSES,
  CUSTOMER_TYPES,
  GENDERS,
  SUSPENSION_REASONS,
} from "@clientele/domain";
import { CUSTOMER_SORT_FIELDS } from "@clientele/db";
import { z } from "zod";
import { ZPossibleDuplicate } from "./customer-duplicate.schemas";
import { listOf, text, ZId, ZPage, ZPageSize } from "../shared.schemas";
import { customerValueFields } from "../value/rating.schemas";

// Edge validation: shapes and sizes. Content rules (email, phone, address) live in the domain.

const list = <T extends z.ZodType>(item: T) => listOf(item, 20);

const ZAddress = z.object({
  street: text(255),
  city: text(100),
  state: text(100),
  zipCode: text(20),
  country: text(100),
});

export const ZPreferencesPatch = z.object({
  communication: z
    .object({ channels: z.array(z.enum(COMMUNICATION_CHANNELS)).max(4).optional(), frequency: text(50).nullable().optional() })
    .optional(),
  /** Spec 001 §5.1.1 sends channels at the top level of preferences; both are accepted. */
  communicationChannels: z.array(z.enum(COMMUNICATION_CHANNELS)).max(4).optional(),
  preferredEventTypes: z.array(text(50)).max(50).optional(),
  interests: z.array(text(50)).max(50).optional(),
  preferredLanguage: text(20).optional(),
  timeZone: text(64).optional(),
  notifications: z.object({ email: z.boolean().optional(), sms: z.boolean().optional(), push: z.boolean().optional() }).optional(),
  marketingConsent: z.boolean().optional(),
  dataProcessingConsent: z.boolean().optional(),
  analyticsTracking: z.boolean().optional().describe("consent to behaviour tracking (004 privacySettings.analyticsTracking); while false, tracked events are counted as refused and not stored"),
});

const ZVersion = z.number().int().positive().optional().describe("The version you read; a stale one answers 409.");

// Content rules (control characters, hosts, age) are the domain's; these bound the sizes.
const ZSocialMediaLinksPatch = z
  .object({ linkedin: text(255).nullable().optional(), twitter: text(255).nullable().optional(), facebook: text(255).nullable().optional() })
  .describe("https URLs on linkedin.com, twitter.com or x.com, facebook.com; null removes one, an absent one is kept.");
const ZTags = z.array(text(60)).max(100).describe("Letters, digits, - and _, 1-50 characters each, case-insensitive, at most 50.");
const ZRecordFields = {
  notes: text(4000).nullable().optional().describe("Free text; line breaks and tabs allowed, other control characters not."),
  source: text(100).nullable().optional().describe("How the customer found us."),
  dateOfBirth: z.string().max(10, "must be a date as YYYY-MM-DD").nullable().optional().describe("Individuals only: YYYY-MM-DD, age 0-150."),
  gender: z.enum(GENDERS).nullable().optional().describe("Individuals only."),
  socialMediaLinks: ZSocialMediaLinksPatch.optional(),
};

export const ZCreateCustomerInput = z.object({
  type: z.enum(CUSTOMER_TYPES),
  companyName: text(200).optional(),
  firstName: text(100).optional(),
  lastName: text(100).optional(),
  industry: text(100).nullable().optional(),
  website: text(255).nullable().optional(),
  primaryEmail: text(320),
  secondaryEmail: text(320).nullable().optional(),
  primaryPhone: text(40),
  secondaryPhone: text(40).nullable().optional(),
  billingAddress: ZAddress,
  shippingAddress: ZAddress.nullable().optional(),
  shippingSameAsBilling: z.boolean().optional(),
  preferences: ZPreferencesPatch.optional(),
  ...ZRecordFields,
  tags: ZTags.optional(),
  emailVerified: z.boolean().optional(),
  phoneVerified: z.boolean().optional(),
});
export type TCreateCustomerInput = z.infer<typeof ZCreateCustomerInput>;

export const ZCreateCustomerOutput = z.object({
  id: z.string(),
  customerNumber: z.string(),
  companyName: z.string(),
  status: z.enum(CUSTOMER_STATUSES),
  createdAt: z.string(),
  version: z.number().int(),
  warnings: z.array(z.string()),
  /** Issue 10 §5: customers this one may duplicate; a warning, the customer was created. */
  possibleDuplicates: z.array(ZPossibleDuplicate),
});

export const ZGetCustomerInput = z.object({ id: ZId });

const ZAddressOut = z.object({ street: z.string(), city: z.string(), state: z.string(), zipCode: z.string(), country: z.string() });

const ZPreferences = z.object({
  communication: z.object({ channels: z.array(z.enum(COMMUNICATION_CHANNELS)), frequency: z.string().nullable() }),
  preferredEventTypes: z.array(z.string()),
  interests: z.array(z.string()),
  preferredLanguage: z.string(),
  timeZone: z.string(),
  notifications: z.object({ email: z.boolean(), sms: z.boolean(), push: z.boolean() }),
  marketingConsent: z.boolean(),
  dataProcessingConsent: z.boolean(),
  analyticsTracking: z.boolean(),
});

export const ZCustomer = z.object({
  id: z.string(),
  customerNumber: z.string(),
  profile: z.object({
    companyName: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    industry: z.string().nullable(),
    type: z.enum(CUSTOMER_TYPES),
    segment: z.enum(CUSTOMER_SEGMENTS),
    segmentOverride: z
      .object({ segment: z.enum(CUSTOMER_SEGMENTS), reason: z.string(), by: z.string(), at: z.string() })
      .nullable()
      .describe("A manual segment override (PUT /customers/{id}/segment-override); it holds until cleared."),
    lifetimeValue: z.number(),
    totalEvents: z.number().int(),
    rating: z.enum(CUSTOMER_RATINGS),
    notes: z.string().nullable(),
    source: z.string().nullable(),
    dateOfBirth: z.string().nullable(),
    gender: z.enum(GENDERS).nullable(),
    socialMediaLinks: z.object({ linkedin: z.string().nullable(), twitter: z.string().nullable(), facebook: z.string().nullable() }),
  }),
  contactInfo: z.object({
    primaryEmail: z.string(),
    secondaryEmail: z.string().nullable(),
    primaryPhone: z.string(),
    secondaryPhone: z.string().nullable(),
    billingAddress: ZAddressOut,
    shippingAddress: ZAddressOut.nullable(),
    website: z.string().nullable(),
    emailVerified: z.boolean(),
    phoneVerified: z.boolean(),
  }),
  preferences: ZPreferences,
  tags: z.array(z.string()),
  status: z.enum(CUSTOMER_STATUSES),
  statusReason: z.string().nullable(),
  lastActivityAt: z.string().nullable().describe("The last communication, call, meeting, complaint or testimonial (read-only)."),
  ...customerValueFields,
  createdAt: z.string(),
  createdBy: z.string(),
  lastModifiedAt: z.string().nullable(),
  lastModifiedBy: z.string().nullable(),
  version: z.number().int(),
});
export type TCustomer = z.infer<typeof ZCustomer>;

export const ZCustomerWriteOutput = ZCustomer.extend({ warnings: z.array(z.string()), possibleDuplicates: z.array(ZPossibleDuplicate) });

export const ZSearchCustomersInput = z.object({
  query: text(200).optional(),
  type: list(z.enum(CUSTOMER_TYPES)).optional(),
  segment: list(z.enum(CUSTOMER_SEGMENTS)).optional(),
  status: list(z.enum(CUSTOMER_STATUSES)).optional().describe("Default: every status but Archived."),
  tags: list(text(60)).optional().describe("Customers having every one of these tags (case-insensitive)."),
  page: ZPage,
  pageSize: ZPageSize,
  sort: list(
    z
      .string()
      .regex(
        new RegExp(`^(${Object.keys(CUSTOMER_SORT_FIELDS).join("|")})(:(asc|desc))?$`),
        `must be field[:asc|desc] with field one of ${Object.keys(CUSTOMER_SORT_FIELDS).join(", ")}`,
      ),
  )
    .optional()
    .describe("e.g. companyName:asc,createdAt:desc"),
});
export type TSearchCustomersInput = z.infer<typeof ZSearchCustomersInput>;

export const ZSearchCustomersOutput = z.object({
  items: z.array(ZCustomer),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});

export const ZUpdateProfileInput = z.object({
  id: ZId,
  version: ZVersion,
  companyName: text(200).optional(),
  firstName: text(100).nullable().optional(),
  lastName: text(100).nullable().optional(),
  industry: text(100).nullable().optional(),
  website: text(255).nullable().optional(),
  ...ZRecordFields,
  type: z.never({ error: "type cannot be changed after creation" }).optional(),
});

export const ZUpdateContactInfoInput = z.object({
  id: ZId,
  version: ZVersion,
  primaryEmail: text(320).optional(),
  secondaryEmail: text(320).nullable().optional(),
  primaryPhone: text(40).optional(),
  secondaryPhone: text(40).nullable().optional(),
  billingAddress: ZAddress.optional(),
  emailVerified: z.boolean().optional().describe("A changed primaryEmail is unverified unless this is sent with it."),
  phoneVerified: z.boolean().optional().describe("A changed primaryPhone is unverified unless this is sent with it."),
});

export const ZUpdateShippingAddressInput = z.object({
  id: ZId,
  version: ZVersion,
  shippingAddress: ZAddress.nullable().optional().describe("A complete address, or null to remove it."),
  sameAsBilling: z.boolean().optional().describe("Copy the billing address."),
});

export const ZUpdatePreferencesInput = ZPreferencesPatch.extend({ id: ZId, version: ZVersion });

export const ZStatusChangeInput = z.object({
  id: ZId,
  version: ZVersion,
  reason: text(500),
});

export const ZSuspendInput = z.object({
  id: ZId,
  version: ZVersion,
  reason: z.enum(SUSPENSION_REASONS).describe('Why: "Blocked" (002) is one of them.'),
  note: text(400).nullable().optional(),
});

export const ZStatusChangeOutput = z.object({ id: z.string(), status: z.enum(CUSTOMER_STATUSES), version: z.number().int() });

export const ZSetTagsInput = z.object({ id: ZId, version: ZVersion, tags: ZTags });

const { id: _id, version: _v, type: _t, ...profileFields } = ZUpdateProfileInput.shape;
const { id: _cid, version: _cv, ...contactInfoFields } = ZUpdateContactInfoInput.shape;

/**
 * PUT /customers/{id}: any of the sections, one change. The version is required (If-Match on REST,
 * or `version`): replacing several sections blindly would be too easy to get wrong.
 */
export const ZUpdateCustomerInput = z.object({
  id: ZId,
  version: z
    .number("is required: send If-Match: \"<version>\" or version in the body")
    .int()
    .positive()
    .describe("The version you read (or the If-Match header); required; a stale one answers 409."),
  profile: z.object({ ...profileFields, type: _t }).optional(),
  contactInfo: z.object(contactInfoFields).optional(),
  preferences: ZPreferencesPatch.optional(),
});
export type TUpdateCustomerInput = z.infer<typeof ZUpdateCustomerInput>;

export const ZDeleteCustomerInput = z.object({
  id: ZId,
  version: ZVersion,
  reason: text(500).describe("Why (at least 3 characters): as ?reason= or in a JSON body."),
});

const ZAuditEntry = z.object({
  action: z.string(),
  actorId: z.string(),
  occurredAt: z.string(),
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
});
export const ZCustomerHistoryOutput = z.object({ items: z.array(ZAuditEntry) });
