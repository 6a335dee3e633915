import { randomBytes } from "node:crypto";

let lastMs = 0;
let sequence = 0;

/**
 * A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit sequence and 62
 * random bits. Ids made one after another in this process sort in the order they were made, so
 * rows keyed by them (a customer, its search, fuzzy and match keys, audit and outbox rows) go
 * at the right-hand end of each B-tree instead of at random pages: a bulk import dirties a few
 * pages per index instead of one per row. Same format and column as a random UUID.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // A random start in the lower half leaves room to count up within the millisecond.
    sequence = randomBytes(2).readUInt16BE(0) & 0x7ff;
  } else if (++sequence > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next one, so the order still holds.
    lastMs += 1;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
