import { describe, expect, it } from "vitest";
import { neutralizeCell } from "../src/formula";

describe("neutralizeCell", () => {
  it.each(["=SUM(A1:A2)", "+1+1", "-2+3", "@cmd", "\tmalicious", "\rmalicious"])(
    "prefixes a quote to %j",
    (value) => {
      expect(neutralizeCell(value)).toBe(`'${value}`);
    },
  );

  it.each(["Ada Lovelace", "a=b", "ada@example.com", "", " =leading space", "'already quoted"])(
    "leaves the harmless string %j alone",
    (value) => {
      expect(neutralizeCell(value)).toBe(value);
    },
  );

  it("leaves non-strings alone", () => {
    const date = new Date();
    expect(neutralizeCell(-5)).toBe(-5);
    expect(neutralizeCell(true)).toBe(true);
    expect(neutralizeCell(null)).toBe(null);
    expect(neutralizeCell(undefined)).toBe(undefined);
    expect(neutralizeCell(date)).toBe(date);
  });
});
