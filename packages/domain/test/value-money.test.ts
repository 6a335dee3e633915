import { describe, expect, it } from "vitest";
import {
  addCents,
  checkTransaction,
  ledgerDelta,
  transactionContent,
  type TransactionDraft,
  convert,
  currencyProblem,
  DEFAULT_VALUE_SETTINGS,
  formatMoney,
  moneyProblem,
  normalizeMoney,
  normalizeRate,
  parseMoney,
  readValueSettings,
  ZValueSettings,
} from "../src/index";
import { fieldErrors } from "./support";

describe("money", () => {
  it("parses decimal strings to exact cents", () => {
    expect(parseMoney("0")).toBe(0n);
    expect(parseMoney("5")).toBe(500n);
    expect(parseMoney("5.5")).toBe(550n);
    expect(parseMoney("1234.56")).toBe(123456n);
    expect(parseMoney(" 10000.01 ")).toBe(1000001n);
    expect(parseMoney("9999999999999999.99")).toBe(999999999999999999n);
  });

  it("sums without floating-point error (0.1 + 0.2 is 0.30)", () => {
    expect(formatMoney(parseMoney("0.10") + parseMoney("0.20"))).toBe("0.30");
    let total = 0n;
    for (let i = 0; i < 1000; i++) total += parseMoney("0.01");
    expect(formatMoney(total)).toBe("10.00");
  });

  it("formats cents, keeping a negative sign", () => {
    expect(formatMoney(0n)).toBe("0.00");
    expect(formatMoney(5n)).toBe("0.05");
    expect(formatMoney(123450n)).toBe("1234.50");
    expect(formatMoney(-5n)).toBe("-0.05");
    expect(formatMoney(-123456n)).toBe("-1234.56");
    expect(normalizeMoney("7.1")).toBe("7.10");
  });

  it("rejects more than 2 decimals, negatives, and non-numbers with a field message", () => {
    expect(fieldErrors(() => parseMoney("1.005"))).toEqual({ amount: ["must have at most 2 decimal places"] });
    expect(fieldErrors(() => parseMoney("-1.00"))).toEqual({ amount: ["must not be negative"] });
    expect(fieldErrors(() => parseMoney("1e3", "items.0.amount"))).toEqual({ "items.0.amount": ["must be a decimal amount like 1234.50"] });
    expect(moneyProblem("")).toBe("must be a decimal amount like 1234.50");
    expect(moneyProblem("1,000.00")).toBe("must be a decimal amount like 1234.50");
    expect(moneyProblem("12345678901234567")).toBe("must be less than 10000000000000000");
    expect(moneyProblem(".5")).toBe("must be a decimal amount like 1234.50");
    expect(moneyProblem("NaN")).toBe("must be a decimal amount like 1234.50");
  });

  it("converts with a recorded rate, rounding half-up to cents", () => {
    expect(convert("100.00", "1.08250000")).toBe("108.25");
    expect(convert("0.01", "0.5")).toBe("0.01"); // 0.005 rounds up
    expect(convert("0.01", "0.49999999")).toBe("0.00");
    expect(convert("10.00", "1")).toBe("10.00");
    expect(convert("33.33", "0.33333333")).toBe("11.11");
    // 9999999999.99 × 1.23456789 = 12345678899.9876543211
    expect(convert("9999999999.99", "1.23456789")).toBe("12345678899.99");
  });

  it("rejects bad rates", () => {
    expect(fieldErrors(() => convert("1.00", "0"))).toEqual({ exchangeRate: ["must be positive"] });
    expect(fieldErrors(() => convert("1.00", "-1.2"))).toEqual({ exchangeRate: ["must be positive"] });
    expect(fieldErrors(() => convert("1.00", "1.123456789"))).toEqual({ exchangeRate: ["must have at most 8 decimal places"] });
    expect(fieldErrors(() => normalizeRate("abc"))).toEqual({ exchangeRate: ["must be a decimal rate like 1.08250000"] });
    expect(normalizeRate("1.1")).toBe("1.10000000");
  });

  it("knows ISO 4217 currency codes", () => {
    expect(currencyProblem("EUR")).toBeNull();
    expect(currencyProblem("USD")).toBeNull();
    expect(currencyProblem("JPY")).toBeNull();
    expect(currencyProblem("XYZ")).toBe("XYZ is not an ISO 4217 currency code");
    expect(currencyProblem("eur")).toBe("must be a three-letter ISO 4217 code in capitals, like EUR");
    expect(currencyProblem("EURO")).toBe("must be a three-letter ISO 4217 code in capitals, like EUR");
  });
});

