import {
  activeCustomersPerDay,
  activeCustomersPerMonth,
  customerLastSeen,
  customerRollups,
  findCustomerById,
  newCustomersPerDay,
  retentionCohorts,
  tierDistribution,
} from "@clientele/db";
import { ACTIVITY_WINDOWS, customerNotFound, engagementScore, rfmScores, type Actor, type TrackedEventType } from "@clientele/domain";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import type { ZCohorts, ZCustomerAnalytics } from "./analytics.schemas";

const DAY_MS = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const daysBefore = (d: Date, n: number) => dayOf(new Date(d.getTime() - n * DAY_MS));

/** GET /customers/{id}/analytics: from the customer's rollups (90 days) and last-seen row only. */
export async function customerAnalytics(deps: AppDeps, actor: Actor, customerId: string): Promise<z.infer<typeof ZCustomerAnalytics>> {
  const now = deps.now();
  const widest = Math.max(...ACTIVITY_WINDOWS);
  const [customer, rollups, lastSeen] = await Promise.all([
    findCustomerById(deps.db, actor.tenantId, customerId),
    customerRollups(deps.db, actor.tenantId, customerId, daysBefore(now, widest - 1)),
    customerLastSeen(deps.db, actor.tenantId, customerId),
  ]);
  if (!customer || customer.isDeleted) throw customerNotFound();
  const windows = ACTIVITY_WINDOWS.map((days) => {
    const since = daysBefore(now, days - 1);
    const byType: Partial<Record<TrackedEventType, number>> = {};
    const custom: Record<string, number> = {};
    let total = 0;
    for (const r of rollups) {
      if (r.day < since) continue;
      total += r.count;
      const type = r.eventType as TrackedEventType;
      byType[type] = (byType[type] ?? 0) + r.count;
      if (type === "CUSTOM") custom[r.name] = (custom[r.name] ?? 0) + r.count;
    }
    return { days, total, byType, custom };
  });
  const since30 = daysBefore(now, 29);
  const activeDays30 = new Set(rollups.filter((r) => r.day >= since30).map((r) => r.day)).size;
  const daysSinceLastSeen = lastSeen ? Math.max(0, Math.floor((now.getTime() - lastSeen.getTime()) / DAY_MS)) : null;
  const counts30 = windows.find((w) => w.days === 30)!.byType;
  const purchases90 = windows.find((w) => w.days === widest)!.byType.PURCHASE ?? 0;
  return {
    customerId,
    asOf: dayOf(now),
    windows,
    lastSeenAt: lastSeen?.toISOString() ?? null,
    engagement: engagementScore({ daysSinceLastSeen, activeDays30, counts30 }),
    rfm: rfmScores({ daysSinceLastSeen, purchases90, lifetimeValue: customer.lifetimeValue }),
    lifetimeValue: customer.lifetimeValue,
  };
}

const startOfDay = (day: string) => new Date(`${day}T00:00:00Z`);

export async function newCustomers(deps: AppDeps, actor: Actor, range: { from: string; to: string }) {
  return { days: await newCustomersPerDay(deps.db, actor.tenantId, startOfDay(range.from), new Date(startOfDay(range.to).getTime() + DAY_MS)) };
}

export async function activeCustomers(deps: AppDeps, actor: Actor, range: { from: string; to: string }) {
  const [daily, monthly] = await Promise.all([activeCustomersPerDay(deps.db, actor.tenantId, range.from, range.to), activeCustomersPerMonth(deps.db, actor.tenantId, range.from.slice(0, 7), range.to.slice(0, 7))]);
  return { daily, monthly };
}

export async function tiers(deps: AppDeps, actor: Actor) {
  return { tiers: await tierDistribution(deps.db, actor.tenantId) };
}

const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;

/** Active share with 4 decimals, in integers (no float rounding drift). */
function rate(part: number, whole: number): string {
  if (whole === 0) return "0.0000";
  const scaled = Math.floor((part * 10_000 + Math.floor(whole / 2)) / whole);
  return `${Math.floor(scaled / 10_000)}.${String(scaled % 10_000).padStart(4, "0")}`;
}

export async function cohorts(deps: AppDeps, actor: Actor, fromMonth: string): Promise<z.infer<typeof ZCohorts>> {
  const { sizes, active } = await retentionCohorts(deps.db, actor.tenantId, startOfDay(`${fromMonth}-01`), dayOf(deps.now()).slice(0, 7));
  return {
    cohorts: sizes.map((s) => ({
      cohort: s.cohort,
      customers: s.customers,
      active: active
        .filter((a) => a.cohort === s.cohort && a.month >= s.cohort)
        .map((a) => ({ month: a.month, monthOffset: monthIndex(a.month) - monthIndex(s.cohort), customers: a.customers, rate: rate(a.customers, s.customers) })),
    })),
  };
}
