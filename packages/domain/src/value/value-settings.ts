import { z } from "zod";
import { currencyProblem, moneyProblem, normalizeMoney, normalizeRate, parseMoney, rateProblem } from "./money";

/** A DECIMAL(18,2) amount as a string ("10000.00"): never a JSON number, so never a float. */
export const ZMoneyString = z
  .string()
  .max(20)
  .superRefine((s, ctx) => {
    const problem = moneyProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({ description: "exact decimal amount with at most 2 decimals, as a string", example: "1234.50" });

/** A DECIMAL(18,8) exchange rate as a string. */
export const ZRateString = z
  .string()
  .max(20)
  .superRefine((s, ctx) => {
    const problem = rateProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({ description: "exchange rate to the base currency (1 unit of the currency = rate units of base), at most 8 decimals", example: "1.08250000" });

export const ZCurrencyCode = z
  .string()
  .superRefine((s, ctx) => {
    const problem = currencyProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({ description: "ISO 4217 currency code", example: "EUR" });

export const ZLoyaltyTier = z.object({ name: z.string().trim().min(1).max(30), minSpend: ZMoneyString });

/** Keys checked here rather than as a record key schema, so a bad code gets its own message at its own path. */
const ZExchangeRates = z.record(z.string(), ZRateString).superRefine((rates, ctx) => {
  for (const code of Object.keys(rates)) {
    const problem = currencyProblem(code);
    if (problem) ctx.addIssue({ code: "custom", path: [code], message: problem });
  }
});

const ZThresholds = z.object({ premium: ZMoneyString, vip: ZMoneyString });

/**
 * The tenant's customer-value settings (tenants.settings.value). Appendix C gives the LTV
 * thresholds and CustomerInactivityThresholdDays; 003 BR-8 the loyalty tiers, BR-6 the review age.
 */
export const ZValueSettings = z
  .object({
    baseCurrency: ZCurrencyCode,
    lifetimeValueThresholds: ZThresholds,
    /** Rates for converting other currencies when a transaction brings none. */
    exchangeRates: ZExchangeRates,
    loyaltyTiers: z.array(ZLoyaltyTier).min(1).max(10),
    inactivityThresholdDays: z.int().min(1).max(3650),
    reviewAfterMonths: z.int().min(1).max(600),
  })
  .superRefine((s, ctx) => {
    const problems = thresholdProblems(s);
    for (const [path, message] of problems) ctx.addIssue({ code: "custom", path, message });
  });

export type ValueSettings = z.infer<typeof ZValueSettings>;

export const DEFAULT_VALUE_SETTINGS: ValueSettings = {
  baseCurrency: "USD",
  lifetimeValueThresholds: { premium: "10000.00", vip: "50000.00" },
  exchangeRates: {},
  loyaltyTiers: [
    { name: "Bronze", minSpend: "0.00" },
    { name: "Silver", minSpend: "1000.00" },
    { name: "Gold", minSpend: "5000.00" },
    { name: "Platinum", minSpend: "20000.00" },
  ],
  inactivityThresholdDays: 180,
  reviewAfterMonths: 24,
};

/** Cross-field rules: VIP above Premium, tiers in rising order from zero with distinct names. */
function thresholdProblems(s: ValueSettings): [(string | number)[], string][] {
  const out: [(string | number)[], string][] = [];
  if (!moneyProblem(s.lifetimeValueThresholds.premium) && !moneyProblem(s.lifetimeValueThresholds.vip)) {
    if (parseMoney(s.lifetimeValueThresholds.vip) <= parseMoney(s.lifetimeValueThresholds.premium)) {
      out.push([["lifetimeValueThresholds", "vip"], "must be greater than the premium threshold"]);
    }
  }
  const names = new Set<string>();
  let previous: bigint | null = null;
  s.loyaltyTiers.forEach((tier, i) => {
    if (names.has(tier.name.toLowerCase())) out.push([["loyaltyTiers", i, "name"], "must be unique"]);
    names.add(tier.name.toLowerCase());
    if (moneyProblem(tier.minSpend)) return;
    const spend = parseMoney(tier.minSpend);
    if (i === 0 && spend !== 0n) out.push([["loyaltyTiers", 0, "minSpend"], "the first tier must start at 0.00"]);
    if (previous !== null && spend <= previous) out.push([["loyaltyTiers", i, "minSpend"], "must be greater than the previous tier's"]);
    previous = spend;
  });
  if (s.exchangeRates[s.baseCurrency] !== undefined) out.push([["exchangeRates", s.baseCurrency], "the base currency needs no rate"]);
  return out;
}

/** Canonical decimal strings ("5" → "5.00", "1.1" → "1.10000000"), as stored and returned. */
export function normalizeValueSettings(s: ValueSettings): ValueSettings {
  return {
    ...s,
    lifetimeValueThresholds: { premium: normalizeMoney(s.lifetimeValueThresholds.premium), vip: normalizeMoney(s.lifetimeValueThresholds.vip) },
    exchangeRates: Object.fromEntries(Object.entries(s.exchangeRates).map(([c, r]) => [c, normalizeRate(r)])),
    loyaltyTiers: s.loyaltyTiers.map((t) => ({ name: t.name, minSpend: normalizeMoney(t.minSpend) })),
  };
}

/**
 * The effective settings from what the tenant stored (possibly nothing, possibly only some keys):
 * each missing key takes its default. A stored value that no longer validates falls back to the
 * defaults as a whole rather than letting one bad key break every read.
 */
export function readValueSettings(stored: unknown): ValueSettings {
  const merged = { ...DEFAULT_VALUE_SETTINGS, ...(typeof stored === "object" && stored !== null ? stored : {}) };
  const parsed = ZValueSettings.safeParse(merged);
  return parsed.success ? normalizeValueSettings(parsed.data) : DEFAULT_VALUE_SETTINGS;
}

/** A partial update merged over the current settings and validated as a whole. */
export const ZValueSettingsPatch = z.object({
  baseCurrency: ZCurrencyCode.optional(),
  lifetimeValueThresholds: ZThresholds.optional(),
  exchangeRates: ZExchangeRates.optional(),
  loyaltyTiers: z.array(ZLoyaltyTier).min(1).max(10).optional(),
  inactivityThresholdDays: z.int().min(1).max(3650).optional(),
  reviewAfterMonths: z.int().min(1).max(600).optional(),
});
export type ValueSettingsPatch = z.infer<typeof ZValueSettingsPatch>;

/** Settings key in tenants.settings. */
export const VALUE_SETTINGS_KEY = "value";
