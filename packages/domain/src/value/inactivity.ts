/**
 * Inactivity (issue 12, 003 BR-6): a customer with no activity for the tenant's
 * CustomerInactivityThresholdDays (Appendix C: 180) is at risk; one inactive for over 24 months
 * is flagged for review. A customer who never had an activity counts from its creation.
 */
export const INACTIVITY_FLAGS = ["InactiveRisk", "Review"] as const;
export type InactivityFlag = (typeof INACTIVITY_FLAGS)[number];

export type InactivityRules = { inactivityThresholdDays: number; reviewAfterMonths: number };
export const DEFAULT_INACTIVITY_RULES: InactivityRules = { inactivityThresholdDays: 180, reviewAfterMonths: 24 };

const DAY_MS = 86_400_000;

/**
 * The instants a last activity is compared with: at or before `riskAt` is InactiveRisk (exactly
 * 180 days is inactive, 179 days and 23 hours is not); before `reviewBefore` (more than 24
 * calendar months ago) is Review.
 */
export function inactivityCutoffs(now: Date, rules: InactivityRules): { riskAt: Date; reviewBefore: Date } {
  const reviewBefore = new Date(now.getTime());
  reviewBefore.setUTCMonth(reviewBefore.getUTCMonth() - rules.reviewAfterMonths);
  return { riskAt: new Date(now.getTime() - rules.inactivityThresholdDays * DAY_MS), reviewBefore };
}

/** The flag a customer whose last activity was at `lastActivityAt` carries at `now`, or null. */
export function inactivityFlagFor(lastActivityAt: Date, now: Date, rules: InactivityRules): InactivityFlag | null {
  const { riskAt, reviewBefore } = inactivityCutoffs(now, rules);
  if (lastActivityAt < reviewBefore) return "Review";
  if (lastActivityAt <= riskAt) return "InactiveRisk";
  return null;
}

/** Why a customer is on the review list, in words. */
export function inactivityReason(flag: InactivityFlag, lastActivityAt: Date, hadActivity: boolean, now: Date, rules: InactivityRules): string {
  const days = Math.floor((now.getTime() - lastActivityAt.getTime()) / DAY_MS);
  const since = hadActivity ? `no activity for ${days} days` : `no activity since the customer was created ${days} days ago`;
  return flag === "Review" ? `${since}: inactive for over ${rules.reviewAfterMonths} months, to review` : `${since}: at risk of churn`;
}
