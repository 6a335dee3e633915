export type InboundKeyword = "opt-out" | "opt-in" | "help";

/** The keywords Twilio's default opt-out handling reacts to (CTIA guidelines). */
const KEYWORDS: ReadonlyMap<string, InboundKeyword> = new Map([
  ...["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"].map(
    (word) => [word, "opt-out"] as const,
  ),
  ...["START", "YES", "UNSTOP"].map((word) => [word, "opt-in"] as const),
  ...["HELP", "INFO"].map((word) => [word, "help"] as const),
]);

/**
 * Only a message that is exactly a keyword counts ("Stop calling me at work" is not an opt-out),
 * matching Twilio so our records agree with what the carrier side already did.
 */
export function classifyInbound(body: string): InboundKeyword | null {
  const word = body.trim();
  // ASCII only: toUpperCase() would turn look-alikes such as "ſtop" into STOP.
  if (!/^[A-Za-z]+$/.test(word)) return null;
  return KEYWORDS.get(word.toUpperCase()) ?? null;
}