describe("value settings", () => {
  it("has the contract's defaults (Appendix C thresholds, BR-8 tiers, 180 days, 24 months)", () => {
    expect(readValueSettings(undefined)).toEqual(DEFAULT_VALUE_SETTINGS);
    expect(DEFAULT_VALUE_SETTINGS.lifetimeValueThresholds).toEqual({ premium: "10000.00", vip: "50000.00" });
    expect(DEFAULT_VALUE_SETTINGS.loyaltyTiers.map((t) => t.name)).toEqual(["Bronze", "Silver", "Gold", "Platinum"]);
    expect(DEFAULT_VALUE_SETTINGS.inactivityThresholdDays).toBe(180);
    expect(DEFAULT_VALUE_SETTINGS.reviewAfterMonths).toBe(24);
    expect(DEFAULT_VALUE_SETTINGS.baseCurrency).toBe("USD");
  });

  it("fills missing keys from the defaults and normalizes decimals", () => {
    const s = readValueSettings({ lifetimeValueThresholds: { premium: "500", vip: "1000.5" }, exchangeRates: { EUR: "1.1" } });
    expect(s.lifetimeValueThresholds).toEqual({ premium: "500.00", vip: "1000.50" });
    expect(s.exchangeRates).toEqual({ EUR: "1.10000000" });
    expect(s.loyaltyTiers).toEqual(DEFAULT_VALUE_SETTINGS.loyaltyTiers);
  });

  it("rejects VIP at or below Premium, unordered or duplicate tiers, a rate for the base currency, bad codes", () => {
    const bad = ZValueSettings.safeParse({
      ...DEFAULT_VALUE_SETTINGS,
      lifetimeValueThresholds: { premium: "100.00", vip: "100.00" },
      loyaltyTiers: [{ name: "A", minSpend: "5.00" }, { name: "a", minSpend: "1.00" }],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "lifetimeValueThresholds.vip: must be greater than the premium threshold",
        "loyaltyTiers.0.minSpend: the first tier must start at 0.00",
        "loyaltyTiers.1.name: must be unique",
        "loyaltyTiers.1.minSpend: must be greater than the previous tier's",
      ]),
    );
    const badCode = ZValueSettings.safeParse({ ...DEFAULT_VALUE_SETTINGS, exchangeRates: { XYZ: "2" } });
    expect(badCode.error?.issues.map((i) => i.message)).toContain("XYZ is not an ISO 4217 currency code");
    expect(ZValueSettings.safeParse({ ...DEFAULT_VALUE_SETTINGS, exchangeRates: { USD: "1" } }).error?.issues[0]?.message).toBe("the base currency needs no rate");
    expect(ZValueSettings.safeParse({ ...DEFAULT_VALUE_SETTINGS, lifetimeValueThresholds: { premium: "1.001", vip: "5" } }).success).toBe(false);
  });
});

