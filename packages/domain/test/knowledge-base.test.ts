import { describe, expect, it } from "vitest";
import { KNOWLEDGE_BASE_MIN_WORD, RESOLVED_COMPLAINT_STATUSES, knowledgeBaseWords } from "../src/index";

describe("knowledge-base words", () => {
  it("keeps runs of letters and digits of at least 3, lower-cased, each once, in order", () => {
    expect(KNOWLEDGE_BASE_MIN_WORD).toBe(3);
    expect(knowledgeBaseWords("Parcel arrived DAMAGED, parcel #2 of 300")).toEqual(["parcel", "arrived", "damaged", "300"]);
    expect(knowledgeBaseWords("Lieferung beschädigt — Überweisung")).toEqual(["lieferung", "beschädigt", "überweisung"]);
  });

  it("drops what the full-text search would read as operators or cannot match", () => {
    expect(knowledgeBaseWords('+refund -voucher "late" (box)* ~x <y> @3')).toEqual(["refund", "voucher", "late", "box"]);
    expect(knowledgeBaseWords("a b ab ?? !")).toEqual([]);
    expect(knowledgeBaseWords("")).toEqual([]);
  });

  it("holds resolutions of resolved and closed complaints only", () => {
    expect(RESOLVED_COMPLAINT_STATUSES).toEqual(["Resolved", "Closed"]);
  });
});
