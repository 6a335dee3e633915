import { describe, expect, it } from "vitest";
import { displayMoney, ltvSeries, plotPoints, signedMoney } from "./money-display";

describe("displayMoney", () => {
  it("groups thousands from the string, keeping every cent", () => {
    expect(displayMoney("10000.01")).toBe("10,000.01");
    expect(displayMoney("1234567890123456.99", "USD")).toBe("1,234,567,890,123,456.99 USD");
    expect(displayMoney("0.10")).toBe("0.10");
    expect(displayMoney("999.5")).toBe("999.50");
    expect(displayMoney("-5000.00")).toBe("-5,000.00");
    expect(displayMoney("007")).toBe("7.00");
  });
  it("shows what it cannot read as it came", () => {
    expect(displayMoney("n/a")).toBe("n/a");
  });
});

describe("plotPoints", () => {
  const series = ltvSeries([
    { date: "2026-12-01", lifetimeValue: "0.00" },
    { date: "2026-12-02", lifetimeValue: "10000.01" },
    { date: "2026-12-03", lifetimeValue: "5000.00" },
  ]);
  it("puts the lowest value at the bottom and the highest at the top, time left to right", () => {
    const plot = plotPoints(series, 200, 100, 0);
    expect(plot.points).toBe("0,100 100,0 200,50");
    expect(plot).toMatchObject({ min: "0.00", max: "10000.01", first: "0.00", last: "5000.00" });
  });
  it("tells apart values a float would merge", () => {
    const close = ltvSeries([
      { date: "2026-12-01", lifetimeValue: "90071992547409.91" },
      { date: "2026-12-02", lifetimeValue: "90071992547409.92" },
    ]);
    expect(plotPoints(close, 100, 100, 0).points).toBe("0,100 100,0");
  });
  it("draws a flat series across the middle and nothing for no points", () => {
    expect(plotPoints(ltvSeries([{ date: "2026-12-01", lifetimeValue: "5.00" }, { date: "2026-12-02", lifetimeValue: "5.00" }]), 100, 40, 0).points).toBe("0,20 100,20");
    expect(plotPoints(ltvSeries([{ date: "2026-12-01", lifetimeValue: "5.00" }]), 100, 40, 0).points).toBe("50,20");
    expect(plotPoints([], 100, 40).points).toBe("");
  });
});

describe("signedMoney", () => {
  it("marks increases with a plus and keeps a decrease's minus", () => {
    expect(signedMoney("1000.01", "USD")).toBe("+1,000.01 USD");
    expect(signedMoney("-5.00")).toBe("-5.00");
    expect(signedMoney("0.00")).toBe("+0.00");
  });
});
