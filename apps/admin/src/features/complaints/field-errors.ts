import type { z } from "zod";
import type { Problem } from "../../problem";

type Values = Record<string, unknown>;

/**
 * One message per field: the API's problem wins over the local zod check (it knows the content
 * rules), until the field changes from the value the API judged (`sent` vs `current`).
 */
export function fieldErrors(parsed: z.ZodSafeParseResult<unknown>, problem: Problem | null, sent?: Values, current?: Values): Record<string, string> {
  const out: Record<string, string[]> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) (out[issue.path.join(".")] ??= []).push(issue.message);
  for (const [k, messages] of Object.entries(problem?.fieldErrors ?? {})) {
    const stale = sent && current && JSON.stringify(sent[k]) !== JSON.stringify(current[k]);
    if (!stale) out[k] = messages;
  }
  return Object.fromEntries(Object.entries(out).map(([k, m]) => [k, m.join(", ")]));
}
