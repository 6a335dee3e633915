import { describe, expect, it } from "vitest";
import { formatSort, parseCustomersSearch, parseSort, toggleSort } from "./customers-search";

describe("customers list URL state", () => {
  it("keeps known filters, a single value as a list, and page settings in range", () => {
    expect(parseCustomersSearch({ q: "acme", type: "Enterprise", segment: ["VIP", "Premium"], status: ["Active"], sort: "companyName:asc", page: 3, pageSize: 50 })).toEqual({
      q: "acme",
      type: ["Enterprise"],
      segment: ["VIP", "Premium"],
      status: ["Active"],
      sort: "companyName:asc",
      page: 3,
      pageSize: 50,
    });
  });

  it("drops unknown values and out-of-range numbers, so a hand-edited URL falls back to the defaults", () => {
    expect(parseCustomersSearch({ type: ["Alien", "Enterprise"], segment: "Gold", page: 0, pageSize: 30, q: "x".repeat(201), status: 5 })).toEqual({ type: ["Enterprise"] });
    expect(parseCustomersSearch({ page: 1.5 })).toEqual({});
  });

  it("keeps tags as a list (one or many), dropping empty and oversized ones", () => {
    expect(parseCustomersSearch({ tags: "vip" })).toEqual({ tags: ["vip"] });
    expect(parseCustomersSearch({ tags: ["vip", "", " ", "x".repeat(61), 7, "wholesale"] })).toEqual({ tags: ["vip", "wholesale"] });
    expect(parseCustomersSearch({ tags: [] })).toEqual({});
  });
});

describe("multi-column sort", () => {
  it("a click cycles one column asc → desc → unsorted and replaces the others", () => {
    const byName = toggleSort(parseSort("createdAt:desc"), "companyName", false);
    expect(formatSort(byName)).toBe("companyName:asc");
    expect(formatSort(toggleSort(byName, "companyName", false))).toBe("companyName:desc");
    expect(formatSort(toggleSort(parseSort("companyName:desc"), "companyName", false))).toBeUndefined();
  });

  it("a Shift-click adds a column or cycles it in place, keeping the others' order", () => {
    const two = toggleSort(parseSort("companyName:asc"), "createdAt", true);
    expect(formatSort(two)).toBe("companyName:asc,createdAt:asc");
    expect(formatSort(toggleSort(two, "companyName", true))).toBe("companyName:desc,createdAt:asc");
    expect(formatSort(toggleSort(parseSort("companyName:desc,createdAt:asc"), "companyName", true))).toBe("createdAt:asc");
  });
});
