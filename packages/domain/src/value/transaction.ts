import { DomainError, FieldErrorCollector } from "../errors";
import { convert, currencyProblem, formatMoney, moneyProblem, normalizeMoney, normalizeRate, parseMoney, parseSignedMoney, rateProblem } from "./money";
import { segmentAfterValueChange, type SegmentChange, type SegmentState } from "./segment";
import type { ValueSettings } from "./value-settings";

export const TRANSACTION_KINDS = ["Payment", "Refund", "Order"] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];
export const TRANSACTION_CATEGORIES = ["Invoice", "Ticket", "Merchandise", "Service", "Other"] as const;
export type TransactionCategory = (typeof TRANSACTION_CATEGORIES)[number];
export const TRANSACTION_STATUSES = ["Paid", "Failed", "Pending"] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
export type TransactionSource = "api" | "stream";

/** A transaction as a caller sends it (API item or consumed event). */
export type TransactionDraft = {
  customerId: string;
  kind: string;
  category: string;
  status: string;
  amount: string;
  currency: string;
  /** Units of base currency per unit of `currency`; when absent the tenant's rate table answers. */
  exchangeRate?: string | null;
  occurredAt: Date;
  dueAt?: Date | null;
  externalReference?: string | null;
  idempotencyKey: string;
};

export type CheckedTransaction = {
  customerId: string;
  kind: TransactionKind;
  category: TransactionCategory;
  status: TransactionStatus;
  amount: string;
  currency: string;
  exchangeRate: string;
  baseAmount: string;
  occurredAt: Date;
  dueAt: Date | null;
  late: boolean;
  externalReference: string | null;
  idempotencyKey: string;
};

const ONE = "1.00000000";
const oneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);
const validDate = (d: Date | null | undefined) => d instanceof Date && !Number.isNaN(d.getTime());

/**
 * Validates a transaction and converts it to the tenant's base currency with the rate it brings
 * or, failing that, the tenant's configured rate; with neither, the rate is a field error (the
 * caller must say what the money was worth: we never guess or fetch a rate).
 */
export function checkTransaction(d: TransactionDraft, settings: Pick<ValueSettings, "baseCurrency" | "exchangeRates">): CheckedTransaction {
  const errors = new FieldErrorCollector();
  if (!oneOf(TRANSACTION_KINDS, d.kind)) errors.add("kind", `must be one of ${TRANSACTION_KINDS.join(", ")}`);
  if (!oneOf(TRANSACTION_CATEGORIES, d.category)) errors.add("category", `must be one of ${TRANSACTION_CATEGORIES.join(", ")}`);
  if (!oneOf(TRANSACTION_STATUSES, d.status)) errors.add("status", `must be one of ${TRANSACTION_STATUSES.join(", ")}`);
  const amountProblem = moneyProblem(d.amount);
  if (amountProblem) errors.add("amount", amountProblem);
  const currency = d.currency.trim();
  const codeProblem = currencyProblem(currency);
  if (codeProblem) errors.add("currency", codeProblem);
  if (!validDate(d.occurredAt)) errors.add("occurredAt", "must be a date-time");
  if (d.dueAt != null && !validDate(d.dueAt)) errors.add("dueAt", "must be a date-time");
  const key = d.idempotencyKey.trim();
  if (key === "") errors.add("idempotencyKey", "is required");
  if (key.length > 100) errors.add("idempotencyKey", "must be at most 100 characters");
  const reference = d.externalReference?.trim() || null;
  if ((reference?.length ?? 0) > 100) errors.add("externalReference", "must be at most 100 characters");

  let rate: string | null = null;
  const given = d.exchangeRate?.trim() || null;
  if (given !== null) {
    const problem = rateProblem(given);
    if (problem) errors.add("exchangeRate", problem);
    else rate = normalizeRate(given);
  }
  if (!codeProblem) {
    if (currency === settings.baseCurrency) {
      if (rate !== null && rate !== ONE) errors.add("exchangeRate", `must be 1 for the base currency ${settings.baseCurrency}`);
      rate = ONE;
    } else if (rate === null && given === null) {
      const configured = settings.exchangeRates[currency];
      if (configured) rate = normalizeRate(configured);
      else errors.add("exchangeRate", `is required: no rate from ${currency} to ${settings.baseCurrency} is configured in the value settings`);
    }
  }
  const baseAmount = !amountProblem && rate !== null ? convert(d.amount, rate) : null;
  // A large amount at a large rate passes both checks yet would not fit DECIMAL(18,2) in the base currency.
  const baseProblem = baseAmount === null ? null : moneyProblem(baseAmount);
  if (baseProblem) errors.add("amount", `converted to ${settings.baseCurrency} ${baseProblem}`);
  errors.throwIfAny();

  const amount = normalizeMoney(d.amount);
  const dueAt = d.dueAt ?? null;
  return {
    customerId: d.customerId,
    kind: d.kind as TransactionKind,
    category: d.category as TransactionCategory,
    status: d.status as TransactionStatus,
    amount,
    currency,
    exchangeRate: rate!,
    baseAmount: baseAmount!,
    occurredAt: d.occurredAt,
    dueAt,
    // A payment is late when it was paid after it fell due (the rating reads this).
    late: d.kind === "Payment" && d.status === "Paid" && dueAt !== null && d.occurredAt.getTime() > dueAt.getTime(),
    externalReference: reference,
    idempotencyKey: key,
  };
}

