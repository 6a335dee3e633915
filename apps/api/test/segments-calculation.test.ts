import { runSegmentCalculation } from "@clientele/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type TestServer } from "./harness";

/** The full calculation over several id ranges, resumed after a checkpoint, against the real database. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("segment calculation in id ranges", () => {
  it("joins and leaves across ranges, reports progress, and a resumed run starts after its checkpoint", async () => {
    const tenant = newTenant();
    const manager = await server.as("CustomerManager", tenant);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await manager.post("/customers", customerBody({ tags: i % 2 === 0 ? ["even"] : ["odd"] }))).body.id as string);
    const s = (await manager.post("/customers/segments", { name: "Even", kind: "static" })).body;
    // A static segment is never calculated: make it dynamic in the database so only this run (no worker) calculates it.
    await server.deps.db
      .updateTable("customerSegments")
      .set({ kind: "dynamic", criteria: JSON.stringify({ customRules: [{ field: "tags", operator: "contains", value: "even" }] }) })
      .where("id", "=", s.id)
      .execute();
    // Two odd customers start as members: the run must make them leave, whichever range they fall in.
    const odd = ids.filter((_, i) => i % 2 === 1).slice(0, 2);
    const now = new Date();
    await server.deps.db.insertInto("customerSegmentMembership").values(odd.map((customerId) => ({ tenantId: tenant, segmentId: s.id, customerId, joinedAt: now, reason: "manual" }))).execute();

    const checkpoints: string[] = [];
    const result = await runSegmentCalculation(server.deps, { tenantId: tenant, segmentId: s.id, requestedAt: now.toISOString() }, { chunkSize: 2, onChunk: async (after) => void checkpoints.push(after) });
    const even = ids.filter((_, i) => i % 2 === 0).sort();
    expect(result).toEqual({ checked: 7, joined: 4, left: 2, members: 4 });
    expect(checkpoints).toHaveLength(3);
    const seg = (await manager.get(`/customers/segments/${s.id}`)).body;
    expect(seg).toMatchObject({ status: "ACTIVE", customerCount: 4, calculation: { total: 7, done: 7, error: null } });
    const members = ((await manager.get(`/customers/segments/${s.id}/customers`)).body.items as { customerId: string; reason: string }[]).map((m) => m.customerId).sort();
    expect(members).toEqual(even);

    // Resumed after the second checkpoint: nothing left to change, progress counts from there.
    const resumed = await runSegmentCalculation(server.deps, { tenantId: tenant, segmentId: s.id, requestedAt: now.toISOString(), after: checkpoints[1]! }, { chunkSize: 2 });
    expect(resumed).toEqual({ checked: 7, joined: 0, left: 0, members: 4 });
  });
});
