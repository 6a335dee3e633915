import type { z } from "zod";
import { problemOf, type Problem } from "../problem";

type Values = Record<string, unknown>;

/**
 * One message per field: the API's problem wins over the local zod check (it knows the content
 * rules) until the field no longer holds the value the API judged (`sent` vs `current`); local
 * messages only once `showLocal` (typically after the first submit).
 */
export function fieldErrors(parsed: z.ZodSafeParseResult<unknown>, problem: Problem | null, sent?: Values, current?: Values, showLocal = true): Record<string, string> {
  const out: Record<string, string[]> = {};
  if (showLocal && !parsed.success) for (const issue of parsed.error.issues) (out[issue.path.join(".")] ??= []).push(issue.message);
  for (const [k, messages] of Object.entries(problem?.fieldErrors ?? {})) {
    const stale = sent && current && k in current && JSON.stringify(sent[k]) !== JSON.stringify(current[k]);
    if (!stale) out[k] = messages;
  }
  return Object.fromEntries(Object.entries(out).map(([k, m]) => [k, m.join(", ")]));
}

/** `fieldErrors` for a form checked against `schema`, with the mutation's error and sent variables. */
export function formErrors(schema: z.ZodType, input: Values, error: unknown, show: boolean, sent?: Values): { valid: boolean; errors: Record<string, string> } {
  const parsed = schema.safeParse(input);
  return { valid: parsed.success, errors: fieldErrors(parsed, error ? problemOf(error) : null, sent, input, show) };
}
