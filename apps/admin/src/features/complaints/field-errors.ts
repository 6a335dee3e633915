import type { z } from "zod";
import type { Problem } from "../../problem";

/** One message per field: the API's problem wins over the local zod check (it knows the content rules). */
export function fieldErrors(parsed: z.ZodSafeParseResult<unknown>, problem: Problem | null): Record<string, string> {
  const out: Record<string, string[]> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) (out[issue.path.join(".")] ??= []).push(issue.message);
  for (const [k, messages] of Object.entries(problem?.fieldErrors ?? {})) out[k] = messages;
  return Object.fromEntries(Object.entries(out).map(([k, m]) => [k, m.join(", ")]));
}
