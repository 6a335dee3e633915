import { Counter } from "prom-client";

/**
 * Tracked events by outcome (accepted, refused_consent, rejected, unavailable): refused events are
 * never stored, so this counter is their only record. One per process; the API's /metrics registry
 * registers it (http/observability.ts).
 */
export const trackedEventsCounter = new Counter({
  name: "clientele_tracked_events_total",
  help: "Tracked customer events by outcome (accepted, refused_consent: no analytics-tracking consent, rejected: unknown customer, unavailable: stream down)",
  labelNames: ["outcome"],
  registers: [],
});
