import { bulkInsertQueries } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTenant, rest, startTestServer, uploadFile, type TestServer } from "./harness";

/**
 * An import chunk's inserts are rendered to SQL text ahead of their transaction (bulkInsertQueries):
 * every value the file can carry must arrive exactly as given, in the customer, its derived
 * search rows, its audit row and its event, and none may change the statement it is part of.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",")).join("\n");
const HEADER = ["type", "companyName", "primaryEmail", "primaryPhone", "billingStreet", "billingCity", "billingState", "billingZipCode", "billingCountry", "notes", "tags"];
const row = (company: string, email: string, notes: string) => ["SmallBusiness", company, email, "+44 20 7946 0958", "1 High Street", "London", "Greater London", "SW1A 1AA", "GB", notes, "imported"];

async function setup() {
  const tenant = newTenant();
  const token = await server.token("CustomerManager", tenant);
  return { tenant, token, api: rest(server.url, token) };
}

describe("customer import: values rendered into SQL text", () => {
  it("stores quotes, backslashes, question marks, percent signs and 4-byte characters exactly, findable and audited as given", async () => {
    const { tenant, token, api } = await setup();
    const tricky = [
      { company: `O'Brien \\ "Quoted" & Sons`, notes: `a ? b ?? c \\' d` },
      { company: "Müller 100% _under_ Café", notes: "emoji 😀 and ` backtick" },
      { company: "Trailing Backslash \\", notes: "\\" },
    ];
    const file = csv([HEADER, ...tricky.map((t, i) => row(t.company, `tricky${i}@sqltext.example`, t.notes))]);
    const res = await uploadFile(server.url, token, "/customers/bulk/import", "customers.csv", { content: file });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: "Completed", imported: 3, failed: 0 });

    const stored = await server.deps.db.selectFrom("customers").select(["id", "companyName", "notes", "primaryEmail"]).where("tenantId", "=", tenant).orderBy("primaryEmail").execute();
    expect(stored.map((s) => [s.companyName, s.notes])).toEqual(tricky.map((t) => [t.company, t.notes]));
    for (const s of stored) {
      const dto = (await api.get(`/customers/${s.id}`)).body;
      expect(dto.profile.companyName).toBe(s.companyName);
      expect(dto.tags).toEqual(["imported"]);
    }
    // The derived rows: the word search and the fuzzy name search find them by their words.
    expect((await api.get(`/customers?query=brien`)).body.items.map((c: any) => c.id)).toEqual([stored[0]!.id]);
    const fuzzy = (await api.post("/customers/search", { name: "Muller" })).body;
    expect(fuzzy.items.map((c: any) => c.id)).toContain(stored[1]!.id);
    // The event's payload and the audit row hold the same text.
    const events = await server.deps.db.selectFrom("domainEvents").select(["aggregateId", "payload"]).where("tenantId", "=", tenant).where("eventType", "=", "CustomerRegistered").execute();
    expect(events).toHaveLength(3);
    for (const e of events) {
      const payload = typeof e.payload === "string" ? JSON.parse(e.payload) : e.payload;
      expect(payload.companyName).toBe(stored.find((s) => s.id === e.aggregateId)!.companyName);
    }
    const audit = await server.deps.db.selectFrom("auditLog").select("entityId").where("tenantId", "=", tenant).where("action", "=", "CustomerRegistered").execute();
    expect(audit.map((a) => a.entityId).sort()).toEqual(stored.map((s) => s.id).sort());
  });

  it("a value written as SQL stays a value: nothing else is inserted, changed or dropped", async () => {
    const { tenant, token } = await setup();
    const other = newTenant();
    const otherToken = await server.token("CustomerManager", other);
    const before = await uploadFile(server.url, otherToken, "/customers/bulk/import", "customers.csv", { content: csv([HEADER, row("Bystander Ltd", "bystander@sqltext.example", "")]) });
    expect(before.body).toMatchObject({ status: "Completed", imported: 1 });
    const injection = `x'), ('${tenant}', 'evil'); delete from customers where tenant_id = '${other}'; --`;
    const res = await uploadFile(server.url, token, "/customers/bulk/import", "customers.csv", { content: csv([HEADER, row(injection, "inject@sqltext.example", `'); drop table customers; --`)]) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: "Completed", imported: 1, failed: 0 });
    const mine = await server.deps.db.selectFrom("customers").select(["companyName", "notes"]).where("tenantId", "=", tenant).execute();
    expect(mine).toEqual([{ companyName: injection, notes: `'); drop table customers; --` }]);
    const theirs = await server.deps.db.selectFrom("customers").select("companyName").where("tenantId", "=", other).execute();
    expect(theirs).toEqual([{ companyName: "Bystander Ltd" }]);
  });
});

describe("bulkInsertQueries", () => {
  const row = { id: "c1", tenantId: "t1", customerId: "x", term: "acme" };
  it("renders strings, numbers, booleans, NULL, dates and buffers as SQL text", () => {
    const [q] = bulkInsertQueries("customerSearchTerms", [{ ...row, isDeleted: 0, createdAt: new Date("2026-01-02T03:04:05.678Z"), lastModifiedAt: null } as never]);
    const [rendered] = q!.parameters as { toSqlString: () => string }[];
    expect(rendered!.toSqlString()).toBe("('c1','t1','x','acme',0,'2026-01-02 03:04:05.678',NULL)");
  });
  it("refuses a value SQL text would change (an object, an array, NaN) instead of storing something else", () => {
    expect(() => bulkInsertQueries("customers", [{ id: "c1", preferences: { a: 1 } } as never])).toThrow(/customers\.preferences holds a value SQL text cannot carry \(object\)/);
    expect(() => bulkInsertQueries("customerTags", [{ tenantId: "t", customerId: "c", tag: ["a", "b"] } as never])).toThrow(/\(array\)/);
    expect(() => bulkInsertQueries("customerSearchTerms", [{ ...row, isDeleted: Number.NaN } as never])).toThrow(/\(number NaN\)/);
  });
});
