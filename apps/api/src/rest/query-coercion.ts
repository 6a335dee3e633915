import type { z } from "zod";

/**
 * Procedure inputs are typed as typed clients send them (numbers, booleans, arrays), but a query
 * string carries only strings. This turns a query into that shape, guided by the procedure's own
 * input schema, so the schema stays precise and still names the field when a value is wrong
 * (`pageSize=abc` stays a string and fails as "must be a number").
 */
type Coercion = { kind: "number" } | { kind: "boolean" } | { kind: "array"; item: Coercion | null };

type Def = z.core.$ZodTypes["_zod"]["def"];

function coercionOf(schema: z.core.$ZodType): Coercion | null {
  const def = schema._zod.def as Def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      return coercionOf(def.innerType);
    case "pipe":
      return coercionOf(def.in);
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "boolean" };
    case "array":
      return { kind: "array", item: coercionOf(def.element) };
    default:
      return null;
  }
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function coerce(value: unknown, coercion: Coercion): unknown {
  switch (coercion.kind) {
    case "number":
      return typeof value === "string" && NUMERIC.test(value.trim()) ? Number(value) : value;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "array": {
      // Repeated keys arrive as an array, `a,b` as one string; both mean the same list.
      const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(",").filter(Boolean) : value;
      const item = coercion.item;
      return Array.isArray(items) && item ? items.map((v) => coerce(v, item)) : items;
    }
  }
}

/** Built once per route: the fields of the procedure's object input(s) that need more than a string. */
export function queryCoercer(inputs: readonly unknown[]): (query: Record<string, unknown>) => Record<string, unknown> {
  const fields = new Map<string, Coercion>();
  for (const input of inputs) {
    const def = (input as z.core.$ZodType | undefined)?._zod?.def as Def | undefined;
    if (def?.type !== "object") continue;
    for (const [key, field] of Object.entries(def.shape)) {
      const coercion = coercionOf(field);
      if (coercion) fields.set(key, coercion);
    }
  }
  return (query) => {
    const out: Record<string, unknown> = { ...query };
    for (const [key, coercion] of fields) if (key in out) out[key] = coerce(out[key], coercion);
    return out;
  };
}
