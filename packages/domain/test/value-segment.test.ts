import { describe, expect, it } from "vitest";
import {
  checkSegmentOverride,
  DEFAULT_VALUE_SETTINGS,
  effectiveSegment,
  ruleSegment,
  segmentAfterClear,
  segmentAfterOverride,
  segmentAfterValueChange,
  segmentChangeEvents,
  type SegmentState,
} from "../src/index";
import { fieldErrors } from "./support";

const t = DEFAULT_VALUE_SETTINGS.lifetimeValueThresholds;
const at = new Date("2026-12-04T10:00:00Z");
const state = (p: Partial<SegmentState> = {}): SegmentState => ({ type: "Individual", lifetimeValue: "0.00", segment: "Standard", override: null, ...p });

describe("segment tier rule (REQ-CUS-017)", () => {
  it("is Standard by default and strictly above each threshold", () => {
    expect(ruleSegment("Individual", "0.00", t)).toBe("Standard");
    expect(ruleSegment("Individual", "10000.00", t)).toBe("Standard");
    expect(ruleSegment("Individual", "10000.01", t)).toBe("Premium");
    expect(ruleSegment("SmallBusiness", "50000.00", t)).toBe("Premium");
    expect(ruleSegment("SmallBusiness", "50000.01", t)).toBe("VIP");
    expect(ruleSegment("NonProfit", "-20.00", t)).toBe("Standard");
  });

  it("is Corporate for Enterprise customers at any value", () => {
    expect(ruleSegment("Enterprise", "0.00", t)).toBe("Corporate");
    expect(ruleSegment("Enterprise", "90000.00", t)).toBe("Corporate");
  });

  it("follows the tenant's thresholds", () => {
    expect(ruleSegment("Individual", "100.01", { premium: "100.00", vip: "200.00" })).toBe("Premium");
    expect(ruleSegment("Individual", "200.01", { premium: "100.00", vip: "200.00" })).toBe("VIP");
  });

  it("reports the change a new lifetime value brings, and none within a tier", () => {
    expect(segmentAfterValueChange(state({ lifetimeValue: "10000.01" }), t)).toEqual({ from: "Standard", to: "Premium", reason: "auto" });
    expect(segmentAfterValueChange(state({ lifetimeValue: "9000.00", segment: "Premium" }), t)).toEqual({ from: "Premium", to: "Standard", reason: "auto" });
    expect(segmentAfterValueChange(state({ lifetimeValue: "10000.00" }), t)).toBeNull();
  });

  it("keeps an override until it is cleared", () => {
    const override = { segment: "VIP" as const, reason: "board member", by: "u1", at };
    const s = state({ lifetimeValue: "20000.00", segment: "VIP", override });
    expect(effectiveSegment(s, t)).toBe("VIP");
    expect(segmentAfterValueChange(s, t)).toBeNull();
    expect(segmentAfterClear(s, t)).toEqual({ from: "VIP", to: "Premium", reason: "cleared" });
    expect(segmentAfterClear(state({ lifetimeValue: "20000.00", segment: "Premium", override: { ...override, segment: "Premium" } }), t)).toBeNull();
  });

  it("an override changes the segment unless it already is that one", () => {
    expect(segmentAfterOverride(state(), { segment: "VIP", reason: "r", by: "u1", at })).toEqual({ from: "Standard", to: "VIP", reason: "override" });
    expect(segmentAfterOverride(state(), { segment: "Standard", reason: "r", by: "u1", at })).toBeNull();
  });

  it("requires a reason and a known segment for an override", () => {
    expect(checkSegmentOverride({ segment: "VIP", reason: "  key account " }, "u1", at)).toEqual({ segment: "VIP", reason: "key account", by: "u1", at });
    expect(fieldErrors(() => checkSegmentOverride({ segment: "VIP", reason: "  " }, "u1", at))).toEqual({ reason: ["is required"] });
    expect(fieldErrors(() => checkSegmentOverride({ segment: "VIP", reason: undefined }, "u1", at))).toEqual({ reason: ["is required"] });
    expect(fieldErrors(() => checkSegmentOverride({ segment: "Gold", reason: "x".repeat(501) }, "u1", at))).toEqual({
      segment: ["must be one of Standard, Premium, VIP, Corporate"],
      reason: ["must be at most 500 characters"],
    });
  });

  it("raises CustomerProfileUpdated carrying the change and CustomerSegmentChanged", () => {
    const events = segmentChangeEvents("c1", { from: "Standard", to: "Premium", reason: "auto" }, "u1", at, "10000.01");
    expect(events.map((e) => e.type)).toEqual(["CustomerProfileUpdated", "CustomerSegmentChanged"]);
    expect(events[0]!.data).toMatchObject({ changedFields: { segment: "Premium" }, segmentChange: { from: "Standard", to: "Premium", reason: "auto" } });
    expect(events[1]!.data).toMatchObject({ customerId: "c1", from: "Standard", to: "Premium", reason: "auto", lifetimeValue: "10000.01" });
  });
});
