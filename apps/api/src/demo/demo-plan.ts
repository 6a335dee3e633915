import type { CustomerType } from "@clientele/domain";
import type { TCreateCustomerInput } from "../features/customers/customer.schemas";
import {
  BUSINESS_LINES,
  CALL_SUMMARIES,
  CAMPAIGN,
  COMPANY_STEMS,
  COMPLAINTS,
  COUNTRIES,
  DEMO_DOMAIN,
  EMAIL_SUBJECTS,
  FOLLOW_UPS,
  GOVERNMENT_NAMES,
  INTERESTS,
  MEETING_TITLES,
  NONPROFIT_NAMES,
  POSITIONS,
  prng,
  REJECTION_REASONS,
  RESOLUTIONS,
  SALES,
  SMALL_TRADES,
  SMS_TEXTS,
  STREETS,
  SUPPORT,
  TAGS,
  TESTIMONIALS,
  type Prng,
  type StaffKey,
} from "./demo-data";

/** How many customers of each type the demo tenant holds (300 in all). */
export const CUSTOMER_MIX: Record<CustomerType, number> = { Individual: 90, SmallBusiness: 100, Enterprise: 40, NonProfit: 35, Government: 35 };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Address = TCreateCustomerInput["billingAddress"];

export type ContactPlan = { firstName: string; lastName: string; email: string; phone: string; position: string | null; tags: string[] };

export type ComplaintStep =
  | { at: Date; to: "InProgress" | "Escalated" | "Closed"; notes: string }
  | { at: Date; resolve: { resolution: string; customerSatisfied: boolean; compensationOffered: string | null } };

/**
 * One thing that happens to a customer. `live` ones happen now, through the real queues (so the
 * dev inbox and SMS page show them); the rest are history, recorded at their time in the past.
 */
export type Activity = { at: Date; by: StaffKey; live: boolean } & (
  | { kind: "call"; phoneNumber: string; callType: "Inbound" | "Outbound"; durationInSeconds: number; summary: string; notes: string | null }
  | {
      kind: "meeting";
      title: string;
      description: string;
      start: Date;
      end: Date;
      isVirtual: boolean;
      location: string | null;
      meetingLink: string | null;
      attendees: string[];
      reschedule: { at: Date; start: Date; end: Date } | null;
      cancel: { at: Date } | null;
    }
  | { kind: "email"; subject: string; body: string | null; template: string | null; delivered: boolean }
  | { kind: "sms"; recipientPhone: string; message: string | null; template: string | null; delivered: boolean }
  | { kind: "complaint"; subject: string; description: string; category: string; priority: "Low" | "Medium" | "High" | "Critical"; steps: ComplaintStep[] }
  | { kind: "testimonial"; content: string; rating: number; isPublic: boolean; authorName: string; decision: { at: Date; by: StaffKey; approve: { isPublic: boolean } | null; reject: string | null } | null }
  | { kind: "followUp"; subject: string; description: string | null; dueDate: Date; priority: "Low" | "Medium" | "High"; assignedTo: StaffKey | null; complete: { at: Date; by: StaffKey } | null }
);

export type CustomerPlan = {
  /** The natural key: a second run finds the customer by this (lower-cased) primary email. */
  key: string;
  at: Date;
  by: StaffKey;
  /** What `customers.create` is called with. */
  input: TCreateCustomerInput;
  contacts: (ContactPlan & { at: Date; by: StaffKey })[];
  activities: Activity[];
  deactivate: { at: Date; by: StaffKey; reason: string } | null;
};

export type DemoPlan = {
  customers: CustomerPlan[];
  campaign: { at: Date; by: StaffKey; template: string; customerKeys: string[] };
  /** Numbers that are landlines: the history SMS provider refuses them, as Twilio does (21614). */
  landlines: Set<string>;
};

