import "../zod-setup";
import { z } from "zod";

// Edge validation helpers every feature's schemas share.

export const ZId = z.uuid("must be a UUID");

export const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** Query strings carry lists as repeated keys or commas; typed clients send arrays. */
export const commaList = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v), z.array(item).max(max));

/** A query-string flag: "true" (or true) is on, anything else off. */
export const queryFlag = z.preprocess((v) => v === "true" || v === true, z.boolean());
