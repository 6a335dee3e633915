import "../zod-setup";
import { z } from "zod";

// Edge validation helpers every feature's schemas share. Inputs are typed exactly as typed clients
// send them (numbers, booleans, arrays, ISO strings); turning query strings into those values is the
// REST layer's job (rest/query-coercion.ts), so no schema here coerces.

export const ZId = z.uuid("must be a UUID");

export const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** A list filter: REST callers may repeat the key or separate values with commas. */
export const listOf = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `must have at most ${max} values`);

/** An on/off switch (`?flag=true` or `false` on REST). */
export const ZFlag = z.boolean("must be true or false");

/** A date-time as JSON carries it: ISO 8601 with a `Z` or an offset, handed to the use case as a Date. */
export const ZDateTime = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z" })
  .transform((s) => new Date(s));

const wholeNumber = () => z.number("must be a number").int("must be a whole number").min(1, "must be at least 1");
export const ZPage = wholeNumber().max(100_000, "must be at most 100000").default(1);
export const ZPageSize = wholeNumber().max(100, "must be at most 100").default(20);
