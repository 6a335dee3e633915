/** The field-level difference of a change, for the audit log and the events. */
export type Changes = Record<string, { from: unknown; to: unknown }>;

/** Fields of `after` whose value differs from `before` (compared as JSON, so nested values work). */
export function diff(before: object, after: object): Changes {
  const b = before as Record<string, unknown>;
  const changes: Changes = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(b[key]) !== JSON.stringify(value)) changes[key] = { from: b[key] ?? null, to: value ?? null };
  }
  return changes;
}