describe("transactions", () => {
  const settings = { baseCurrency: "USD", exchangeRates: { EUR: "1.10000000" } };
  const draft = (p: Partial<TransactionDraft> = {}): TransactionDraft => ({
    customerId: "c1",
    kind: "Payment",
    category: "Invoice",
    status: "Paid",
    amount: "100",
    currency: "USD",
    occurredAt: new Date("2026-12-01T10:00:00Z"),
    idempotencyKey: "k1",
    ...p,
  });

  it("converts with the rate sent, else the tenant's table; base currency at 1", () => {
    expect(checkTransaction(draft(), settings)).toMatchObject({ amount: "100.00", exchangeRate: "1.00000000", baseAmount: "100.00", late: false });
    expect(checkTransaction(draft({ currency: "EUR" }), settings)).toMatchObject({ exchangeRate: "1.10000000", baseAmount: "110.00" });
    expect(checkTransaction(draft({ currency: "EUR", exchangeRate: "1.2" }), settings)).toMatchObject({ exchangeRate: "1.20000000", baseAmount: "120.00" });
  });

  it("asks for a rate when none is sent or configured", () => {
    expect(fieldErrors(() => checkTransaction(draft({ currency: "GBP" }), settings))).toEqual({
      exchangeRate: ["is required: no rate from GBP to USD is configured in the value settings"],
    });
    expect(fieldErrors(() => checkTransaction(draft({ exchangeRate: "2" }), settings))).toEqual({ exchangeRate: ["must be 1 for the base currency USD"] });
  });

  it("refuses an amount whose base-currency value would not fit DECIMAL(18,2)", () => {
    expect(fieldErrors(() => checkTransaction(draft({ currency: "EUR", amount: "9999999999999999.99", exchangeRate: "2" }), settings))).toEqual({
      amount: ["converted to USD must be less than 10000000000000000"],
    });
    expect(checkTransaction(draft({ currency: "EUR", amount: "4999999999999999.99", exchangeRate: "2" }), settings).baseAmount).toBe("9999999999999999.98");
  });

  it("reports every bad field at once", () => {
    expect(
      fieldErrors(() => checkTransaction(draft({ kind: "Gift", category: "Food", status: "Done", amount: "-1", currency: "XYZ", idempotencyKey: " ", externalReference: "x".repeat(101) }), settings)),
    ).toEqual({
      kind: ["must be one of Payment, Refund, Order"],
      category: ["must be one of Invoice, Ticket, Merchandise, Service, Other"],
      status: ["must be one of Paid, Failed, Pending"],
      amount: ["must not be negative"],
      currency: ["XYZ is not an ISO 4217 currency code"],
      idempotencyKey: ["is required"],
      externalReference: ["must be at most 100 characters"],
    });
  });

  it("marks a Paid payment made after its due date late, and nothing else", () => {
    const due = new Date("2026-11-30T00:00:00Z");
    expect(checkTransaction(draft({ dueAt: due }), settings).late).toBe(true);
    expect(checkTransaction(draft({ dueAt: new Date("2026-12-01T10:00:00Z") }), settings).late).toBe(false);
    expect(checkTransaction(draft({ dueAt: due, status: "Pending" }), settings).late).toBe(false);
    expect(checkTransaction(draft({ dueAt: due, kind: "Refund" }), settings).late).toBe(false);
  });

  it("counts Paid payments in, Paid refunds out, and nothing else", () => {
    expect(ledgerDelta({ kind: "Payment", status: "Paid", baseAmount: "10.50" })).toBe(1050n);
    expect(ledgerDelta({ kind: "Refund", status: "Paid", baseAmount: "10.50" })).toBe(-1050n);
    expect(ledgerDelta({ kind: "Payment", status: "Failed", baseAmount: "10.50" })).toBe(0n);
    expect(ledgerDelta({ kind: "Payment", status: "Pending", baseAmount: "10.50" })).toBe(0n);
    expect(ledgerDelta({ kind: "Order", status: "Paid", baseAmount: "10.50" })).toBe(0n);
    expect(addCents("-5.00", 1050n)).toBe("5.50");
    expect(addCents("5.00", -1050n)).toBe("-5.50");
  });

  it("gives the same content for the same transaction however its decimals are written", () => {
    expect(transactionContent(draft({ amount: "100" }))).toBe(transactionContent(draft({ amount: "100.00" })));
    expect(transactionContent(draft({ amount: "100" }))).not.toBe(transactionContent(draft({ amount: "100.01" })));
  });
});
