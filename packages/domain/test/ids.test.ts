import { describe, expect, it } from "vitest";
import { timeOrderedUuid } from "../src/ids";

describe("timeOrderedUuid", () => {
  it("is a version 7 UUID carrying the millisecond it was made", () => {
    const at = Date.UTC(2026, 11, 3, 7, 30);
    const id = timeOrderedUuid(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(at);
  });

  it("sorts in the order made, within one millisecond and past 4,096 ids in it", () => {
    const at = Date.UTC(2030, 0, 1);
    const ids = Array.from({ length: 10_000 }, () => timeOrderedUuid(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("never goes back when the clock does", () => {
    const first = timeOrderedUuid(Date.UTC(2031, 0, 1));
    const later = timeOrderedUuid(Date.UTC(2029, 0, 1));
    expect(later > first).toBe(true);
  });
});
