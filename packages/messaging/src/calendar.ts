import { createEvent, type EventAttributes } from "ics";
import { ADDRESS } from "./header-guard";

export type CalendarPerson = { name?: string | undefined; email: string };

export type MeetingInviteInput = {
  /** Stable across updates and the cancellation of the same meeting; clients match on it. */
  uid: string;
  /** Bump on every change; clients ignore an update whose SEQUENCE is not higher. */
  sequence: number;
  method: "REQUEST" | "CANCEL";
  title: string;
  description?: string | undefined;
  start: Date;
  end: Date;
  location?: string | undefined;
  url?: string | undefined;
  organizer: CalendarPerson;
  attendees: CalendarPerson[];
};

/** CN is a quoted parameter with no escape mechanism (RFC 5545 §3.1), so quotes and controls must go. */
function cleanName(name: string | undefined): string | undefined {
  const cleaned = name?.replace(/["\p{Cc}]/gu, " ").trim();
  return cleaned ? cleaned : undefined;
}

/** The library escapes `\n` but not a bare CR. */
function cleanText(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

function person(field: string, input: CalendarPerson): { name?: string; email: string } {
  if (!ADDRESS.test(input.email)) throw new Error(`${field} email is not a plain e-mail address`);
  const name = cleanName(input.name);
  return name ? { name, email: input.email } : { email: input.email };
}

/** An iCalendar (RFC 5545 / iTIP RFC 5546) invitation or cancellation with all times in UTC. */
export function meetingInvite(input: MeetingInviteInput): string {
  if (!input.uid || /[\s]/.test(input.uid)) throw new Error("uid must be non-empty without whitespace");
  if (!Number.isInteger(input.sequence) || input.sequence < 0) throw new Error("sequence must be a non-negative integer");
  const start = input.start.getTime();
  const end = input.end.getTime();
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error("start and end must be valid dates");
  if (end <= start) throw new Error("end must be after start");

  const attributes: EventAttributes = {
    productId: "-//clientele//messaging//EN",
    method: input.method,
    uid: input.uid,
    sequence: input.sequence,
    title: cleanText(input.title),
    start,
    startInputType: "utc",
    startOutputType: "utc",
    end,
    endInputType: "utc",
    endOutputType: "utc",
    organizer: person("organizer", input.organizer),
    // ROLE and PARTSTAT are left to their RFC defaults (REQ-PARTICIPANT, NEEDS-ACTION).
    attendees: input.attendees.map((attendee, i) => ({ ...person(`attendees[${i}]`, attendee), rsvp: true })),
    status: input.method === "CANCEL" ? "CANCELLED" : "CONFIRMED",
    ...(input.description ? { description: cleanText(input.description) } : {}),
    ...(input.location ? { location: cleanText(input.location) } : {}),
    ...(input.url ? { url: new URL(input.url).href } : {}),
  };
  const { error, value } = createEvent(attributes);
  if (error || !value) throw new Error(`could not build the invite: ${error?.message ?? "no output"}`, { cause: error });
  return value;
}