const LANGUAGE: Record<string, string> = { GB: "en", US: "en", CA: "en", AU: "en", FR: "fr", DE: "de", NL: "nl" };
const TIME_ZONE: Record<string, string> = {
  London: "Europe/London",
  Manchester: "Europe/London",
  Edinburgh: "Europe/London",
  Bristol: "Europe/London",
  "New York": "America/New_York",
  Boston: "America/New_York",
  "San Francisco": "America/Los_Angeles",
  Seattle: "America/Los_Angeles",
  Chicago: "America/Chicago",
  Austin: "America/Chicago",
  Toronto: "America/Toronto",
  Vancouver: "America/Vancouver",
  Montréal: "America/Toronto",
  Sydney: "Australia/Sydney",
  Melbourne: "Australia/Melbourne",
  Brisbane: "Australia/Brisbane",
  Paris: "Europe/Paris",
  Lyon: "Europe/Paris",
  Bordeaux: "Europe/Paris",
  Berlin: "Europe/Berlin",
  München: "Europe/Berlin",
  Hamburg: "Europe/Berlin",
  Amsterdam: "Europe/Amsterdam",
  Rotterdam: "Europe/Amsterdam",
  Utrecht: "Europe/Amsterdam",
};

/** An ASCII slug for email local parts and domains ("Côté" → "cote", "de Jong" → "dejong"). */
const slug = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
const e164 = (phone: string) => phone.replace(/\s+/g, "");

function shuffledTypes(r: Prng): CustomerType[] {
  const types = (Object.entries(CUSTOMER_MIX) as [CustomerType, number][]).flatMap(([t, n]) => Array<CustomerType>(n).fill(t));
  for (let i = types.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [types[i], types[j]] = [types[j]!, types[i]!];
  }
  return types;
}

