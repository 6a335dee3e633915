import { describe, expect, it } from "vitest";
import { foldWords, queryTerms, searchTerms } from "../src/index";

describe("foldWords", () => {
  it("folds accents, case and the letters NFKD keeps (ß, æ, ø, ł) into plain words", () => {
    expect(foldWords("Søren Ølsen")).toEqual(["soren", "olsen"]);
    expect(foldWords("Łukasz STRAẞE Æbeltoft")).toEqual(["lukasz", "strasse", "aebeltoft"]);
    expect(foldWords("Müller-Lüdenscheidt, GmbH")).toEqual(["muller", "ludenscheidt", "gmbh"]);
    expect(foldWords(null)).toEqual([]);
  });
});

describe("searchTerms and queryTerms", () => {
  it("index an accented name under its plain spelling, so either spelling finds it", () => {
    expect(searchTerms("Søren Ølsen", "søren@ølsen.example")).toEqual(["soren", "olsen", "example"]);
    expect(queryTerms("Soren")).toEqual(["soren"]);
    expect(queryTerms("Łukasz")).toEqual(searchTerms("Lukasz", "x@y.example").slice(0, 1));
  });
});
