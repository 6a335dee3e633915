import type { z } from "zod";
import { problemOf } from "../../problem";

/**
 * Field messages from the API's own zod schema (before sending) merged with the API's problem (after);
 * the API's message for a field goes once the field no longer holds the value it was about (`sent`).
 */
export function fieldErrors(
  schema: z.ZodType,
  input: Record<string, unknown>,
  error: unknown,
  show: boolean,
  sent?: Record<string, unknown>,
): { valid: boolean; errors: Record<string, string> } {
  const parsed = schema.safeParse(input);
  const local: Record<string, string[]> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) (local[issue.path.join(".")] ??= []).push(issue.message);
  const remote = Object.fromEntries(
    Object.entries(error ? problemOf(error).fieldErrors : {}).filter(([k]) => !sent || !(k in input) || JSON.stringify(input[k]) === JSON.stringify(sent[k])),
  );
  const merged = { ...(show ? local : {}), ...remote };
  return { valid: parsed.success, errors: Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, v.join(", ")])) };
}

/** `<input type="datetime-local">` value (local time) → ISO 8601 with Z, as the API takes it; "" stays "". */
export const isoOf = (local: string): string => {
  if (!local) return "";
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
};

/** ISO → `<input type="datetime-local">` value in the browser's time zone. */
export const localOf = (iso: string | null | undefined): string => {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