/** The demo tenant relative to `now`: the same content on every run, only the dates move. */
export function buildDemoPlan(now: Date): DemoPlan {
  const r = prng(20261202);
  const t0 = now.getTime();
  const types = shuffledTypes(r);
  const usedNames = new Set<string>();
  const usedEmails = new Set<string>();
  const landlines = new Set<string>();
  let phoneSeq = 0;
  const unique = (set: Set<string>, make: (attempt: number) => string) => {
    for (let attempt = 0; ; attempt++) {
      const v = make(attempt);
      if (!set.has(v.toLowerCase())) {
        set.add(v.toLowerCase());
        return v;
      }
    }
  };

  const customers = types.map((type, i): CustomerPlan => {
    const country = r.pick(COUNTRIES);
    const city = r.pick(country.cities);
    const address: Address = { street: `${r.int(1, 220)} ${r.pick(STREETS)}`, city: city.city, state: city.state, zipCode: r.pick(city.zips), country: country.code };
    // Oldest first, from 14 months ago to three weeks ago, so customer numbers follow their dates.
    const at = new Date(t0 - 420 * DAY + Math.floor(((400 * DAY) / types.length) * i) + r.int(0, 8) * HOUR);
    const by = r.pick(SALES);
    const person = () => ({ first: r.pick(country.first), last: r.pick(country.last) });
    const landline = city.phone(phoneSeq++);
    landlines.add(e164(landline));
    const mobile = () => country.mobile(phoneSeq++);

    let companyName: string | undefined;
    let industry: string | null;
    let firstName: string | undefined;
    let lastName: string | undefined;
    if (type === "Individual") {
      const p = person();
      firstName = p.first;
      lastName = p.last;
      industry = null;
    } else if (type === "SmallBusiness") {
      const trade = r.pick(SMALL_TRADES);
      companyName = unique(usedNames, (n) => `${n ? `${r.pick(country.last)} & ${r.pick(country.last)}` : `${r.pick(country.last)}'s`} ${trade.noun}`);
      industry = trade.industry;
    } else if (type === "Enterprise") {
      const line = r.pick(BUSINESS_LINES);
      companyName = unique(usedNames, (n) => `${r.pick(COMPANY_STEMS)} ${line.noun}${n > 2 ? ` ${city.city}` : ""} ${country.suffix}`);
      industry = line.industry;
    } else if (type === "NonProfit") {
      companyName = unique(usedNames, (n) => `${r.pick(NONPROFIT_NAMES).replace("{city}", city.city)}${n > 3 ? ` ${n}` : ""}`);
      industry = "Non-profit";
    } else {
      companyName = unique(usedNames, (n) => `${r.pick(GOVERNMENT_NAMES).replace("{city}", city.city)}${n > 3 ? ` ${n}` : ""}`);
      industry = "Public Sector";
    }
    const domain = `${slug(companyName ?? "")}.example`;
    const primaryEmail =
      type === "Individual"
        ? unique(usedEmails, (n) => `${slug(firstName!)}.${slug(lastName!)}${n ? n + 1 : ""}@${r.pick(["inbox", "postbox", "mailhub"])}.example`)
        : unique(usedEmails, (n) => `${r.pick(["info", "accounts", "office", "hello"])}${n ? n + 1 : ""}@${domain}`);
    const marketingConsent = r.chance(0.55);
    const sms = r.chance(0.4);
    const individualMobile = type === "Individual" ? mobile() : null;

    const input: CustomerPlan["input"] = {
      type,
      ...(companyName ? { companyName } : {}),
      ...(firstName ? { firstName, lastName: lastName! } : {}),
      industry,
      website: type === "Individual" ? null : `https://www.${domain}`,
      primaryEmail,
      primaryPhone: individualMobile ?? landline,
      ...(type === "Individual" ? {} : r.chance(0.3) ? { secondaryPhone: city.phone(phoneSeq++) } : {}),
      billingAddress: address,
      ...(r.chance(0.7) ? { shippingSameAsBilling: true } : {}),
      preferences: {
        communication: { channels: sms ? ["Email", "SMS"] : r.chance(0.2) ? ["Phone", "Email"] : ["Email"], frequency: r.pick(["Weekly", "Monthly", null]) },
        interests: INTERESTS.filter(() => r.chance(0.3)),
        preferredLanguage: LANGUAGE[country.code] ?? "en",
        timeZone: TIME_ZONE[city.city] ?? "UTC",
        notifications: { email: true, sms, push: r.chance(0.5) },
        marketingConsent,
      },
    };

    // Contacts: the person themselves for an Individual, a few people for organisations.
    const contactCount = { Individual: 1, SmallBusiness: r.int(1, 2), Enterprise: r.int(3, 5), NonProfit: r.int(1, 3), Government: r.int(2, 3) }[type];
    const contactEmails = new Set<string>();
    const contacts = Array.from({ length: contactCount }, (_, c) => {
      const p = type === "Individual" ? { first: firstName!, last: lastName! } : person();
      const email =
        type === "Individual" ? primaryEmail : unique(contactEmails, (n) => `${slug(p.first)}.${slug(p.last)}${n ? n + 1 : ""}@${domain}`);
      const tags = TAGS.filter(() => r.chance(0.15)).slice(0, 3);
      return {
        at: new Date(at.getTime() + (c + 1) * 10 * 60_000),
        by,
        firstName: p.first,
        lastName: p.last,
        email,
        phone: individualMobile ?? mobile(),
        position: type === "Individual" ? null : r.pick(POSITIONS),
        tags: c === 0 && type === "Enterprise" ? [...new Set(["decision-maker", ...tags])] : tags,
      };
    });

    // History happens between a day after creation and two hours ago.
    const start = at.getTime() + DAY;
    const end = t0 - 2 * HOUR;
    const when = () => new Date(start + Math.floor(r.next() * (end - start)));
    const activities: Activity[] = [];
    const historyKey = new Set<string>();
    const distinct = (prefix: string, base: string) => unique(historyKey, (n) => `${prefix}${base}${n ? ` (${n + 1})` : ""}`).slice(prefix.length);

    if (r.chance(0.6)) activities.push({ kind: "email", at: new Date(at.getTime() + HOUR), by, live: false, subject: "Welcome to Clientele Demo Co.", body: null, template: "Welcome", delivered: true });
    for (let k = r.int(0, 2); k > 0; k--) {
      const c = r.pick(contacts);
      activities.push({
        kind: "call",
        at: when(),
        by: r.pick(SALES),
        live: false,
        phoneNumber: c.phone,
        callType: r.chance(0.5) ? "Inbound" : "Outbound",
        durationInSeconds: r.int(60, 1800),
        summary: distinct("call:", r.pick(CALL_SUMMARIES)),
        notes: r.chance(0.3) ? `${c.firstName} asked us to send a summary by email.` : null,
      });
    }
    if (r.chance(0.45)) {
      const e = r.pick(EMAIL_SUBJECTS);
      activities.push({ kind: "email", at: when(), by: r.pick(SALES), live: false, subject: distinct("email:", e.subject), body: e.body, template: null, delivered: r.chance(0.9) });
    }
    if (r.chance(0.3)) {
      // Now and then someone texts the office landline, which the provider refuses.
      const toLandline = type !== "Individual" && r.chance(0.15);
      const template = r.chance(0.5) ? r.pick(["Appointment reminder", "Delivery update"]) : null;
      activities.push({
        kind: "sms",
        at: when(),
        by: r.pick([...SALES, ...SUPPORT]),
        live: false,
        recipientPhone: toLandline ? landline : contacts[0]!.phone,
        message: template ? null : r.pick(SMS_TEXTS),
        template,
        delivered: r.chance(0.9),
      });
    }
    if (type !== "Individual" && r.chance(0.2) && t0 - at.getTime() > 40 * DAY) {
      // Past meetings only: they must have ended before now, and be planned while still ahead.
      const planned = new Date(at.getTime() + DAY + Math.floor(r.next() * (t0 - at.getTime() - 30 * DAY)));
      const startAt = new Date(Math.floor((planned.getTime() + r.int(2, 10) * DAY) / HOUR) * HOUR);
      const virtual = r.chance(0.5);
      const moved = r.chance(0.2);
      const shifted = new Date(startAt.getTime() + 2 * DAY);
      activities.push({
        kind: "meeting",
        at: planned,
        by: r.pick(SALES),
        live: false,
        title: distinct("meeting:", r.pick(MEETING_TITLES)),
        description: `Agenda shared with ${contacts[0]!.firstName} in advance.`,
        start: startAt,
        end: new Date(startAt.getTime() + HOUR),
        isVirtual: virtual,
        location: virtual ? null : `${address.street}, ${address.city}`,
        meetingLink: virtual ? `https://meet.${DEMO_DOMAIN}/${slug(companyName ?? "")}-${r.int(100, 999)}` : null,
        attendees: contacts.slice(0, r.int(1, 2)).map((c) => c.email),
        reschedule: moved ? { at: new Date(planned.getTime() + HOUR), start: shifted, end: new Date(shifted.getTime() + HOUR) } : null,
        cancel: !moved && r.chance(0.12) ? { at: new Date(planned.getTime() + 2 * HOUR) } : null,
      });
    }
    return { key: primaryEmail.toLowerCase(), at, by, input, contacts, activities, deactivate: null };
  });

  addComplaints(r, customers, t0);
  addTestimonials(r, customers, t0);
  addFollowUps(r, customers, t0);
  addLive(customers, t0);
  for (const c of customers) c.activities.sort((a, b) => a.at.getTime() - b.at.getTime());
  const campaignAt = new Date(t0 - CAMPAIGN.daysAgo * DAY);
  addDeactivations(r, customers, t0, campaignAt.getTime());

  return {
    customers,
    campaign: { at: campaignAt, by: "marketing", template: CAMPAIGN.template, customerKeys: customers.filter((c) => c.at < campaignAt).map((c) => c.key) },
    landlines,
  };
}

type Lifecycle = "New" | "InProgress" | "Escalated" | "Resolved" | "ResolvedUnhappy" | "Closed" | "Reopened" | "EscalatedResolved";
const LIFECYCLES: Lifecycle[] = ["New", "InProgress", "Escalated", "Resolved", "ResolvedUnhappy", "Closed", "Closed", "Reopened", "EscalatedResolved", "Resolved"];

/** Complaints in every status: open ones recent enough not to be escalated yet, settled ones older. */
function addComplaints(r: Prng, customers: CustomerPlan[], t0: number) {
  let n = 0;
  for (const c of customers) {
    if (!r.chance(0.25)) continue;
    const template = COMPLAINTS[n % COMPLAINTS.length]!;
    const lifecycle = LIFECYCLES[n % LIFECYCLES.length]!;
    n++;
    const open = lifecycle === "New" || lifecycle === "InProgress";
    // Younger than the tenant's threshold for its priority (Critical 4 h ... Low 120 h).
    const priority = open && template.priority === "Critical" ? "High" : template.priority;
    const at = open ? new Date(t0 - r.int(3, 18) * HOUR) : new Date(Math.max(c.at.getTime() + DAY, t0 - r.int(20, 300) * DAY));
    const h = (hours: number) => new Date(at.getTime() + hours * HOUR);
    const resolve = (hours: number, customerSatisfied: boolean): ComplaintStep => ({
      at: h(hours),
      resolve: { resolution: r.pick(RESOLUTIONS), customerSatisfied, compensationOffered: r.chance(0.4) ? "A 10% credit on the next invoice" : null },
    });
    const steps: Record<Lifecycle, ComplaintStep[]> = {
      New: [],
      InProgress: [{ at: h(1), to: "InProgress", notes: "Looking into it with the team." }],
      Escalated: [{ at: h(2), to: "Escalated", notes: "Escalated: repeat issue for a key account." }],
      Resolved: [{ at: h(1), to: "InProgress", notes: "Investigating." }, resolve(r.int(6, 72), true)],
      ResolvedUnhappy: [{ at: h(1), to: "InProgress", notes: "Investigating." }, resolve(r.int(24, 96), false)],
      Closed: [{ at: h(1), to: "InProgress", notes: "Investigating." }, resolve(r.int(6, 48), true), { at: h(24 * 7), to: "Closed", notes: "No reply within a week; closing." }],
      Reopened: [
        { at: h(1), to: "InProgress", notes: "Investigating." },
        resolve(20, true),
        { at: h(48), to: "InProgress", notes: "Customer reports the problem is back." },
        resolve(96, true),
        { at: h(24 * 8), to: "Closed", notes: "Confirmed fixed with the customer." },
      ],
      EscalatedResolved: [{ at: h(3), to: "Escalated", notes: "Escalated to the account manager." }, resolve(r.int(24, 120), true)],
    };
    c.activities.push({ kind: "complaint", at, by: r.pick(SUPPORT), live: false, ...template, priority, steps: steps[lifecycle] });
  }
}

function addTestimonials(r: Prng, customers: CustomerPlan[], t0: number) {
  let n = 0;
  for (const c of customers) {
    if (!r.chance(0.17)) continue;
    const kind = (["pending", "public", "public", "private", "rejected"] as const)[n++ % 5]!;
    const at = kind === "pending" ? new Date(t0 - r.int(1, 9) * DAY) : new Date(Math.max(c.at.getTime() + DAY, t0 - r.int(15, 300) * DAY));
    const author = c.input.firstName ? `${c.input.firstName} ${c.input.lastName}` : `${c.contacts[0]!.firstName} ${c.contacts[0]!.lastName}, ${c.input.companyName}`;
    const decidedAt = new Date(at.getTime() + r.int(2, 48) * HOUR);
    const by = r.pick(["marketing", "marketing2"] as const);
    c.activities.push({
      kind: "testimonial",
      at,
      by: c.by,
      live: false,
      content: r.pick(TESTIMONIALS),
      rating: kind === "rejected" ? r.int(2, 4) : r.int(4, 5),
      isPublic: kind !== "private",
      authorName: author.slice(0, 100),
      decision:
        kind === "pending"
          ? null
          : { at: decidedAt, by, approve: kind === "rejected" ? null : { isPublic: kind === "public" }, reject: kind === "rejected" ? r.pick(REJECTION_REASONS) : null },
    });
  }
}

/** Follow-ups: upcoming, overdue (due in the past, still pending), done, and some nobody owns yet. */
function addFollowUps(r: Prng, customers: CustomerPlan[], t0: number) {
  let n = 0;
  for (const c of customers) {
    if (!r.chance(0.3)) continue;
    const kind = (["upcoming", "overdue", "done", "unassigned", "upcoming", "done"] as const)[n++ % 6]!;
    const owner = r.pick(SALES);
    const at =
      kind === "upcoming" || kind === "unassigned" ? new Date(t0 - r.int(1, 10) * DAY) : new Date(Math.max(c.at.getTime() + DAY, t0 - r.int(20, 200) * DAY));
    const due =
      kind === "overdue" ? new Date(Math.min(at.getTime() + r.int(2, 10) * DAY, t0 - r.int(1, 5) * DAY)) : kind === "done" ? new Date(at.getTime() + 7 * DAY) : new Date(t0 + r.int(1, 21) * DAY);
    c.activities.push({
      kind: "followUp",
      at,
      by: c.by,
      live: false,
      subject: r.pick(FOLLOW_UPS),
      description: r.chance(0.5) ? `Agreed with ${c.contacts[0]!.firstName} on the last call.` : null,
      dueDate: due.getTime() > at.getTime() ? due : new Date(at.getTime() + DAY),
      priority: r.pick(["Low", "Medium", "High"] as const),
      assignedTo: kind === "unassigned" ? null : owner,
      complete: kind === "done" ? { at: new Date(at.getTime() + 3 * DAY), by: owner } : null,
    });
  }
}

/**
 * A handful of things happen "now", through the real queues, so the first start shows the dev
 * inbox and SMS page at work: emails and a text, meeting invitations, a new complaint for the
 * support team, a testimonial for marketing to review and a task for a sales rep.
 */
function addLive(customers: CustomerPlan[], t0: number) {
  const organisations = customers.filter((c) => c.input.type !== "Individual");
  const people = customers.filter((c) => c.input.type === "Individual");
  const at = new Date(t0);
  const live = { at, live: true } as const;
  const inDays = (days: number, hour: number) => {
    const d = new Date(t0 + days * DAY);
    d.setUTCHours(hour, 0, 0, 0);
    return d;
  };
  organisations[0]!.activities.push({ ...live, by: "sales1", kind: "email", subject: "Your renewal quote", body: "Hello,\n\nAs discussed, here is your renewal quote for next year.", template: null, delivered: false });
  people[0]!.activities.push({ ...live, by: "sales2", kind: "email", subject: "Your loyalty card is on its way", body: "Hello,\n\nYour loyalty card was posted today; it should arrive within a week.", template: null, delivered: false });
  people[1]!.activities.push({ ...live, by: "support1", kind: "sms", recipientPhone: people[1]!.input.primaryPhone, message: null, template: "Appointment reminder", delivered: false });
  for (const [i, c] of organisations.slice(1, 3).entries()) {
    const start = inDays(2 + i, 10 + i * 4);
    c.activities.push({
      ...live,
      by: "manager",
      kind: "meeting",
      title: i === 0 ? "Renewal planning session" : "Live product demo",
      description: "Agenda to follow.",
      start,
      end: new Date(start.getTime() + HOUR),
      isVirtual: i === 1,
      location: i === 1 ? null : `${c.input.billingAddress.street}, ${c.input.billingAddress.city}`,
      meetingLink: i === 1 ? `https://meet.${DEMO_DOMAIN}/demo-${i}` : null,
      attendees: c.contacts.slice(0, 2).map((x) => x.email),
      reschedule: null,
      cancel: null,
    });
  }
  organisations[3]!.activities.push({
    ...live,
    by: "support2",
    kind: "complaint",
    subject: "Invoice sent to the wrong address",
    description: "Our invoices still go to the old office although we sent the new address in January.",
    category: "Billing",
    priority: "Medium",
    steps: [],
  });
  people[2]!.activities.push({ ...live, by: "sales3", kind: "testimonial", content: "Ordered on Monday, installed on Wednesday, and the team followed up to check all was well.", rating: 5, isPublic: true, authorName: `${people[2]!.input.firstName} ${people[2]!.input.lastName}`, decision: null });
  organisations[4]!.activities.push({
    ...live,
    by: "manager",
    kind: "followUp",
    subject: "Call about the renewal quote",
    description: "They asked for a call before Friday.",
    dueDate: inDays(3, 12),
    priority: "High",
    assignedTo: "sales1",
    complete: null,
  });
}

/** A few customers left: deactivated after their last activity (and after the campaign reached them). */
function addDeactivations(r: Prng, customers: CustomerPlan[], t0: number, campaignAt: number) {
  const quiet = customers.filter((c) => c.activities.every((a) => !a.live) && c.input.type !== "Government");
  for (let i = 0; i < 6; i++) {
    const c = quiet[Math.floor((quiet.length / 6) * i) + r.int(0, 3)]!;
    const last = Math.max(c.at.getTime(), campaignAt, ...c.contacts.map((x) => x.at.getTime()), ...c.activities.map(lastMoment));
    c.deactivate = { at: new Date(Math.min(last + DAY, t0 - HOUR)), by: "manager", reason: r.pick(["Company closed down", "Moved to a competitor", "Duplicate record of another customer"]) };
  }
}

/** The latest moment an activity touches (its follow-up steps included). */
function lastMoment(a: Activity): number {
  const times = [a.at.getTime()];
  if (a.kind === "meeting") times.push(a.reschedule?.at.getTime() ?? 0, a.cancel?.at.getTime() ?? 0);
  if (a.kind === "complaint") times.push(...a.steps.map((s) => s.at.getTime()));
  if (a.kind === "testimonial") times.push(a.decision?.at.getTime() ?? 0);
  if (a.kind === "followUp") times.push(a.complete?.at.getTime() ?? 0);
  return Math.max(...times);
}
