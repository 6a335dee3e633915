import { SegmentedMessage } from "sms-segments-calculator";

export type SmsEncoding = "GSM-7" | "UCS-2";

export type SmsSegmentInfo = {
  encoding: SmsEncoding;
  segments: number;
  /**
   * Length in encoding units, the number the 160/153 and 70/67 limits apply to: GSM-7 septets
   * (an extension character such as `€` counts 2) or UTF-16 code units (an emoji counts 2).
   */
  characters: number;
};

/**
 * Twilio Labs' calculator implements GSM 03.38 (basic set + escape-prefixed extension table) and
 * keeps escape sequences and surrogate pairs from being split across segments, so it matches how
 * carriers bill. Twilio's "smart encoding" substitution is left off: we send bodies as written.
 */
export function smsSegments(text: string): SmsSegmentInfo {
  const message = new SegmentedMessage(text, "auto", false);
  const encoding = message.encodingName;
  const bitsPerUnit = encoding === "GSM-7" ? 7 : 16;
  return {
    encoding,
    // An empty body is not sendable, so it occupies no segment (the library reports 1).
    segments: text.length === 0 ? 0 : message.segmentsCount,
    characters: message.messageSize / bitsPerUnit,
  };
}
