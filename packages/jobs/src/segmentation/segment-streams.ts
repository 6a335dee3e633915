import type { StreamHandler } from "../streams/stream-consumer";
import type { StreamEnvelope } from "../streams/stream-envelope";
import { reevaluateCustomerSegments } from "./segment-calculation.job";

/**
 * Issue 13 §1: a customer's dynamic segments follow its data and tracked behaviour. These are the
 * customer-events (our outbox topic) that change what criteria read: the record, tags, status,
 * value (ledger, tier, rating, loyalty) and TRACK's per-batch behaviour notice. Segment joins and
 * leaves are not among them, so a membership change never triggers another.
 */
export const SEGMENT_TRIGGERS = [
  "CustomerRegistered",
  "CustomerUpdated",
  "CustomerProfileUpdated",
  "CustomerContactInfoUpdated",
  "CustomerTagsChanged",
  "CustomerDeactivated",
  "CustomerReactivated",
  "CustomerSuspended",
  "CustomerUnsuspended",
  "CustomerArchived",
  "CustomerMerged",
  "CustomerSegmentChanged",
  "CustomerLoyaltyTierUpdated",
  "TransactionRecorded",
  "CustomerBehaviourTracked",
] as const;

export const SEGMENT_CONSUMER_GROUP = "customer-segments";

const customerOf = (e: StreamEnvelope): string | null =>
  typeof e.data.customerId === "string" ? e.data.customerId : e.aggregateType === "Customer" && typeof e.aggregateId === "string" ? e.aggregateId : null;

export function segmentStreamHandlers(o: { now: () => Date }): StreamHandler[] {
  /** Each tenant's customers once per batch (a burst of updates is one evaluation), in id order so batches lock alike. */
  const reevaluate: Extract<StreamHandler, { handle?: undefined }>["handleBatch"] = async (envelopes, { trx }) => {
    const byTenant = new Map<string, Set<string>>();
    for (const e of envelopes) {
      const id = customerOf(e);
      if (id) (byTenant.get(e.tenantId) ?? byTenant.set(e.tenantId, new Set()).get(e.tenantId)!).add(id);
    }
    const now = o.now();
    for (const tenantId of [...byTenant.keys()].sort()) await reevaluateCustomerSegments(trx, tenantId, [...byTenant.get(tenantId)!].sort(), now);
  };
  return [
    {
      stream: "customer-events",
      group: SEGMENT_CONSUMER_GROUP,
      types: [...SEGMENT_TRIGGERS],
      handle: (envelope, ctx) => reevaluate([envelope], ctx),
      handleBatch: reevaluate,
    },
  ];
}
