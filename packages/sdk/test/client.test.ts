import { createClient, isClienteleError } from "@clientele/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type TestServer } from "@clientele/api/test/harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isClienteleError(error)) return error.data;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("typed client (tRPC at /trpc)", () => {
  it("creates, reads, searches and updates through the same procedures as REST", async () => {
    const tenant = newTenant();
    const client = createClient({ url: server.url, getToken: () => server.token("CustomerManager", tenant) });
    const created = await client.customers.create.mutate(customerBody({ companyName: "Typed Client GmbH" }) as never);
    expect(created.customerNumber).toBe("CUS-000001");
    const got = await client.customers.get.query({ id: created.id });
    expect(got.profile.companyName).toBe("Typed Client GmbH");
    const found = await client.customers.search.query({ query: "typed", type: ["SmallBusiness"], pageSize: 5 });
    expect(found.items.map((c) => c.id)).toEqual([created.id]);
    const updated = await client.customers.updateProfile.mutate({ id: created.id, version: 1, industry: "Software" });
    expect(updated.version).toBe(2);
    const history = await client.customers.history.query({ id: created.id });
    expect(history.items.map((h) => h.action)).toEqual(["CustomerRegistered", "CustomerProfileUpdated"]);
    expect(history.items[1]!.changes.industry).toEqual({ from: "Manufacturing", to: "Software" });
  });

  it("carries the spec code, field errors and trace id on failures", async () => {
    const tenant = newTenant();
    const client = createClient({ url: server.url, token: await server.token("Admin", tenant) });
    const invalid = await failure(client.customers.create.mutate({ ...customerBody(), primaryEmail: "nope" } as never));
    expect(invalid).toMatchObject({ httpStatus: 400, errorCode: "VALIDATION", type: "ValidationError" });
    expect(invalid.fieldErrors?.primaryEmail).toBeDefined();
    expect(invalid.traceId).toBeTruthy();

    const missing = await failure(client.customers.get.query({ id: "00000000-0000-4000-8000-000000000000" }));
    expect(missing).toMatchObject({ httpStatus: 404, errorCode: "CUST-001" });

    const created = await client.customers.create.mutate(customerBody() as never);
    const stale = await failure(client.customers.updateProfile.mutate({ id: created.id, version: 9, industry: "X-ray" }));
    expect(stale).toMatchObject({ httpStatus: 409, errorCode: "CONCURRENCY" });

    const viewer = createClient({ url: server.url, token: await server.token("Viewer", tenant) });
    expect(await failure(viewer.customers.create.mutate(customerBody() as never))).toMatchObject({ httpStatus: 403, errorCode: "AUTH-002" });
    const anonymous = createClient({ url: server.url });
    expect(await failure(anonymous.customers.get.query({ id: created.id }))).toMatchObject({ httpStatus: 401, errorCode: "AUTH-001" });
  });
});
