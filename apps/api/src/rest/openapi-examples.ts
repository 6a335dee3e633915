import type { oas31 } from "zod-openapi";

type Schema = oas31.SchemaObject & { $ref?: string; const?: unknown; examples?: unknown[] };
type Doc = oas31.OpenAPIObject;

// Plausible values by field name, so an example reads like a real call rather than "string".
const BY_NAME: [RegExp, string][] = [
  [/email|attendee/i, "jane.doe@acme-widgets.example"],
  [/html/i, "<p>Thank you for your order; it left our warehouse today.</p>"],
  [/end$/i, "2026-03-02T10:30:00.000Z"],
  [/callType/i, "Outbound"],
  [/^status$/i, "InProgress"],
  [/frequency/i, "Weekly"],
  [/language/i, "en-GB"],
  [/timeZone/i, "Europe/London"],
  [/meetingLink/i, "https://meet.acme-widgets.example/quarterly-review"],
  [/resolution/i, "Refunded the delivery charge and re-sent the order."],
  [/compensation/i, "£20 voucher"],
  [/summary|description/i, "Discussed the renewal of the annual contract."],
  [/team/i, "Billing team"],
  [/event/i, "OrderShipped"],
  [/interest/i, "Sustainability"],
  [/phone/i, "+442079460958"],
  [/country/i, "GB"],
  [/zip|postal/i, "SW1A 1AA"],
  [/city/i, "London"],
  [/street/i, "1 High Street"],
  [/^state$/i, "Greater London"],
  [/companyName/i, "Acme Widgets Ltd"],
  [/firstName/i, "Jane"],
  [/lastName/i, "Doe"],
  [/authorName|^name$/i, "Jane Doe"],
  [/industry/i, "Manufacturing"],
  [/website|url$/i, "https://www.acme-widgets.example"],
  [/subject/i, "Your order has shipped"],
  [/^(body|message|content|text|notes?)$/i, "Thank you for your order; it left our warehouse today."],
  [/reason/i, "Duplicate record"],
  [/tag/i, "VIP"],
  [/location/i, "Head office, room 2"],
  [/position|title/i, "Purchasing manager"],
  [/category/i, "Billing"],
  [/tenantId/i, "demo"],
  [/userId|assign|createdBy|actor|owner/i, "user-1"],
  [/sid$/i, "SM0123456789abcdef0123456789abcdef"],
  [/token/i, "eyJrZXkiOiJjb250YWN0LWV4cG9ydHMvZGVtby9leHBvcnQuY3N2In0.c2lnbmF0dXJl"],
];

const FORMATS: Record<string, string> = {
  uuid: "5f0c6b9e-2a4d-4c1b-9e8f-3d7a1b2c4e6f",
  email: "jane.doe@acme-widgets.example",
  "date-time": "2026-03-02T09:30:00.000Z",
  date: "2026-03-02",
  time: "09:30:00",
  uri: "https://www.acme-widgets.example",
  binary: "(file contents)",
  byte: "aGVsbG8=",
};

const fits = (s: Schema, v: string) =>
  (s.minLength === undefined || v.length >= s.minLength) &&
  (s.maxLength === undefined || v.length <= s.maxLength) &&
  (s.pattern === undefined || new RegExp(s.pattern, "u").test(v));

function stringExample(s: Schema, name: string, where: string): string {
  const byName = BY_NAME.find(([re]) => re.test(name))?.[1];
  // A pattern of alternatives (`^(name|createdAt)…$`) is met by its first one.
  const firstAlternative = s.pattern ? /^\^\(([\w-]+)[|)]/.exec(s.pattern)?.[1] : undefined;
  const candidates = [s.format ? FORMATS[s.format] : undefined, byName, firstAlternative, "example", "A1", "a"].filter((c): c is string => c !== undefined);
  const found = candidates.find((c) => fits(s, c)) ?? (s.minLength ? "x".repeat(s.minLength) : undefined);
  if (found === undefined || !fits(s, found)) throw new Error(`no example fits the schema at ${where}; give it one with .meta({ example })`);
  return found;
}

function numberExample(s: Schema, name: string): number {
  const preferred = /version/i.test(name) ? 3 : /pageSize|limit/i.test(name) ? 20 : /rating/i.test(name) ? 5 : /count|total/i.test(name) ? 12 : 1;
  const min = s.minimum ?? (typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum + 1 : undefined);
  const max = s.maximum ?? (typeof s.exclusiveMaximum === "number" ? s.exclusiveMaximum - 1 : undefined);
  return Math.min(max ?? Infinity, Math.max(min ?? -Infinity, preferred));
}

/** A value valid against the schema, with plausible content; throws where it cannot make one. */
export function exampleFor(schema: Schema | undefined, doc: Doc, name = "", where = name): unknown {
  if (!schema) return undefined;
  if (schema.$ref) {
    const target = doc.components?.schemas?.[schema.$ref.replace("#/components/schemas/", "")] as Schema | undefined;
    return exampleFor(target, doc, name, where);
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) return exampleFor(variants.find((v) => v.type !== "null") ?? variants[0], doc, name, where);
  if (schema.allOf) return Object.assign({}, ...(schema.allOf as Schema[]).map((s) => exampleFor(s, doc, name, where)));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string":
      return stringExample(schema, name, where);
    case "integer":
    case "number":
      return numberExample(schema, name);
    case "boolean":
      return true;
    case "null":
      return null;
    case "array": {
      const item = exampleFor(schema.items as Schema, doc, name.replace(/s$/, ""), `${where}[]`);
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => item);
    }
    default: {
      const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
      if (props.length === 0 && schema.additionalProperties && typeof schema.additionalProperties === "object") {
        const names = (schema as { propertyNames?: Schema }).propertyNames;
        const key = names ? String(exampleFor(names, doc, name, `${where} key`)) : `${name || "key"}1`;
        return { [key]: exampleFor(schema.additionalProperties as Schema, doc, name, `${where}.*`) };
      }
      // `not: {}` marks a field that must be absent (e.g. a type that cannot change).
      const allowed = props.filter(([, s]) => !(s.not && Object.keys(s.not).length === 0));
      return Object.fromEntries(allowed.map(([key, s]) => [key, exampleFor(s, doc, key, `${where}.${key}`)]));
    }
  }
}

function fillContent(content: Record<string, oas31.MediaTypeObject> | undefined, doc: Doc, where: string): void {
  for (const [type, media] of Object.entries(content ?? {})) {
    if (media.example === undefined && media.examples === undefined && media.schema) {
      media.example = exampleFor(media.schema as Schema, doc, "", `${where} ${type}`);
    }
  }
}

/**
 * Request, parameter and response examples for every operation that has none of its own,
 * made from the schemas; redocly checks each against its schema.
 */
export function addExamples(doc: Doc): Doc {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, oas31.OperationObject>)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const p of (op.parameters ?? []) as oas31.ParameterObject[]) {
        if (p.example === undefined && p.schema) p.example = exampleFor(p.schema as Schema, doc, p.name, `${where} ${p.name}`);
      }
      const body = op.requestBody as oas31.RequestBodyObject | undefined;
      fillContent(body?.content, doc, where);
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        fillContent((response as oas31.ResponseObject).content, doc, `${where} ${status}`);
      }
    }
  }
  return doc;
}
