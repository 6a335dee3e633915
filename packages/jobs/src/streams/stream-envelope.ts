import { z } from "zod";

/**
 * The envelope every stream entry carries as JSON in its `event` field: what our outbox relay
 * publishes (DESIGN.md: id, type, tenantId, aggregateType, aggregateId, version, occurredAt, actor,
 * data) and what other systems publish onto the streams we consume. Only id, type, tenantId,
 * occurredAt and data are required; other members pass through to the handler untouched.
 */
export const ZStreamEnvelope = z.looseObject({
  /** Unique per event: the consumer's dedupe key (printable ASCII, up to 100). */
  id: z.string().regex(/^[\x21-\x7e]{1,100}$/, "must be 1 to 100 printable ASCII characters"),
  type: z.string().min(1).max(100),
  /** The tenant the event belongs to: handlers act in this tenant only. */
  tenantId: z.string().regex(/^[\x21-\x7e]{1,64}$/, "must be 1 to 64 printable ASCII characters"),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

export type StreamEnvelope = {
  id: string;
  type: string;
  tenantId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  aggregateType?: string;
  aggregateId?: string;
  version?: number;
  actor?: string;
  [member: string]: unknown;
};

export type ParsedEntry = { ok: true; envelope: StreamEnvelope; raw: string } | { ok: false; reason: string; raw: string };

/** Reads a stream entry's fields ([name, value, …]) into its envelope, or says why it cannot. */
export function parseStreamEntry(fields: string[]): ParsedEntry {
  const at = fields.findIndex((f, i) => i % 2 === 0 && f === "event");
  const raw = at >= 0 ? (fields[at + 1] ?? "") : JSON.stringify(fields);
  if (at < 0) return { ok: false, reason: "the entry has no event field", raw };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "the event field is not JSON", raw };
  }
  const parsed = ZStreamEnvelope.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `invalid envelope: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`, raw };
  }
  return { ok: true, envelope: parsed.data as StreamEnvelope, raw };
}
