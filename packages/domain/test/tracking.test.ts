import { describe, expect, it } from "vitest";
import { engagementScore, rfmScores } from "../src/tracking/tracking";

describe("engagementScore", () => {
  it("is 0 with no activity at all", () => {
    expect(engagementScore({ daysSinceLastSeen: null, activeDays30: 0, counts30: {} })).toEqual({
      score: 0,
      factors: [
        { factor: "recency", value: -1, points: 0, maxPoints: 30 },
        { factor: "frequency", value: 0, points: 0, maxPoints: 30 },
        { factor: "breadth", value: 0, points: 0, maxPoints: 20 },
        { factor: "conversion", value: 0, points: 0, maxPoints: 20 },
      ],
    });
  });

  it("adds the four factors, each capped at its maximum", () => {
    const r = engagementScore({ daysSinceLastSeen: 0, activeDays30: 45, counts30: { PAGE_VIEW: 3, LOGIN: 1, EMAIL_OPEN: 2, EMAIL_CLICK: 1, PURCHASE: 4, CUSTOM: 1 } });
    expect(r.factors.map((f) => f.points)).toEqual([30, 30, 20, 20]);
    expect(r.score).toBe(100);
  });

  it("steps recency down at 1, 7, 30 and 90 days and ignores types counted zero", () => {
    const points = (d: number) => engagementScore({ daysSinceLastSeen: d, activeDays30: 0, counts30: { LOGIN: 0 } }).factors[0]!.points;
    expect([1, 2, 7, 8, 30, 31, 90, 91].map(points)).toEqual([30, 22, 22, 12, 12, 4, 4, 0]);
    expect(engagementScore({ daysSinceLastSeen: 5, activeDays30: 2, counts30: { LOGIN: 0, PAGE_VIEW: 1 } }).factors[2]).toMatchObject({ value: 1, points: 4 });
  });
});

describe("rfmScores", () => {
  it("scores 1 without activity, purchases or value", () => {
    expect(rfmScores({ daysSinceLastSeen: null, purchases90: 0, lifetimeValue: "0.00" })).toEqual({ recency: 1, frequency: 1, monetary: 1 });
  });

  it("moves up at the thresholds, reaching one exactly counts", () => {
    expect(rfmScores({ daysSinceLastSeen: 3, purchases90: 8, lifetimeValue: "10000.00" })).toEqual({ recency: 5, frequency: 5, monetary: 5 });
    expect(rfmScores({ daysSinceLastSeen: 4, purchases90: 7, lifetimeValue: "9999.99" })).toEqual({ recency: 4, frequency: 4, monetary: 4 });
    expect(rfmScores({ daysSinceLastSeen: 91, purchases90: 1, lifetimeValue: "100.00" })).toEqual({ recency: 1, frequency: 2, monetary: 2 });
    expect(rfmScores({ daysSinceLastSeen: 30, purchases90: 2, lifetimeValue: "499.99" }).recency).toBe(3);
  });

  it("compares money exactly (no float) and takes a negative lifetime value as the lowest", () => {
    expect(rfmScores({ daysSinceLastSeen: 0, purchases90: 0, lifetimeValue: "1999.99" }).monetary).toBe(3);
    expect(rfmScores({ daysSinceLastSeen: 0, purchases90: 0, lifetimeValue: "2000.00" }).monetary).toBe(4);
    expect(rfmScores({ daysSinceLastSeen: 0, purchases90: 0, lifetimeValue: "-5.00" }).monetary).toBe(1);
  });
});
