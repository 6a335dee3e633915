import { inTransaction, touchCustomerActivity } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nameKeysMigration from "../../../packages/db/src/migrations/20261203110000_create_customer_name_keys";
import * as phoneGramsMigration from "../../../packages/db/src/migrations/20261203110100_create_customer_phone_grams";
import { customerBody, newTenant, startIsolatedTestServer, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Found = { items: { id: string; score: number | null; profile: { companyName: string } }[]; totalCount: number; totalPages: number; page: number; pageSize: number };

/** A tenant of its own per scenario, so each search sees exactly the customers the test made. */
async function tenantApi(): Promise<{ tenant: string; api: Api }> {
  const tenant = newTenant();
  return { tenant, api: await server.as("Admin", tenant, "admin-1") };
}

async function create(api: Api, o: Record<string, unknown>): Promise<string> {
  const res = await api.post("/customers", customerBody(o));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const person = (firstName: string, lastName: string, o: Record<string, unknown> = {}) => ({ type: "Individual", companyName: undefined, industry: null, firstName, lastName, ...o });

async function search(api: Api, body: Record<string, unknown>): Promise<Found> {
  const res = await api.post<Found>("/customers/search", body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
const ids = (f: Found) => f.items.map((i) => i.id);

describe("POST /customers/search: fuzzy names", () => {
  let api: Api;
  const c: Record<string, string> = {};
  beforeAll(async () => {
    ({ api } = await tenantApi());
    c.john = await create(api, person("John", "Smith"));
    c.jon = await create(api, person("Jon", "Smyth"));
    c.jane = await create(api, person("Jane", "Doe"));
    c.muller = await create(api, { companyName: "Müller Logistik GmbH" });
    c.smithCo = await create(api, { companyName: "Smith Systems Ltd" });
  });

  it("finds 'Jonh Smtih' (typo and transposition): John Smith first, scored below an exact match", async () => {
    const typo = await search(api, { name: "Jonh Smtih" });
    expect(typo.items[0]!.id).toBe(c.john);
    expect(ids(typo)).not.toContain(c.jane);
    expect(ids(typo)).not.toContain(c.muller);
    const exact = await search(api, { name: "John Smith" });
    expect(exact.items[0]).toMatchObject({ id: c.john, score: 1 });
    expect(typo.items[0]!.score!).toBeGreaterThan(0.9);
    expect(typo.items[0]!.score!).toBeLessThan(1);
  });

  it("orders by relevance with non-increasing scores: the closer spelling first", async () => {
    const found = await search(api, { name: "John Smith" });
    expect(ids(found).slice(0, 2)).toEqual([c.john, c.jon]);
    const scores = found.items.map((i) => i.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(found.totalCount).toBe(found.items.length);
  });

  it("folds accents both ways: 'Muller', 'müller' and 'Mueller' find Müller", async () => {
    for (const name of ["Muller", "müller", "MUELLER"]) expect(ids(await search(api, { name })), name).toEqual([c.muller]);
  });

  it("restricts a name to its field: lastName 'Smith' is not the company Smith Systems; companyName is", async () => {
    const last = ids(await search(api, { lastName: "Smith" }));
    expect(last).toContain(c.john);
    expect(last).not.toContain(c.smithCo);
    expect(ids(await search(api, { companyName: "Smiht Systms" }))).toEqual([c.smithCo]);
    expect(ids(await search(api, { firstName: "Jhon", lastName: "Smith" }))[0]).toBe(c.john);
  });

  it("answers nothing for a name no customer resembles, and every item is the full customer DTO", async () => {
    expect(await search(api, { name: "Xavier Quintanilla" })).toMatchObject({ items: [], totalCount: 0, totalPages: 0 });
    const found = await search(api, { name: "jane doe" });
    const get = await api.get(`/customers/${c.jane}`);
    expect(found.items).toEqual([{ ...get.body, score: 1 }]);
  });

  it("keeps the keys current: a renamed customer is found by its new name only (the cached search is retired)", async () => {
    const id = await create(api, person("Oliver", "Twist"));
    expect(ids(await search(api, { name: "Olivr Twsit" }))).toEqual([id]);
    const upd = await api.put(`/customers/${id}/profile`, { firstName: "Oliver", lastName: "Cromwell", companyName: "Oliver Cromwell" });
    expect(upd.status).toBe(200);
    expect(ids(await search(api, { name: "Olivr Twsit" }))).toEqual([]);
    expect(ids(await search(api, { name: "Oliver Cromwel" }))).toEqual([id]);
  });
});

describe("POST /customers/search: partial phone", () => {
  let api: Api;
  let london: string;
  let newYork: string;
  beforeAll(async () => {
    ({ api } = await tenantApi());
    london = await create(api, { primaryPhone: "+44 20 7946 0958" });
    newYork = await create(api, {
      primaryPhone: "+1 212 555 0123",
      secondaryPhone: "+44 161 496 0777",
      billingAddress: { street: "1 Main Street", city: "New York", state: "NY", zipCode: "10001", country: "US" },
    });
  });

  it("finds a number by any 4+ consecutive digits, however they are formatted", async () => {
    for (const phone of ["(020) 7946-09", "7946 0958", "+44 20 7946", "020-7946-0958", "0958", "44.2079"]) {
      expect(ids(await search(api, { phone })), phone).toEqual([london]);
    }
    for (const phone of ["(212) 555-0123", "555-01", "+1 212", "0161 496", "4960777"]) {
      expect(ids(await search(api, { phone })), phone).toEqual([newYork]);
    }
  });

  it("does not match digits that are not consecutive in the number", async () => {
    expect(ids(await search(api, { phone: "2079 0958" }))).toEqual([]);
    expect(ids(await search(api, { phone: "7946 1234" }))).toEqual([]);
  });

  it("scores the share of the number matched: the whole number is 1", async () => {
    expect((await search(api, { phone: "+442079460958" })).items[0]).toMatchObject({ id: london, score: 1 });
    expect((await search(api, { phone: "0958" })).items[0]!.score!).toBeLessThan(0.5);
  });

  it("combines with a name: both must match", async () => {
    const named = await create(api, person("Ada", "Lovelace", { primaryPhone: "+44 20 7946 0111" }));
    expect(ids(await search(api, { phone: "020 7946", sort: ["createdAt:asc"] }))).toEqual([london, named]);
    expect(ids(await search(api, { phone: "020 7946", name: "Lovlace" }))).toEqual([named]);
    expect(ids(await search(api, { phone: "0958", name: "Lovelace" }))).toEqual([]);
  });

  it("follows a phone change", async () => {
    const id = await create(api, { primaryPhone: "+44 20 7946 0333" });
    expect(ids(await search(api, { phone: "7946 0333" }))).toEqual([id]);
    expect((await api.put(`/customers/${id}/contact-info`, { primaryPhone: "+44 20 7946 0444" })).status).toBe(200);
    expect(ids(await search(api, { phone: "7946 0333" }))).toEqual([]);
    expect(ids(await search(api, { phone: "79460444" }))).toEqual([id]);
  });
});

describe("POST /customers/search: filters", () => {
  let api: Api;
  let tenant: string;
  const c: Record<string, string> = {};
  beforeAll(async () => {
    ({ api, tenant } = await tenantApi());
    c.active = await create(api, { companyName: "Alpha Trading", tags: ["vip", "north"] });
    c.ngo = await create(api, { companyName: "Beta Foundation", type: "NonProfit", tags: ["north"] });
    c.person = await create(api, person("Gamma", "Person", { primaryEmail: "gamma.person@example.org", secondaryEmail: "g.p@work.example" }));
    c.archived = await create(api, { companyName: "Delta Archive Co" });
    c.deactivated = await create(api, { companyName: "Epsilon Gone Ltd" });
    c.suspended = await create(api, { companyName: "Zeta Suspended Ltd" });
    expect((await api.post(`/customers/${c.archived}/archive`, { reason: "Closed" })).status).toBe(200);
    expect((await api.post(`/customers/${c.deactivated}/deactivate`, { reason: "Left" })).status).toBe(200);
    expect((await api.post(`/customers/${c.suspended}/suspend`, { reason: "Blocked" })).status).toBe(200);
  });

  it("leaves Archived and deactivated customers out unless the status filter asks for them; no criterion means no score", async () => {
    const all = await search(api, {});
    expect(ids(all).sort()).toEqual([c.active, c.ngo, c.person, c.suspended].sort());
    expect(all.items.every((i) => i.score === null)).toBe(true);
    expect(ids(await search(api, { status: ["Archived"] }))).toEqual([c.archived]);
    expect(ids(await search(api, { status: ["Deactivated"] }))).toEqual([c.deactivated]);
    expect(ids(await search(api, { status: ["Suspended", "Archived"] })).sort()).toEqual([c.suspended, c.archived].sort());
    // The same rules with a name: the archived one is found only when asked for.
    expect(ids(await search(api, { name: "Delta Archiv" }))).toEqual([]);
    expect(ids(await search(api, { name: "Delta Archiv", status: ["Archived"] }))).toEqual([c.archived]);
  });

  it("filters by type and segment", async () => {
    expect(ids(await search(api, { type: ["NonProfit"] }))).toEqual([c.ngo]);
    expect(ids(await search(api, { type: ["Individual", "NonProfit"] })).sort()).toEqual([c.ngo, c.person].sort());
    expect(ids(await search(api, { segment: ["VIP"] }))).toEqual([]);
    expect((await search(api, { segment: ["Standard"] })).totalCount).toBe(4);
  });

  it("filters by the start of the primary or secondary email, case-insensitively", async () => {
    expect(ids(await search(api, { email: "Gamma.Person@" }))).toEqual([c.person]);
    expect(ids(await search(api, { email: "g.p@work" }))).toEqual([c.person]);
    expect(ids(await search(api, { email: "person@" }))).toEqual([]);
  });

  it("filters by tags: every tag given, case-insensitively", async () => {
    expect(ids(await search(api, { tags: ["north"] })).sort()).toEqual([c.active, c.ngo].sort());
    expect(ids(await search(api, { tags: ["NORTH", "vip"] }))).toEqual([c.active]);
    expect(ids(await search(api, { tags: ["south"] }))).toEqual([]);
  });

  it("filters by created and last-activity date ranges", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    expect((await search(api, { createdAt: { from: hourAgo, to: inAnHour } })).totalCount).toBe(4);
    expect((await search(api, { createdAt: { from: inAnHour } })).totalCount).toBe(0);
    expect((await search(api, { createdAt: { to: hourAgo } })).totalCount).toBe(0);

    expect(ids(await search(api, { lastActivityAt: { from: hourAgo } }))).toEqual([]);
    await inTransaction(server.deps.db, (trx) => touchCustomerActivity(trx, tenant, c.ngo!, new Date()));
    expect(ids(await search(api, { lastActivityAt: { from: hourAgo, to: inAnHour } }))).toEqual([c.ngo]);
    expect(ids(await search(api, { lastActivityAt: { to: hourAgo } }))).toEqual([]);
    expect(ids(await search(api, { name: "Beta", lastActivityAt: { from: hourAgo } }))).toEqual([c.ngo]);
  });

  it("sorts by any sortable field, either way", async () => {
    const names = async (sort: string[]) => (await search(api, { sort })).items.map((i) => i.profile.companyName);
    expect(await names(["companyName:asc"])).toEqual(["Alpha Trading", "Beta Foundation", "Gamma Person", "Zeta Suspended Ltd"]);
    expect(await names(["companyName:desc"])).toEqual(["Zeta Suspended Ltd", "Gamma Person", "Beta Foundation", "Alpha Trading"]);
    expect(await names(["createdAt:desc"])).toEqual(["Zeta Suspended Ltd", "Gamma Person", "Beta Foundation", "Alpha Trading"]);
    expect(await names(["type:asc", "companyName:desc"])).toEqual(["Gamma Person", "Beta Foundation", "Zeta Suspended Ltd", "Alpha Trading"]);
  });
});

describe("POST /customers/search: paging", () => {
  it("pages filters and fuzzy results alike, with totals", async () => {
    const { api } = await tenantApi();
    const made: string[] = [];
    for (const suffix of ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]) made.push(await create(api, { companyName: `Walker Holdings ${suffix}` }));

    const pages = await Promise.all([1, 2, 3].map((page) => search(api, { pageSize: 2, page, sort: ["companyName:asc"] })));
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages[0]).toMatchObject({ totalCount: 5, totalPages: 3, page: 1, pageSize: 2 });
    expect(pages.flatMap(ids)).toEqual(made);

    const fuzzy = await Promise.all([1, 2, 3].map((page) => search(api, { name: "Wlaker", pageSize: 2, page })));
    expect(fuzzy.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(fuzzy[2]).toMatchObject({ totalCount: 5, totalPages: 3, page: 3 });
    expect(new Set(fuzzy.flatMap(ids))).toEqual(new Set(made));
    // Relevance ties keep a stable order; a field sort orders the fuzzy matches instead.
    const byName = await search(api, { name: "Wlaker", sort: ["companyName:desc"] });
    expect(ids(byName)).toEqual([...made].reverse());
    const ranked = await search(api, { name: "Walker Holdings Charlie" });
    expect(ranked.items).toMatchObject([{ id: made[2], score: 1 }]);
  });
});

describe("POST /customers/search: input, access and tenants", () => {
  let api: Api;
  let tenant: string;
  beforeAll(async () => {
    ({ api, tenant } = await tenantApi());
  });

  it.each([
    [{ sort: ["birthday:asc"] }, "sort.0", /must be relevance or field/],
    [{ sort: ["companyName:up"] }, "sort.0", /must be relevance or field/],
    [{ sort: ["createdAt:desc", "relevance"] }, "sort", /relevance can only be the first/],
    [{ sort: ["relevance"] }, "sort", /needs a name or phone/],
    [{ createdAt: { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" } }, "createdAt.from", /must not be after to/],
    [{ lastActivityAt: { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" } }, "lastActivityAt.from", /must not be after to/],
    [{ createdAt: { from: "yesterday" } }, "createdAt.from", /ISO 8601/],
    [{ phone: "(12) 3" }, "phone", /at least 4 digits/],
    // A name of one-letter words folds to nothing to search by: refused rather than ignored into the unfiltered list.
    [{ name: "J" }, "name", /needs a word of at least 2 letters/],
    [{ name: "J. K." }, "name", /needs a word of at least 2 letters/],
    [{ lastName: "é" }, "lastName", /needs a word of at least 2 letters/],
    [{ companyName: "&" }, "companyName", /needs a word of at least 2 letters/],
    [{ status: ["Gone"] }, "status.0", /./],
    [{ tags: ["no spaces"] }, "tags", /letters, digits, hyphens or underscores/],
    [{ pageSize: 500 }, "pageSize", /at most 100/],
  ])("answers 400 with the field's message for %j", async (body, field, message) => {
    const res = await api.post("/customers/search", body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(res.body.errors[field], JSON.stringify(res.body.errors)).toEqual([expect.stringMatching(message)]);
  });

  // Every role holds customer:read (REQ-CUS-036), so no role gets 403 here.
  it("answers 401 without a valid token", async () => {
    const anonymous = await fetch(`${server.url}/api/v1/customers/search`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(anonymous.status).toBe(401);
    const bad = await fetch(`${server.url}/api/v1/customers/search`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer nope" }, body: "{}" });
    expect(bad.status).toBe(401);
  });

  it("sees only the caller's tenant", async () => {
    const other = await tenantApi();
    const theirs = await create(other.api, person("Tenant", "Isolated", { primaryPhone: "+44 20 7946 0999" }));
    const mine = await create(api, person("Tenant", "Isolatd", { primaryPhone: "+44 20 7946 0998" }));
    expect(ids(await search(api, { name: "Tenant Isolated" }))).toEqual([mine]);
    expect(ids(await search(other.api, { name: "Tenant Isolated" }))).toEqual([theirs]);
    expect(ids(await search(api, { phone: "7946 0999" }))).toEqual([]);
    expect(ids(await search(api, { email: "owner" }))).toEqual([mine]);
  });

  it("is the tRPC procedure customers.advancedSearch too, for any role with customer:read", async () => {
    const id = await create(api, person("Grace", "Hopper"));
    const res = await fetch(`${server.url}/trpc/customers.advancedSearch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await server.token("Viewer", tenant, "viewer-1")}` },
      body: JSON.stringify({ name: "Grace Hoper" }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: Found } };
    expect(body.result.data.items.map((i) => i.id)).toEqual([id]);
  });
});

describe("the key tables' migrations", () => {
  it("backfill the keys of customers that existed before them", async () => {
    const isolated = await startIsolatedTestServer("search_backfill");
    // Migrations run without the camel-case plugin, as the migrator runs them.
    const db = isolated.deps.db.withoutPlugins() as unknown as Parameters<typeof nameKeysMigration.up>[0];
    try {
      const api = await isolated.as("Admin", newTenant(), "admin-1");
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await api.post("/customers", customerBody({ type: "Individual", companyName: undefined, industry: null, firstName: "Jürgen", lastName: "Backfill", primaryPhone: `+49 30 1234567${i}` }));
        expect(res.status).toBe(201);
        ids.push(res.body.id as string);
      }
      // As before the migrations: no key rows. Then the migrations, which must find the customers.
      await phoneGramsMigration.down(db);
      await nameKeysMigration.down(db);
      await nameKeysMigration.up(db);
      await phoneGramsMigration.up(db);
      const byName = await api.post("/customers/search", { name: "jurgen bakcfill", sort: ["createdAt:asc"] });
      expect(byName.body.items.map((i: { id: string }) => i.id)).toEqual(ids);
      const byPhone = await api.post("/customers/search", { phone: "030 1234 5671" });
      expect(byPhone.body.items.map((i: { id: string }) => i.id)).toEqual([ids[1]]);
    } finally {
      await isolated.close();
    }
  });
});
