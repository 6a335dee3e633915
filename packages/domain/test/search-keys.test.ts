import { describe, expect, it } from "vitest";
import {
  combineScores,
  estimateMatchCount,
  customerNameKeys,
  nameScore,
  nameWords,
  phoneDigitForms,
  phoneDigits,
  phoneGrams,
  phoneQueryGrams,
  phoneScore,
  wordKeys,
} from "../src/index";

const keysShared = (a: string, b: string) => wordKeys(a).filter((k) => wordKeys(b).includes(k));

describe("nameWords", () => {
  it("folds accents and case and splits on punctuation", () => {
    expect(nameWords("Müller-Lüdenscheidt GmbH")).toEqual(["muller", "ludenscheidt", "gmbh"]);
    expect(nameWords("Straße Ørsted Łukasz")).toEqual(["strasse", "orsted", "lukasz"]);
  });
  it("gives accented names the keys of their plain spelling (ß, æ, ø, ł are not decomposed by NFKD)", () => {
    const keys = (name: string) => customerNameKeys({ firstName: null, lastName: null, companyName: name });
    expect(keys("Søren Ølsen")).toEqual(keys("Soren Olsen"));
    expect(keys("Łukasz Æbelø")).toEqual(keys("Lukasz Aebelo"));
    expect(keys("Großmann")).toEqual(keys("Grossmann"));
  });
  it("drops one-letter words and duplicates, and handles null", () => {
    expect(nameWords("J. Smith smith")).toEqual(["smith"]);
    expect(nameWords(null)).toEqual([]);
  });
});

describe("wordKeys", () => {
  it("gives a transposition the same sorted-letters key", () => {
    expect(keysShared("smtih", "smith")).toEqual(["s:himst", "c:smth"]);
    expect(keysShared("jonh", "john")).toContain("s:hjno");
  });
  it("gives spellings that sound alike the same phonetic key", () => {
    expect(keysShared("mueller", "muller")).toEqual(["c:mlr", "p:MLR"]);
    expect(keysShared("jon", "john")).toEqual(["p:JN"]);
  });
  it("gives a dropped or wrong vowel the same consonant skeleton", () => {
    expect(keysShared("isolatd", "isolated")).toEqual(["c:isltd"]);
    expect(keysShared("jahn", "john")).toContain("c:jhn");
  });
  it("shares no key between unrelated words", () => {
    expect(keysShared("smith", "garcia")).toEqual([]);
  });
});

describe("customerNameKeys", () => {
  it("covers first, last and company words, folded, once each", () => {
    const keys = customerNameKeys({ firstName: "Jürgen", lastName: "Müller", companyName: "Jürgen Müller" });
    expect(keys).toEqual(expect.arrayContaining(["w:jurgen", "w:muller", "s:ellmru", "p:MLR"]));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("nameScore", () => {
  const john = ["john", "smith"];
  it("is 1 for an exact match and below 1 for typos and transpositions, still matching", () => {
    expect(nameScore(["john", "smith"], john)).toBe(1);
    const typo = nameScore(["jonh", "smtih"], john)!;
    expect(typo).toBeGreaterThan(0.9);
    expect(typo).toBeLessThan(1);
  });
  it("ranks the closer spelling higher", () => {
    expect(nameScore(["smith"], ["smith"])!).toBeGreaterThan(nameScore(["smith"], ["smyth"])!);
  });
  it("is null when any query word is not found", () => {
    expect(nameScore(["john", "garcia"], john)).toBeNull();
    expect(nameScore([], john)).toBeNull();
  });
});

describe("phones", () => {
  it("takes the digits of whatever formatting is typed", () => {
    expect(phoneDigits("(020) 7946-09")).toBe("020794609");
  });
  it("finds a number by its international and its national digits", () => {
    expect(phoneDigitForms("+442079460958")).toEqual(["442079460958", "02079460958"]);
    expect(phoneScore("020794609", ["+442079460958"])).toBeCloseTo(9 / 11);
    expect(phoneScore("442079460958", ["+442079460958"])).toBe(1);
    expect(phoneScore("0958", [null, "+442079460958"])).toBeCloseTo(4 / 11);
  });
  it("does not match digits that are not consecutive in the number", () => {
    expect(phoneScore("20790958", ["+442079460958"])).toBeNull();
    expect(phoneScore("1234", [null])).toBeNull();
  });
  it("indexes every 4-digit window of every form and queries by windows from the end", () => {
    const grams = phoneGrams(["+442079460958"]);
    expect(grams).toEqual(expect.arrayContaining(["4420", "0207", "0958", "4609"]));
    expect(grams).toHaveLength(new Set(grams).size);
    expect(phoneQueryGrams("020794609")).toEqual(["4609", "2079"]);
    expect(phoneQueryGrams("0958")).toEqual(["0958"]);
    for (const g of phoneQueryGrams("020794609")) expect(grams).toContain(g);
  });
});

describe("combineScores", () => {
  it("averages the criteria that scored, rounded to 3 decimals", () => {
    expect(combineScores([1, 0.5, null])).toBe(0.75);
    expect(combineScores([0.12345])).toBe(0.123);
    expect(combineScores([null])).toBeNull();
  });
});

describe("estimateMatchCount", () => {
  it("is exact when every candidate was scored", () => {
    expect(estimateMatchCount({ matched: 7, scored: 10, filtered: 10, limit: 2000 })).toBe(7);
    expect(estimateMatchCount({ matched: 0, scored: 0, filtered: 0, limit: 2000 })).toBe(0);
  });
  it("scales the matched share to the candidates that passed the filters but were not read", () => {
    expect(estimateMatchCount({ matched: 1500, scored: 2000, filtered: 4000, limit: 2000 })).toBe(3000);
  });
  it("scales up from the key matches read to all key matches", () => {
    // 2,000 of 10,000 key matches read, 1,000 passed the filters, 2,000 cap not reached by them: all 1,000 scored, 800 matched.
    expect(estimateMatchCount({ matched: 800, scored: 1000, filtered: 1000, keyMatches: 10_000, limit: 2000 })).toBe(4000);
  });
});
