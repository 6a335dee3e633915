import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;
let tenant: string;
let admin: Api;

beforeAll(async () => {
  server = await startTestServer();
  tenant = newTenant();
  admin = rest(server.url, await server.token("Admin", tenant, "creator-1"));
});
afterAll(() => server.close());

describe("GET /customers/{id}", () => {
  it("returns the complete customer: profile, contact info, preferences, status and audit metadata", async () => {
    const body = customerBody({
      companyName: "Globex Ltd",
      industry: "Energy",
      website: "https://globex.example.com",
      secondaryEmail: "accounts@globex.example.com",
      shippingSameAsBilling: true,
      preferences: { preferredLanguage: "pt-BR", timeZone: "Europe/Lisbon", communicationChannels: ["Email", "Phone"] },
    });
    const created = await admin.post("/customers", body);
    expect(created.status).toBe(201);

    const res = await admin.get(`/customers/${created.body.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"1"');
    const billing = { street: "1 High Street", city: "London", state: "Greater London", zipCode: "SW1A 1AA", country: "GB" };
    expect(res.body).toEqual({
      id: created.body.id,
      customerNumber: created.body.customerNumber,
      profile: {
        companyName: "Globex Ltd",
        firstName: null,
        lastName: null,
        industry: "Energy",
        type: "SmallBusiness",
        segment: "Standard",
        segmentOverride: null,
        lifetimeValue: 0,
        totalEvents: 0,
        rating: "Unrated",
        notes: null,
        source: null,
        dateOfBirth: null,
        gender: null,
        socialMediaLinks: { linkedin: null, twitter: null, facebook: null },
      },
      contactInfo: {
        primaryEmail: body.primaryEmail,
        secondaryEmail: "accounts@globex.example.com",
        primaryPhone: "+442079460958",
        secondaryPhone: null,
        billingAddress: billing,
        shippingAddress: billing,
        website: "https://globex.example.com",
        emailVerified: false,
        phoneVerified: false,
      },
      preferences: {
        communication: { channels: ["Email", "Phone"], frequency: null },
        preferredEventTypes: [],
        interests: [],
        preferredLanguage: "pt-BR",
        timeZone: "Europe/Lisbon",
        notifications: { email: true, sms: false, push: true },
        marketingConsent: false,
        dataProcessingConsent: true,
        analyticsTracking: true,
      },
      tags: [],
      status: "Active",
      statusReason: null,
      lastActivityAt: null,
      ratingOverride: null,
      ratingFactors: null,
      loyaltyTier: null,
      inactivity: null,
      createdAt: created.body.createdAt,
      createdBy: "creator-1",
      lastModifiedAt: null,
      lastModifiedBy: null,
      version: 1,
    });
    expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);
    expect(Math.abs(Date.parse(res.body.createdAt) - Date.now())).toBeLessThan(60_000);

    // A second read (served from the cache) is identical.
    expect((await admin.get(`/customers/${created.body.id}`)).body).toEqual(res.body);
  });

  it("reflects an update in lastModifiedAt and version on the next read", async () => {
    const id = (await admin.post("/customers", customerBody())).body.id;
    await admin.put(`/customers/${id}/profile`, { industry: "Logistics" });
    const res = await admin.get(`/customers/${id}`);
    expect(res.body.profile.industry).toBe("Logistics");
    expect(res.body.version).toBe(2);
    expect(res.body.lastModifiedAt).not.toBeNull();
    expect(res.body.lastModifiedBy).toBe("creator-1");
    expect(res.headers.get("etag")).toBe('"2"');
  });

  it("answers 404 problem+json with code CUST-001 for an unknown id", async () => {
    const id = randomUUID();
    const res = await admin.get(`/customers/${id}`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body).toMatchObject({ type: "NotFoundError", status: 404, code: "CUST-001", instance: `/api/v1/customers/${id}` });
    expect(res.body.traceId).toBeTruthy();
  });

  it("answers 401 without a token", async () => {
    const id = (await admin.post("/customers", customerBody())).body.id;
    expect((await rest(server.url).get(`/customers/${id}`)).status).toBe(401);
  });

  it.each(["Viewer", "SupportAgent", "SalesRep", "CustomerManager", "Admin", "MarketingManager"] as const)(
    "%s can read a customer",
    async (role) => {
      const created = await admin.post("/customers", customerBody({ companyName: `Readable by ${role}` }));
      const api = rest(server.url, await server.token(role, tenant));
      const res = await api.get(`/customers/${created.body.id}`);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(created.body.id);
      expect(res.body.profile.companyName).toBe(`Readable by ${role}`);
      const search = await api.get(`/customers/search?query=${encodeURIComponent(created.body.customerNumber)}`);
      expect(search.status).toBe(200);
    },
  );
});

describe("GET /customers/search", () => {
  let t: string;
  let api: Api;
  const ids: Record<string, string> = {};

  // Created in this order, so in a fresh tenant their numbers are CUS-000001 … CUS-000012.
  const DATA: { name: string; type: string; email: string; extra?: Record<string, unknown> }[] = [
    { name: "Northwind Traders", type: "SmallBusiness", email: "orders@nw-mail.net" },
    { name: "Contoso Pharmaceuticals", type: "Enterprise", email: "procurement@cpharm.org" },
    { name: "Fabrikam Robotics", type: "SmallBusiness", email: "hello@fab-rob.io" },
    { name: "Adventure Works Cycles", type: "SmallBusiness", email: "sales@aw-cycles.com" },
    { name: "Tailspin Toys", type: "SmallBusiness", email: "ana.ruiz@postbox.net" },
    { name: "Wingtip Outfitters", type: "Enterprise", email: "buyers@wingtip-co.com" },
    { name: "Litware Software", type: "SmallBusiness", email: "ruiz.ana@postbox.net" },
    { name: "Proseware Analytics", type: "Government", email: "desk@proseware.gov.uk" },
    { name: "Ada Lovelace", type: "Individual", email: "ada@engines.org.uk", extra: { companyName: undefined, firstName: "Ada", lastName: "Lovelace" } },
    { name: "Grace Hopper", type: "Individual", email: "grace@cobol.dev", extra: { companyName: undefined, firstName: "Grace", lastName: "Hopper" } },
    { name: "Helping Hands Foundation", type: "NonProfit", email: "give@helping-hands.org" },
    { name: "Open Harbor Trust", type: "NonProfit", email: "info@openharbor.org" },
  ];
  const BY_NAME_ASC = DATA.map((d) => d.name).sort((a, b) => a.localeCompare(b));

  type Page = { items: { id: string; customerNumber: string; profile: { companyName: string; type: string } }[]; totalCount: number; page: number; pageSize: number; totalPages: number };
  const search = async (qs: string, as: Api = api) => {
    const res = await as.get<Page>(`/customers/search${qs ? `?${qs}` : ""}`);
    expect(res.status, `${qs}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  const names = (p: Page) => p.items.map((c) => c.profile.companyName);

  beforeAll(async () => {
    t = newTenant();
    api = rest(server.url, await server.token("Viewer", t));
    const writer = rest(server.url, await server.token("CustomerManager", t));
    for (const d of DATA) {
      const res = await writer.post("/customers", customerBody({ companyName: d.name, type: d.type, primaryEmail: d.email, ...d.extra }));
      expect(res.status, d.name).toBe(201);
      ids[d.name] = res.body.id;
    }
    // A deactivated one that would otherwise match several queries below.
    const ghost = await writer.post("/customers", customerBody({ companyName: "Northwind Ghost Robotics", type: "Enterprise", primaryEmail: "ana.ruiz@ghost-mail.net" }));
    expect(ghost.status).toBe(201);
    expect(ghost.body.customerNumber).toBe("CUS-000013");
    ids.ghost = ghost.body.id;
    expect((await writer.post(`/customers/${ghost.body.id}/deactivate`, { reason: "duplicate entry" })).status).toBe(200);

    // Same names in another tenant must never leak into this one's results.
    const other = rest(server.url, await server.token("Admin", newTenant()));
    for (const name of ["Northwind Traders", "Fabrikam Robotics", "Contoso Pharmaceuticals"]) {
      expect((await other.post("/customers", customerBody({ companyName: name, type: "Enterprise" }))).status).toBe(201);
    }
  });

  it("finds by a company-name word, case-insensitively", async () => {
    for (const q of ["northwind", "NORTHWIND", "Northwind"]) {
      const res = await search(`query=${q}`);
      expect(res.totalCount, q).toBe(1);
      expect(res.items.map((c) => c.id), q).toEqual([ids["Northwind Traders"]]);
    }
    expect(names(await search("query=contoso%20pharmaceuticals"))).toEqual(["Contoso Pharmaceuticals"]);
    expect(names(await search("query=zzyzx"))).toEqual([]);
  });

  it("matches a word prefix", async () => {
    expect(names(await search("query=robot"))).toEqual(["Fabrikam Robotics"]);
    expect(names(await search("query=Pharma"))).toEqual(["Contoso Pharmaceuticals"]);
  });

  it("finds by email: the full address (any case) and a prefix up to the @", async () => {
    const full = await search(`query=${encodeURIComponent("procurement@cpharm.org")}`);
    expect(names(full)).toEqual(["Contoso Pharmaceuticals"]);
    expect(names(await search(`query=${encodeURIComponent("PROCUREMENT@CPHARM.ORG")}`))).toEqual(["Contoso Pharmaceuticals"]);
    // Litware's "ruiz.ana@postbox.net" has the same words in another order, and the deactivated
    // customer has the same local part: neither may show.
    const prefix = await search(`query=${encodeURIComponent("ana.ruiz@")}`);
    expect(prefix.items.map((c) => c.id)).toEqual([ids["Tailspin Toys"]]);
  });

  it("finds by customer number", async () => {
    const res = await search("query=CUS-000003");
    expect(res.totalCount).toBe(1);
    expect(res.items[0]!.customerNumber).toBe("CUS-000003");
    expect(res.items[0]!.id).toBe(ids["Fabrikam Robotics"]);
    expect(names(await search("query=cus-000003"))).toEqual(["Fabrikam Robotics"]);
    expect(names(await search("query=000003"))).toEqual(["Fabrikam Robotics"]);
    // The deactivated customer's number finds nothing.
    expect((await search("query=CUS-000013")).totalCount).toBe(0);
  });

  it("filters by several types, as repeated keys or comma-separated", async () => {
    const expected = ["Ada Lovelace", "Grace Hopper", "Helping Hands Foundation", "Open Harbor Trust"];
    const repeated = await search("type=Individual&type=NonProfit");
    expect(repeated.totalCount).toBe(4);
    expect(names(repeated)).toEqual(expected);
    const comma = await search("type=Individual,NonProfit");
    expect(names(comma)).toEqual(expected);
    expect(names(await search("type=Government"))).toEqual(["Proseware Analytics"]);
    const bad = await api.get("/customers/search?type=Spaceship");
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).some((k) => k.startsWith("type"))).toBe(true);
  });

  it("filters by segment: Enterprises are Corporate", async () => {
    expect(names(await search("segment=Corporate"))).toEqual(["Contoso Pharmaceuticals", "Wingtip Outfitters"]);
    expect((await search("segment=Standard")).totalCount).toBe(10);
    expect((await search("segment=VIP")).totalCount).toBe(0);
  });

  it("filters by tags (every one given, any case) alone and with a word query; a tag that could not exist is a 400", async () => {
    const writer = rest(server.url, await server.token("CustomerManager", t));
    for (const [name, tags] of [["Northwind Traders", ["vip", "wholesale"]], ["Fabrikam Robotics", ["vip"]]] as const) {
      expect((await writer.put(`/customers/${ids[name]}/tags`, { tags })).status).toBe(200);
    }
    expect(names(await search("tags=VIP"))).toEqual(["Fabrikam Robotics", "Northwind Traders"]);
    expect(names(await search("tags=vip,wholesale"))).toEqual(["Northwind Traders"]);
    expect(names(await search("tags=vip&query=robotics"))).toEqual(["Fabrikam Robotics"]);
    expect(names(await search("tags=vip&query=CUS-000001"))).toEqual(["Northwind Traders"]);
    expect((await search("tags=nobody-has-this")).totalCount).toBe(0);
    const bad = await api.get("/customers/search?tags=has%20space");
    expect(bad.status).toBe(400);
    expect(bad.body.errors.tags[0]).toMatch(/letters, digits/);
  });

  it("filters by status and combines filters with the text query", async () => {
    expect((await search("status=Active")).totalCount).toBe(12);
    // The only Inactive customer is deactivated (soft-deleted), which search never returns.
    expect((await search("status=Inactive")).totalCount).toBe(0);
    expect((await search("status=Suspended,Archived")).totalCount).toBe(0);
    expect(names(await search("query=northwind&type=SmallBusiness&status=Active"))).toEqual(["Northwind Traders"]);
    expect((await search("query=northwind&type=Enterprise")).totalCount).toBe(0);
  });

  it("paginates with totals, a default page size of 20 and bounds on page and pageSize", async () => {
    const all: string[] = [];
    for (const page of [1, 2, 3]) {
      const res = await search(`pageSize=5&page=${page}`);
      expect(res).toMatchObject({ totalCount: 12, totalPages: 3, page, pageSize: 5 });
      expect(res.items).toHaveLength(page === 3 ? 2 : 5);
      all.push(...names(res));
    }
    expect(all).toEqual(BY_NAME_ASC);
    const beyond = await search("pageSize=5&page=4");
    expect(beyond.items).toEqual([]);
    expect(beyond.totalCount).toBe(12);

    const defaults = await search("");
    expect(defaults).toMatchObject({ page: 1, pageSize: 20, totalCount: 12, totalPages: 1 });
    expect(defaults.items).toHaveLength(12);
    // Default order is by company name.
    expect(names(defaults)).toEqual(BY_NAME_ASC);

    expect((await search("pageSize=100")).pageSize).toBe(100);
    for (const qs of ["pageSize=101", "pageSize=0", "page=0", "page=-1", "page=abc"]) {
      const res = await api.get(`/customers/search?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.type, qs).toBe("ValidationError");
    }
    expect(Object.keys((await api.get("/customers/search?pageSize=101")).body.errors)).toContain("pageSize");
    expect(Object.keys((await api.get("/customers/search?page=0")).body.errors)).toContain("page");
  });

  it("sorts by one field descending and by several fields", async () => {
    expect(names(await search("sort=companyName:desc"))).toEqual([...BY_NAME_ASC].reverse());
    expect(names(await search("sort=type:asc,companyName:asc"))).toEqual([
      "Contoso Pharmaceuticals",
      "Wingtip Outfitters",
      "Proseware Analytics",
      "Ada Lovelace",
      "Grace Hopper",
      "Helping Hands Foundation",
      "Open Harbor Trust",
      "Adventure Works Cycles",
      "Fabrikam Robotics",
      "Litware Software",
      "Northwind Traders",
      "Tailspin Toys",
    ]);
    // The secondary key really applies: the same primary with companyName descending flips within a type.
    expect(names(await search("sort=type:asc&sort=companyName:desc")).slice(0, 3)).toEqual([
      "Wingtip Outfitters",
      "Contoso Pharmaceuticals",
      "Proseware Analytics",
    ]);
    const byNumber = await search("sort=customerNumber:desc&pageSize=3");
    expect(byNumber.items.map((c) => c.customerNumber)).toEqual(["CUS-000012", "CUS-000011", "CUS-000010"]);
  });

  it("rejects an unknown sort field or direction", async () => {
    for (const sort of ["password:asc", "companyName:sideways", "primaryEmail"]) {
      const res = await api.get(`/customers/search?sort=${sort}`);
      expect(res.status, sort).toBe(400);
      expect(Object.keys(res.body.errors).some((k) => k.startsWith("sort")), sort).toBe(true);
    }
  });

  it("returns the same customer shape as GET", async () => {
    const res = await search("query=northwind");
    const got = await api.get(`/customers/${ids["Northwind Traders"]}`);
    expect(res.items[0]).toEqual(got.body);
  });

  it("never returns another tenant's customers, nor deactivated ones", async () => {
    const everything = await search("pageSize=100");
    expect(everything.totalCount).toBe(12);
    expect(new Set(everything.items.map((c) => c.id))).toEqual(new Set(DATA.map((d) => ids[d.name])));
    expect(everything.items.map((c) => c.id)).not.toContain(ids.ghost);
    for (const q of ["robotics", "fabrikam", "contoso"]) {
      expect((await search(`query=${q}`)).totalCount, q).toBe(1);
    }
    expect((await api.get(`/customers/${ids.ghost}`)).status).toBe(404);
  });
});

describe("search cache", () => {
  it("shows a customer created, renamed or deactivated after an identical search was cached", async () => {
    const t = newTenant();
    const api = rest(server.url, await server.token("SalesRep", t));
    const mgr = rest(server.url, await server.token("CustomerManager", t));
    const find = async () => (await api.get("/customers/search?query=zephyr")).body;

    // Warm the cache with an empty result, twice to be sure the second is served from it.
    expect((await find()).totalCount).toBe(0);
    expect((await find()).totalCount).toBe(0);

    const created = await api.post("/customers", customerBody({ companyName: "Zephyr Aeronautics" }));
    expect(created.status).toBe(201);
    const afterCreate = await find();
    expect(afterCreate.totalCount).toBe(1);
    expect(afterCreate.items[0].id).toBe(created.body.id);

    const renamed = await api.put(`/customers/${created.body.id}/profile`, { companyName: "Zephyr Aerospace" });
    expect(renamed.status).toBe(200);
    const afterRename = await find();
    expect(afterRename.items[0].profile.companyName).toBe("Zephyr Aerospace");
    expect(afterRename.items[0].version).toBe(2);

    expect((await mgr.post(`/customers/${created.body.id}/deactivate`, { reason: "went bust" })).status).toBe(200);
    expect((await find()).totalCount).toBe(0);

    expect((await mgr.post(`/customers/${created.body.id}/reactivate`, { reason: "came back" })).status).toBe(200);
    expect((await find()).totalCount).toBe(1);
  });

  it("does not let one tenant's write be hidden by, or leak into, another tenant's cached search", async () => {
    const a = rest(server.url, await server.token("Admin", newTenant()));
    const b = rest(server.url, await server.token("Admin", newTenant()));
    expect((await a.get("/customers/search?query=quasar")).body.totalCount).toBe(0);
    expect((await b.get("/customers/search?query=quasar")).body.totalCount).toBe(0);
    expect((await b.post("/customers", customerBody({ companyName: "Quasar Optics" }))).status).toBe(201);
    expect((await a.get("/customers/search?query=quasar")).body.totalCount).toBe(0);
    expect((await b.get("/customers/search?query=quasar")).body.totalCount).toBe(1);
  });
});
