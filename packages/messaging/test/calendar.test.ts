import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { meetingInvite, type MeetingInviteInput } from "../src/index";

const input: MeetingInviteInput = {
  uid: "meeting-123@clientele",
  sequence: 0,
  method: "REQUEST",
  title: "Quarterly review; budget, plans",
  description: "Agenda:\r\n1. Numbers\n2. Next steps",
  start: new Date("2030-03-04T09:30:00Z"),
  end: new Date("2030-03-04T10:15:00Z"),
  location: "Room 4, HQ",
  url: "https://app.clientele.test/meetings/123",
  organizer: { name: "Olga Organizer", email: "olga@clientele.test" },
  attendees: [
    { name: "Anna \"The Boss\" Berg", email: "anna@example.com" },
    { email: "ben@example.com" },
  ],
};

function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vevent = calendar.getFirstSubcomponent("vevent");
  if (!vevent) throw new Error("no VEVENT");
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

describe("meetingInvite", () => {
  it("produces a parseable REQUEST with every field", () => {
    const ics = meetingInvite(input);
    expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    const { calendar, vevent, event } = parse(ics);
    expect(calendar.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(calendar.getFirstPropertyValue("version")).toBe("2.0");
    expect(event.uid).toBe("meeting-123@clientele");
    expect(event.sequence).toBe(0);
    expect(event.summary).toBe("Quarterly review; budget, plans");
    expect(event.description).toBe("Agenda:\n1. Numbers\n2. Next steps");
    expect(event.location).toBe("Room 4, HQ");
    expect(event.startDate.toJSDate().toISOString()).toBe("2030-03-04T09:30:00.000Z");
    expect(event.endDate.toJSDate().toISOString()).toBe("2030-03-04T10:15:00.000Z");
    expect(ics).toMatch(/^DTSTART:20300304T093000Z\r$/m);
    expect(ics).toMatch(/^DTEND:20300304T101500Z\r$/m);
    expect(ics).toMatch(/^DTSTAMP:\d{8}T\d{6}Z\r$/m);
    expect(vevent.getFirstPropertyValue("url")).toBe("https://app.clientele.test/meetings/123");
    expect(vevent.getFirstPropertyValue("dtstamp")).toBeTruthy();
    expect(vevent.getFirstPropertyValue("status")).toBe("CONFIRMED");

    const organizer = vevent.getFirstProperty("organizer");
    expect(String(organizer?.getFirstValue()).toLowerCase()).toBe("mailto:olga@clientele.test");
    expect(organizer?.getParameter("cn")).toBe("Olga Organizer");

    const attendees = vevent.getAllProperties("attendee");
    expect(attendees.map((a) => String(a.getFirstValue()).toLowerCase())).toEqual([
      "mailto:anna@example.com",
      "mailto:ben@example.com",
    ]);
    expect(attendees.map((a) => a.getParameter("rsvp"))).toEqual(["TRUE", "TRUE"]);
    // A quote inside CN would end the parameter early; it is replaced.
    expect(attendees[0]?.getParameter("cn")).toBe("Anna  The Boss  Berg");
  });

  it("folds long lines at 75 octets", () => {
    const ics = meetingInvite({ ...input, description: "long text ".repeat(40) });
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(parse(ics).event.description).toBe("long text ".repeat(40));
  });

  it("produces a CANCEL with STATUS:CANCELLED and the same UID", () => {
    const ics = meetingInvite({ ...input, method: "CANCEL", sequence: 1 });
    const { calendar, vevent, event } = parse(ics);
    expect(calendar.getFirstPropertyValue("method")).toBe("CANCEL");
    expect(vevent.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(event.uid).toBe(input.uid);
    expect(event.sequence).toBe(1);
  });

  it("leaves out optional fields that are not given", () => {
    const ics = meetingInvite({ ...input, description: undefined, location: undefined, url: undefined });
    expect(ics).not.toMatch(/^(DESCRIPTION|LOCATION|URL)[:;]/m);
  });

  it.each([
    ["an end before the start", { end: new Date("2030-03-04T09:00:00Z") }],
    ["an invalid date", { start: new Date("nope") }],
    ["an empty uid", { uid: "" }],
    ["a negative sequence", { sequence: -1 }],
    ["a bad organizer email", { organizer: { email: "olga@clientele.test\r\nX: y" } }],
    ["a bad attendee email", { attendees: [{ email: "not-an-email" }] }],
    ["a bad url", { url: "not a url" }],
  ])("rejects %s", (_name, override) => {
    expect(() => meetingInvite({ ...input, ...override })).toThrow();
  });
});
