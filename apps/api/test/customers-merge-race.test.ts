import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type Api, type TestServer } from "./harness";

// Issue 10 §4 (REQ-CUS-007): a merge is atomic, so a record added to the source while the merge
// runs either moves with it to the target or is refused; it is never left on the deactivated source.

let server: TestServer;
let tenant: string;
let admin: Api;

beforeAll(async () => {
  server = await startTestServer();
  tenant = newTenant();
  admin = await server.as("CustomerManager", tenant, "race-1");
});
afterAll(() => server.close());

async function create(name: string): Promise<string> {
  const res = await admin.post("/customers", customerBody({ companyName: name }));
  expect(res.status).toBe(201);
  return res.body.id;
}

type Kind = "communications" | "complaints" | "testimonials" | "followUps";

/** Every interaction that adds a record to a customer, with the table it lands in. */
const interactions: { kind: Kind; send: (customerId: string) => Promise<{ status: number; body: Record<string, any> }> }[] = [
  {
    kind: "communications",
    send: (id) =>
      admin.post(`/customers/${id}/communications/phone-call`, { phoneNumber: "+14155552671", callType: "Inbound", durationInSeconds: 30, summary: "Asked about the merge", callTime: new Date(Date.now() - 60_000).toISOString() }),
  },
  { kind: "complaints", send: (id) => admin.post(`/customers/${id}/complaints`, { subject: "Late delivery", description: "The parcel came a week late.", priority: "Medium" }) },
  { kind: "testimonials", send: (id) => admin.post(`/customers/${id}/testimonials`, { content: "Great service, would recommend.", rating: 5, authorName: "Ann" }) },
  { kind: "followUps", send: (id) => admin.post(`/customers/${id}/follow-ups`, { subject: "Call back", dueDate: new Date(Date.now() + 86_400_000).toISOString(), priority: "Medium" }) },
];

async function customerIdOf(kind: Kind, id: string): Promise<string | undefined> {
  const row = await server.deps.db.selectFrom(kind).select("customerId").where("tenantId", "=", tenant).where("id", "=", id).executeTakeFirst();
  return row?.customerId;
}

async function countOn(kind: Kind, customerId: string): Promise<number> {
  const rows = await server.deps.db.selectFrom(kind).select("id").where("tenantId", "=", tenant).where("customerId", "=", customerId).execute();
  return rows.length;
}

describe("records added while a customer is being merged", () => {
  it("end on the target or are refused (404 mergedInto / 400), never on the source", async () => {
    let landed = 0;
    let refused = 0;
    for (let round = 0; round < 12; round++) {
      const source = await create(`Race Source ${round}`);
      const target = await create(`Race Target ${round}`);
      // Three of each kind, spread from before the merge starts to after it, so some start before it locks the source and some after.
      const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const sends = [...interactions, ...interactions, ...interactions].map(async (i, n) => {
        await later(n * 3);
        return { kind: i.kind, res: await i.send(source) };
      });
      const merging = later(8 + (round % 4) * 4).then(() => admin.post("/customers/merge", { sourceCustomerId: source, targetCustomerId: target }));
      const [mergeRes, ...results] = await Promise.all([merging, ...sends]);
      expect(mergeRes.status).toBe(200);

      for (const { kind, res } of results) {
        if (res.status === 201) {
          landed++;
          const id = res.body.id as string;
          expect(await customerIdOf(kind, id), `${kind} ${id}`).toBe(target);
          // The merge reported it among what it moved.
          expect(mergeRes.body.moved[kind], `${kind} ${id}`).toContain(id);
        } else {
          refused++;
          if (res.status === 404) expect(res.body, kind).toMatchObject({ code: "CUST-001", mergedInto: target });
          else expect(res.status, `${kind}: ${JSON.stringify(res.body)}`).toBe(400);
        }
      }
      for (const { kind } of interactions) expect(await countOn(kind, source), `${kind} left on the source`).toBe(0);
    }
    // The rounds really raced: some interactions got in before the merge, some came after it.
    expect(landed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 120_000);
});