/**
 * What a transaction adds to lifetime value (REQ-CUS-019), in cents: a Paid Payment adds its base
 * amount, a Paid Refund takes it away; orders (not yet paid), failed and pending ones count nothing.
 */
export function ledgerDelta(t: Pick<CheckedTransaction, "kind" | "status" | "baseAmount">): bigint {
  if (t.status !== "Paid") return 0n;
  if (t.kind === "Payment") return parseMoney(t.baseAmount);
  if (t.kind === "Refund") return -parseMoney(t.baseAmount);
  return 0n;
}

/** The content an idempotency key stands for, in a canonical form (the caller hashes it). */
export function transactionContent(d: TransactionDraft): string {
  return JSON.stringify([
    d.customerId,
    d.kind,
    d.category,
    d.status,
    moneyProblem(d.amount) ? d.amount : normalizeMoney(d.amount),
    d.currency.trim(),
    d.exchangeRate?.trim() ? (rateProblem(d.exchangeRate) ? d.exchangeRate : normalizeRate(d.exchangeRate)) : null,
    validDate(d.occurredAt) ? d.occurredAt.toISOString() : null,
    d.dueAt && validDate(d.dueAt) ? d.dueAt.toISOString() : null,
    d.externalReference?.trim() || null,
  ]);
}

/** 409 TXN-001: the key was used before for a different transaction. */
export const idempotencyConflict = (key: string) =>
  new DomainError("TXN-001", "conflict", `Idempotency key ${key} was already used for a different transaction.`, {
    idempotencyKey: ["was already used with different content"],
  });

/** A stored (signed) money string moved by `deltaCents`. */
export const addCents = (a: string, deltaCents: bigint) => formatMoney(parseSignedMoney(a) + deltaCents);

/** A customer's figures as the ledger moves them: lifetime value, segment (with its override) and row version. */
export type LedgerAccount = SegmentState & { version: number };

/** What one transaction does to an account: the delta in cents, the account after it and the tier change it brings. */
export type LedgerStep = { delta: bigint; account: LedgerAccount; change: SegmentChange | null };

/**
 * One transaction applied to an account (REQ-CUS-017/019). Applied in order, a batch's
 * transactions of one customer each start from the previous one's account, exactly as if each had
 * been recorded on its own. A change of value moves the version once; no change, nothing moves.
 */
export function applyToLedger(account: LedgerAccount, t: Pick<CheckedTransaction, "kind" | "status" | "baseAmount">, thresholds: ValueSettings["lifetimeValueThresholds"]): LedgerStep {
  const delta = ledgerDelta(t);
  if (delta === 0n) return { delta, account, change: null };
  const lifetimeValue = addCents(account.lifetimeValue, delta);
  const change = segmentAfterValueChange({ ...account, lifetimeValue }, thresholds);
  return { delta, change, account: { ...account, lifetimeValue, segment: change?.to ?? account.segment, version: account.version + 1 } };
}
