import { parseSignedMoney } from "../value/money";

/** 004's customer event types a client may track (SEGMENT_JOINED/LEFT are ours, not a client's), plus CUSTOM with a name. */
export const TRACKED_EVENT_TYPES = [
  "PAGE_VIEW",
  "PURCHASE",
  "LOGIN",
  "LOGOUT",
  "EMAIL_OPEN",
  "EMAIL_CLICK",
  "SMS_RECEIVED",
  "PUSH_RECEIVED",
  "PREFERENCE_CHANGED",
  "CONSENT_UPDATED",
  "CUSTOM",
] as const;
export type TrackedEventType = (typeof TRACKED_EVENT_TYPES)[number];

/** Bounds of one tracking request: events per batch and the serialized size of an event's data and device info. */
export const TRACKING_LIMITS = { batchEvents: 1000, dataBytes: 8192, deviceInfoBytes: 2048 } as const;

/** The analytics windows of GET /customers/{id}/analytics, in days. */
export const ACTIVITY_WINDOWS = [7, 30, 90] as const;

export type EngagementInput = {
  /** Days since the last tracked event; null when none was ever tracked. */
  daysSinceLastSeen: number | null;
  /** Distinct days with at least one tracked event in the last 30 days (0..30). */
  activeDays30: number;
  /** Events per type in the last 30 days. */
  counts30: Partial<Record<TrackedEventType, number>>;
};

export type ScoreFactor = { factor: "recency" | "frequency" | "breadth" | "conversion"; value: number; points: number; maxPoints: number };
export type EngagementScore = { score: number; factors: ScoreFactor[] };

function recencyPoints(days: number | null): number {
  if (days === null) return 0;
  if (days <= 1) return 30;
  if (days <= 7) return 22;
  if (days <= 30) return 12;
  if (days <= 90) return 4;
  return 0;
}

/**
 * 0..100 from four factors (each reported with its points so the score is explainable): recency of
 * the last event (30), active days in 30 (one point a day, 30), breadth — distinct event types in 30
 * days (4 each, 20) — and conversion, purchases in 30 days (10 each, 20). Integers only.
 */
export function engagementScore(input: EngagementInput): EngagementScore {
  const types = Object.entries(input.counts30).filter(([, n]) => (n ?? 0) > 0);
  const purchases = input.counts30.PURCHASE ?? 0;
  const activeDays = Math.max(0, Math.min(30, input.activeDays30));
  const factors: ScoreFactor[] = [
    { factor: "recency", value: input.daysSinceLastSeen ?? -1, points: recencyPoints(input.daysSinceLastSeen), maxPoints: 30 },
    { factor: "frequency", value: activeDays, points: activeDays, maxPoints: 30 },
    { factor: "breadth", value: types.length, points: Math.min(20, types.length * 4), maxPoints: 20 },
    { factor: "conversion", value: purchases, points: Math.min(20, purchases * 10), maxPoints: 20 },
  ];
  return { score: factors.reduce((s, f) => s + f.points, 0), factors };
}

export type RfmInput = {
  /** Days since the last tracked event; null when none. */
  daysSinceLastSeen: number | null;
  /** PURCHASE events tracked in the last 90 days. */
  purchases90: number;
  /** Lifetime value in the tenant's base currency (issue 12), an exact decimal string. */
  lifetimeValue: string;
};
export type RfmScores = { recency: number; frequency: number; monetary: number };

const RECENCY_DAYS = [90, 30, 14, 3]; // more than 90 days: 1; within 3 days: 5
const FREQUENCY_PURCHASES = [1, 2, 4, 8]; // none: 1; 8 or more in 90 days: 5
const MONETARY_CENTS = [10_000n, 50_000n, 200_000n, 1_000_000n]; // below 100.00: 1; 10,000.00 or more: 5

/** Classic 1..5 recency/frequency/monetary scores on fixed thresholds; money compared in exact cents. */
export function rfmScores(input: RfmInput): RfmScores {
  const recency = input.daysSinceLastSeen === null ? 1 : 1 + RECENCY_DAYS.filter((d) => input.daysSinceLastSeen! <= d).length;
  const frequency = 1 + FREQUENCY_PURCHASES.filter((n) => input.purchases90 >= n).length;
  const cents = parseSignedMoney(input.lifetimeValue, "lifetimeValue");
  const monetary = 1 + MONETARY_CENTS.filter((c) => cents >= c).length;
  return { recency, frequency, monetary };
}
