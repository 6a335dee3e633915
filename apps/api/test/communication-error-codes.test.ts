import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startIsolatedTestServer, type Api, type TestServer } from "./harness";

/** Appendix B: COMM-001 is an invalid recipient; COMM-002/003 are kept for failed deliveries. */
let server: TestServer;
let api: Api;
let customerId: string;
beforeAll(async () => {
  server = await startIsolatedTestServer("commcodes");
  api = await server.as("Admin", newTenant());
  customerId = (await api.post("/customers", customerBody())).body.id;
});
afterAll(() => server.close());

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const missing = "00000000-0000-4000-8000-000000000000";

describe("communication error codes", () => {
  it("answers 400 COMM-001 for an invalid email recipient, with every field problem listed", async () => {
    const res = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "not-an-address", subject: "", body: "x" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "COMM-001", type: "ValidationError" });
    expect(Object.keys(res.body.errors).sort()).toEqual(["recipientEmail", "subject"]);
  });

  it("answers 400 COMM-001 for an invalid SMS recipient", async () => {
    const res = await api.post(`/customers/${customerId}/communications/sms`, { recipientPhone: "12", message: "hi" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "COMM-001" });
    expect(res.body.errors.recipientPhone).toBeDefined();
  });

  it("keeps VALIDATION for a valid recipient with another problem", async () => {
    const res = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "ok@x.example", subject: "", body: "x" });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION");
  });

  it("gives a missing communication or meeting 404 COMM-007, not a delivery-failure code", async () => {
    const got = await api.get(`/customers/${customerId}/communications/${missing}`);
    expect(got.status).toBe(404);
    expect(got.body.code).toBe("COMM-007");
    const moved = await api.put(`/customers/${customerId}/communications/meeting/${missing}`, { scheduledStart: inMinutes(60), scheduledEnd: inMinutes(90) });
    expect(moved.status).toBe(404);
    expect(moved.body).toMatchObject({ code: "COMM-007", detail: "Meeting not found." });
  });

  it("gives a change to a cancelled meeting 400 COMM-008", async () => {
    const m = (
      await api.post(`/customers/${customerId}/communications/meeting`, { title: "Review", scheduledStart: inMinutes(60), scheduledEnd: inMinutes(90), attendees: ["a@x.example"], location: "HQ" })
    ).body;
    const url = `/customers/${customerId}/communications/meeting/${m.id}`;
    expect((await api.post(`${url}/cancel`, {})).status).toBe(200);
    for (const res of [await api.post(`${url}/cancel`, {}), await api.put(url, { scheduledStart: inMinutes(120), scheduledEnd: inMinutes(150) })]) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "COMM-008", detail: "The meeting is cancelled." });
    }
  });
});
