import type { Address } from "../validation/address";
export type { Changes } from "../changes";

export const CUSTOMER_TYPES = ["Individual", "SmallBusiness", "Enterprise", "NonProfit", "Government"] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export const CUSTOMER_STATUSES = ["Active", "Inactive", "Suspended", "Archived"] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export const CUSTOMER_SEGMENTS = ["Standard", "Premium", "VIP", "Corporate"] as const;
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number];

export const CUSTOMER_RATINGS = ["Excellent", "Good", "Fair", "Poor", "Unrated"] as const;
export type CustomerRating = (typeof CUSTOMER_RATINGS)[number];

export const GENDERS = ["Female", "Male", "NonBinary", "Other", "PreferNotToSay"] as const;
export type Gender = (typeof GENDERS)[number];

/** 002's "Blocked" is one reason to suspend a customer (admin only). */
export const SUSPENSION_REASONS = ["Blocked", "Fraud", "PaymentOverdue", "PolicyViolation", "Other"] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];

export const SOCIAL_NETWORKS = ["linkedin", "twitter", "facebook"] as const;
export type SocialNetwork = (typeof SOCIAL_NETWORKS)[number];
export type SocialMediaLinks = Record<SocialNetwork, string | null>;
export const NO_SOCIAL_MEDIA_LINKS: SocialMediaLinks = { linkedin: null, twitter: null, facebook: null };

export const COMMUNICATION_CHANNELS = ["Email", "SMS", "Phone", "None"] as const;
export type CommunicationChannel = (typeof COMMUNICATION_CHANNELS)[number];

export type { Address };

export type Preferences = {
  communication: { channels: CommunicationChannel[]; frequency: string | null };
  preferredEventTypes: string[];
  interests: string[];
  preferredLanguage: string;
  timeZone: string;
  notifications: { email: boolean; sms: boolean; push: boolean };
  marketingConsent: boolean;
  dataProcessingConsent: boolean;
  /** 004 privacySettings.analyticsTracking: tracked behaviour is stored only while true (issue 13). */
  analyticsTracking: boolean;
};

export type ContactInfo = {
  primaryEmail: string;
  secondaryEmail: string | null;
  primaryPhone: string;
  secondaryPhone: string | null;
  billingAddress: Address;
  shippingAddress: Address | null;
};

export type Customer = {
  id: string;
  tenantId: string;
  customerNumber: string;
  type: CustomerType;
  companyName: string;
  firstName: string | null;
  lastName: string | null;
  industry: string | null;
  website: string | null;
  segment: CustomerSegment;
  lifetimeValue: string;
  totalEvents: number;
  rating: CustomerRating;
  status: CustomerStatus;
  contactInfo: ContactInfo;
  preferences: Preferences;
  isDeleted: boolean;
  deletedAt: Date | null;
  deletedBy: string | null;
  statusReason: string | null;
  createdAt: Date;
  createdBy: string;
  lastModifiedAt: Date | null;
  lastModifiedBy: string | null;
  version: number;
  notes: string | null;
  /** How the customer found us. */
  source: string | null;
  /** Normalized and sorted (see normalizeCustomerTags). */
  tags: string[];
  /** Individuals only: an ISO date (YYYY-MM-DD). */
  dateOfBirth: string | null;
  gender: Gender | null;
  socialMediaLinks: SocialMediaLinks;
  emailVerified: boolean;
  phoneVerified: boolean;
  /** Read-only projection of the last interaction (customer_activity); the domain never sets it. */
  lastActivityAt: Date | null;
  /** Issue 12 (LEDGER): a manual segment override, as loaded; only the value use cases change it, never the customer decisions. */
  segmentOverride?: { segment: CustomerSegment; reason: string; by: string; at: Date } | null;
  /** Issue 12 (RATING), read-only projections the domain never sets: a manager's rating override, the factors of the calculated rating, the loyalty tier, an inactivity flag. */
  ratingOverride?: { rating: CustomerRating; reason: string; by: string; at: Date } | null;
  ratingFactors?: unknown;
  loyaltyTier?: { tier: string; since: Date | null } | null;
  inactivity?: { flag: "InactiveRisk" | "Review"; since: Date; lastActivityAt: Date } | null;
};

/** REQ-CUS-016 defaults. */
export const DEFAULT_PREFERENCES: Preferences = {
  communication: { channels: ["Email"], frequency: null },
  preferredEventTypes: [],
  interests: [],
  preferredLanguage: "en",
  timeZone: "UTC",
  notifications: { email: true, sms: false, push: true },
  marketingConsent: false,
  dataProcessingConsent: true,
  analyticsTracking: true,
};

export type PreferencesPatch = {
  communication?: { channels?: CommunicationChannel[]; frequency?: string | null };
  preferredEventTypes?: string[];
  interests?: string[];
  preferredLanguage?: string;
  timeZone?: string;
  notifications?: { email?: boolean; sms?: boolean; push?: boolean };
  marketingConsent?: boolean;
  dataProcessingConsent?: boolean;
  analyticsTracking?: boolean;
};
