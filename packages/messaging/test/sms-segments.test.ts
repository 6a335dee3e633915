import { describe, expect, it } from "vitest";
import { smsSegments } from "../src/index";

describe("smsSegments", () => {
  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])("%i GSM-7 characters take %i segment(s)", (length, segments) => {
    expect(smsSegments("a".repeat(length))).toEqual({ encoding: "GSM-7", segments, characters: length });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])("%i UCS-2 characters take %i segment(s)", (length, segments) => {
    expect(smsSegments("ж".repeat(length))).toEqual({ encoding: "UCS-2", segments, characters: length });
  });

  it("counts extension characters twice", () => {
    expect(smsSegments("€")).toEqual({ encoding: "GSM-7", segments: 1, characters: 2 });
    expect(smsSegments("^{}\\[~]|€")).toMatchObject({ encoding: "GSM-7", characters: 18 });
    expect(smsSegments("€".repeat(80))).toMatchObject({ segments: 1, characters: 160 });
    expect(smsSegments("€".repeat(81))).toMatchObject({ segments: 2, characters: 162 });
  });

  it("keeps GSM-7 for the basic set including accented letters it contains", () => {
    expect(smsSegments("Grüße aus Köln! @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ")).toMatchObject({ encoding: "GSM-7" });
  });

  it("switches to UCS-2 for any character outside GSM-7", () => {
    expect(smsSegments("a".repeat(100) + "ç")).toMatchObject({ encoding: "UCS-2", segments: 2, characters: 101 });
  });

  it("counts an emoji as two UTF-16 units and never splits it across segments", () => {
    expect(smsSegments("😀")).toEqual({ encoding: "UCS-2", segments: 1, characters: 2 });
    expect(smsSegments("😀".repeat(35))).toMatchObject({ segments: 1, characters: 70 });
    expect(smsSegments("😀".repeat(36))).toMatchObject({ segments: 2, characters: 72 });
    // 66 units then an emoji: 68 units would fit two segments' worth of 67 only by splitting the pair.
    expect(smsSegments("ж".repeat(66) + "😀" + "ж".repeat(67))).toMatchObject({ segments: 3, characters: 135 });
  });

  it("gives an empty body no segments", () => {
    expect(smsSegments("")).toEqual({ encoding: "GSM-7", segments: 0, characters: 0 });
  });
});
