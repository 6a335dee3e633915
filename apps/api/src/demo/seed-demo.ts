import { createHash } from "node:crypto";
import {
  demoSeedLockName,
  findCommunication,
  listCommunications,
  listComplaints,
  listContacts,
  listCustomerFollowUps,
  listCustomerTestimonials,
  listStatusHistory,
  listTemplates,
  upsertUser,
  withNamedLock,
  type Communication,
  type Db,
} from "@clientele/db";
import type { Actor } from "@clientele/domain";
import { InFlightElsewhere, PermanentJobError, runSendEmail, runSendSms, type MessagePayload, type MessagingDeps } from "@clientele/jobs";
import { DeliveryError, type EmailSender, type SmsSender } from "@clientele/messaging";
import type { AppDeps } from "../deps";
import { applyEmailEvents, applyTwilioStatus } from "../features/communications/delivery-report.use-cases";
import { createSmsLimiter } from "../sms-limiter";
import { appRouter } from "../trpc/router";
import { createCallerFactory, createContext } from "../trpc/trpc";
import { DEMO_DOMAIN, DEMO_SETTINGS, STAFF, TEMPLATES, type StaffKey, type StaffUser } from "./demo-data";
import { buildDemoPlan, type Activity, type CustomerPlan, type DemoPlan } from "./demo-plan";
import { DEMO_TENANT, readSeedMarker, writeSeedMarker } from "./seed-marker";

const LANES = 6;

export type SeedOptions = {
  tenantId?: string;
  /** Called after each customer's records are in place (the CLI prints progress). */
  onProgress?: (done: number, total: number) => void;
};

export type SeedResult = {
  tenantId: string;
  /** `already-seeded`: the marker was there and nothing was written. */
  status: "seeded" | "already-seeded";
  seededAt: string;
  /** What this run wrote, per kind (zero everywhere on a run that found everything in place). */
  written: Record<string, number>;
  /** Warnings the API answered with (e.g. a postal code it does not recognise); the demo has none. */
  warnings: string[];
  ms: number;
};

const createCaller = createCallerFactory(appRouter);

/** The real procedures, called in-process as this staff member (authorization and all). */
async function as(deps: AppDeps, tenantId: string, user: StaffUser) {
  const actor: Actor = { userId: user.id, tenantId, roles: user.roles, name: user.name, email: user.email };
  return createCaller({ ...(await createContext(deps, null, null)), auth: { actor } });
}

// History is recorded as the worker would have recorded it, through the worker's own send code;
// these providers stand for the SMTP relay and Twilio of that past and send nothing.
const historyEmail: EmailSender = {
  send: async (m) => ({ providerMessageId: `<${m.messageId}@history.${DEMO_DOMAIN}>`, accepted: m.to.map((t) => t.address), rejected: [], response: "250 demo history" }),
  verify: async () => undefined,
  close: () => undefined,
};

function historySms(landlines: Set<string>): SmsSender {
  return {
    send: async (m) => {
      if (landlines.has(m.to)) {
        throw new DeliveryError("Twilio error 21614: 'To' number is not a valid mobile number", { channel: "sms", permanent: true, providerCode: "21614" });
      }
      return { sid: `SM${createHash("sha1").update(m.idempotencyKey).digest("hex").slice(0, 32)}`, status: "sent", segments: 1 };
    },
  };
}

// A year of texts is recorded in seconds; the per-minute budget that guards against SMS pumping
// would refuse that, so history gets a budget of its own (live texts use the API's real limiter).
const historySmsLimiter = createSmsLimiter(null, { perTenantPerMinute: 1_000_000, perNumberPerHour: 1_000_000 });

type Run = { base: AppDeps; tenantId: string; plan: DemoPlan; templates: Map<string, string>; written: Record<string, number>; warnings: string[] };

/**
 * The app as it was at `at`: its clock reads `at`, messages go through the worker's send code at
 * once (so none is left Queued for the real worker to send years late), and notifications about
 * the past are dropped, as they would have gone out back then.
 */
function historyAt(run: Run, at: Date): AppDeps {
  const { base } = run;
  const messaging: MessagingDeps = {
    db: base.db,
    storage: base.storage,
    cache: base.cache,
    log: base.log,
    now: () => new Date(at.getTime() + 20_000),
    email: historyEmail,
    sms: historySms(run.plan.landlines),
    organizer: { name: "Clientele Demo Co.", email: `no-reply@${DEMO_DOMAIN}` },
  };
  const send = async (type: "Email" | "SMS", p: MessagePayload) => {
    try {
      await (type === "Email" ? runSendEmail(messaging, p) : runSendSms(messaging, p));
    } catch (error) {
      // A permanent refusal (a landline) leaves the message Failed, as the worker would. A message
      // another attempt is sending is that attempt's to finish: a worker that queued what an
      // interrupted seed left Queued (while a seed runs, the sweep leaves its tenant alone).
      if (!(error instanceof PermanentJobError) && !(error instanceof InFlightElsewhere)) throw error;
    }
    return true;
  };
  return {
    ...base,
    now: () => at,
    smsLimiter: historySmsLimiter,
    jobs: {
      ...base.jobs,
      enqueueMessage: send,
      enqueueEmails: async (ps) => {
        for (const p of ps) await send("Email", p);
        return true;
      },
      enqueueNotification: async () => true,
      cancelNotification: async () => undefined,
    },
  };
}

const later = (at: Date, ms: number) => new Date(at.getTime() + ms);
const bump = (run: Run, kind: string) => {
  run.written[kind] = (run.written[kind] ?? 0) + 1;
};

/**
 * A history message the worker sent: the worker's own code sends it if it is still Queued (and
 * leaves it alone if not), then the planned delivery report is applied to what was sent.
 */
async function settleHistoryMessage(run: Run, type: "Email" | "SMS", id: string, at: Date, delivered: boolean) {
  await historyAt(run, at).jobs.enqueueMessage(type, { communicationId: id, tenantId: run.tenantId });
  const m = (await findCommunication(run.base.db, run.tenantId, id))!;
  if (!delivered || m.status !== "Sent") return;
  const reportDeps = historyAt(run, later(at, 2 * 60_000));
  if (m.type === "Email") await applyEmailEvents(reportDeps, [{ communicationId: m.id, event: "delivered" }]);
  else await applyTwilioStatus(reportDeps, { MessageSid: m.providerMessageId!, MessageStatus: "delivered" });
}

type Existing = {
  contacts: Set<string>;
  communications: Communication[];
  complaints: Map<string, { id: string; assignedTo: string | null; steps: number }>;
  testimonials: Map<string, { id: string; status: string }>;
  followUps: Map<string, { id: string; status: string }>;
};

const NOTHING: Existing = { contacts: new Set(), communications: [], complaints: new Map(), testimonials: new Map(), followUps: new Map() };

/** What an earlier, interrupted run left of this customer, keyed as the plan keys it. */
async function loadExisting(db: Db, tenantId: string, customerId: string): Promise<Existing> {
  const [contacts, history, complaints, testimonials, followUps] = await Promise.all([
    listContacts(db, tenantId, customerId, { includeInactive: true }),
    listCommunications(db, tenantId, customerId, { page: 1, pageSize: 10_000 }),
    listComplaints(db, tenantId, { customerId, page: 1, pageSize: 1000 }),
    listCustomerTestimonials(db, tenantId, customerId, {}),
    listCustomerFollowUps(db, tenantId, customerId),
  ]);
  const steps = await Promise.all(complaints.items.map(async (c) => (await listStatusHistory(db, c.id)).length - 1));
  return {
    contacts: new Set(contacts.map((c) => c.email.toLowerCase())),
    communications: history.items.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)),
    complaints: new Map(complaints.items.map((c, i) => [c.subject, { id: c.id, assignedTo: c.assignedTo, steps: steps[i]! }])),
    testimonials: new Map(testimonials.map((t) => [t.content, { id: t.id, status: t.status }])),
    followUps: new Map(followUps.map((f) => [f.subject, { id: f.id, status: f.status }])),
  };
}

const staffById = new Map(Object.values(STAFF).map((u) => [u.id, u]));

async function seedActivity(run: Run, customerId: string, a: Activity, existing: Existing, smsOrdinal: number) {
  const deps = a.live ? run.base : historyAt(run, a.at);
  const api = (user: StaffUser, at?: Date) => as(a.live || !at ? deps : historyAt(run, at), run.tenantId, user);
  const by = STAFF[a.by];
  const ofType = (type: string) => existing.communications.filter((c) => c.type === type);
  switch (a.kind) {
    case "call": {
      if (ofType("PhoneCall").some((c) => c.subject === a.summary)) return;
      const { kind: _k, at, by: _b, live: _l, ...call } = a;
      await (await api(by)).communications.logPhoneCall({ customerId, ...call, callTime: at.toISOString() });
      return bump(run, "calls");
    }
    case "email": {
      let id = ofType("Email").find((c) => c.subject === a.subject)?.id;
      if (!id) {
        const templateId = a.template ? run.templates.get(a.template) : undefined;
        const sent = await (await api(by)).communications.sendEmail({
          customerId,
          purpose: "Transactional",
          ...(templateId ? { templateId } : { subject: a.subject, body: a.body ?? undefined }),
        });
        id = sent.communicationId;
        bump(run, "emails");
      }
      if (!a.live) await settleHistoryMessage(run, "Email", id, a.at, a.delivered);
      return;
    }
    case "sms": {
      let id = ofType("SMS")[smsOrdinal]?.id;
      if (!id) {
        const templateId = a.template ? run.templates.get(a.template) : undefined;
        const sent = await (await api(by)).communications.sendSms({ customerId, recipientPhone: a.recipientPhone, purpose: "Transactional", ...(templateId ? { templateId } : { message: a.message ?? undefined }) });
        id = sent.communicationId;
        bump(run, "sms");
      }
      if (!a.live) await settleHistoryMessage(run, "SMS", id, a.at, a.delivered);
      return;
    }
    case "meeting": {
      let m: { id: string; sequence: number; status: string } | undefined = ofType("Meeting").find((c) => c.subject === a.title);
      if (!m) {
        const created = await (await api(by)).communications.scheduleMeeting({
          customerId,
          title: a.title,
          description: a.description,
          scheduledStart: a.start.toISOString(),
          scheduledEnd: a.end.toISOString(),
          isVirtual: a.isVirtual,
          location: a.location,
          meetingLink: a.meetingLink,
          attendees: a.attendees,
        });
        m = { id: created.id, sequence: 0, status: created.status };
        bump(run, "meetings");
      }
      if (a.reschedule && m.sequence === 0 && m.status !== "Cancelled") {
        const moved = await (await api(by, a.reschedule.at)).communications.rescheduleMeeting({ customerId, meetingId: m.id, scheduledStart: a.reschedule.start.toISOString(), scheduledEnd: a.reschedule.end.toISOString() });
        m = { id: m.id, sequence: 1, status: moved.status };
      }
      if (a.cancel && m.status !== "Cancelled") await (await api(by, a.cancel.at)).communications.cancelMeeting({ customerId, meetingId: m.id });
      return;
    }
    case "complaint": {
      let c = existing.complaints.get(a.subject);
      if (!c) {
        const { kind: _k, at: _a, by: _b, live: _l, steps: _s, ...complaint } = a;
        const created = await (await api(by)).complaints.submit({ customerId, ...complaint });
        c = { id: created.id, assignedTo: created.assignedTo, steps: 0 };
        bump(run, "complaints");
      }
      const ref = { customerId, complaintId: c.id };
      // The assignee works the complaint; escalation needs a manager.
      const assignee = (c.assignedTo && staffById.get(c.assignedTo)) || STAFF.manager;
      for (const step of a.steps.slice(c.steps)) {
        if ("resolve" in step) await (await api(assignee, step.at)).complaints.resolve({ ...ref, ...step.resolve });
        else await (await api(step.to === "Escalated" ? STAFF.manager : assignee, step.at)).complaints.changeStatus({ ...ref, status: step.to, notes: step.notes });
      }
      return;
    }
    case "testimonial": {
      let t = existing.testimonials.get(a.content);
      if (!t) {
        const created = await (await api(by)).testimonials.submit({ customerId, content: a.content, rating: a.rating, isPublic: a.isPublic, authorName: a.authorName });
        t = { id: created.id, status: created.status };
        bump(run, "testimonials");
      }
      if (!a.decision || t.status !== "Pending") return;
      const ref = { customerId, testimonialId: t.id };
      const judge = await api(STAFF[a.decision.by], a.decision.at);
      if (a.decision.approve) await judge.testimonials.approve({ ...ref, isPublic: a.decision.approve.isPublic });
      else await judge.testimonials.reject({ ...ref, reason: a.decision.reject! });
      return;
    }
    case "followUp": {
      let f = existing.followUps.get(a.subject);
      if (!f) {
        const created = await (await api(by)).followUps.create({
          customerId,
          subject: a.subject,
          description: a.description,
          dueDate: a.dueDate.toISOString(),
          priority: a.priority,
          assignedTo: a.assignedTo ? STAFF[a.assignedTo].id : null,
        });
        f = { id: created.id, status: created.status };
        bump(run, "followUps");
      }
      if (a.complete && f.status === "Pending") await (await api(STAFF[a.complete.by], a.complete.at)).followUps.complete({ followUpId: f.id });
      return;
    }
  }
}

async function seedCustomer(run: Run, c: CustomerPlan, found: { id: string } | undefined) {
  let id = found?.id;
  if (!id) {
    const created = await (await as(historyAt(run, c.at), run.tenantId, STAFF[c.by])).customers.create(c.input);
    id = created.id;
    run.warnings.push(...created.warnings.map((w) => `${c.key}: ${w}`));
    bump(run, "customers");
  }
  const existing = found ? await loadExisting(run.base.db, run.tenantId, id) : NOTHING;
  for (const x of c.contacts) {
    if (existing.contacts.has(x.email.toLowerCase())) continue;
    const { at, by, ...contact } = x;
    await (await as(historyAt(run, at), run.tenantId, STAFF[by])).contacts.add({ customerId: id, ...contact });
    bump(run, "contacts");
  }
  let sms = 0;
  for (const a of c.activities) await seedActivity(run, id, a, existing, a.kind === "sms" ? sms++ : -1);
  return id;
}

/** The campaign went out once, to every customer who had joined by then and opted in. */
async function seedCampaign(run: Run, ids: Map<string, string>) {
  const { campaign } = run.plan;
  const templateId = run.templates.get(campaign.template)!;
  const history = historyAt(run, campaign.at);
  const recorded = () => run.base.db.selectFrom("communications").select(["id", "status"]).where("tenantId", "=", run.tenantId).where("templateId", "=", templateId).execute();
  const messages = await recorded();
  if (messages.length === 0) {
    const result = await (await as(history, run.tenantId, STAFF[campaign.by])).communications.sendBulkEmail({
      customerIds: campaign.customerKeys.map((k) => ids.get(k)!),
      templateId,
      purpose: "Marketing",
    });
    run.written.campaignEmails = result.accepted.length;
  }
  // Sent before delivered: what an interrupted run left Queued goes through the worker's code first.
  for (const m of messages.filter((x) => x.status === "Queued")) await history.jobs.enqueueMessage("Email", { communicationId: m.id, tenantId: run.tenantId });
  const sent = (await recorded()).filter((m) => m.status === "Sent");
  await applyEmailEvents(historyAt(run, later(campaign.at, 5 * 60_000)), sent.map((m) => ({ communicationId: m.id, event: "delivered" as const })));
}

async function seedTemplates(run: Run, at: Date) {
  const existing = new Map((await listTemplates(run.base.db, run.tenantId, { includeArchived: true })).map((t) => [t.name, { id: t.id, status: t.status }]));
  const api = await as(historyAt(run, at), run.tenantId, STAFF.marketing);
  for (const t of TEMPLATES) {
    let current = existing.get(t.name);
    if (!current) {
      const created = await api.templates.create({ name: t.name, channel: t.channel, purpose: t.purpose, subject: t.subject ?? null, body: t.body, html: t.html ?? null });
      current = { id: created.id, status: created.status };
      bump(run, "templates");
    }
    if (t.archived && current.status === "Active") await api.templates.archive({ templateId: current.id });
    run.templates.set(t.name, current.id);
  }
}

/** Customers by the plan's key, in one query (an interrupted run left some of them). */
async function existingCustomers(db: Db, tenantId: string) {
  const rows = await db.selectFrom("customers").select(["id", "primaryEmail", "isDeleted"]).where("tenantId", "=", tenantId).execute();
  return new Map(rows.map((r) => [r.primaryEmail.toLowerCase(), { id: r.id, isDeleted: r.isDeleted === 1 }]));
}

async function inLanes<T>(items: T[], lanes: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  let failure: { error: unknown } | null = null;
  // On the first failure no lane takes new work; the others finish what they hold, then it is thrown.
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * One seed per tenant and database at a time: a second `npm start` waits, then finds the marker.
 * The lock also keeps a running worker's stranded-message sweep off this tenant while the seed
 * records history (findQueuedMessages): each message is Queued for a moment before the seed sends
 * it, and dated in the past it looks stranded; a worker that took it would send a year-old
 * message for real and race the seed. Hiding the rows (rather than racing for them) keeps every
 * history message the seed's to send.
 */
async function withSeedLock<T>(db: Db, tenantId: string, fn: () => Promise<T>): Promise<T> {
  const held = await withNamedLock(db, demoSeedLockName(tenantId), 300, fn);
  if (!held.acquired) throw new Error(`another demo seed of tenant ${tenantId} has held its lock for 5 minutes`);
  return held.value;
}

/**
 * Seeds the demo tenant through the app's own procedures. Idempotent: a finished seed leaves a
 * marker in the tenant's settings and later runs write nothing; a run that was interrupted is
 * completed by the next one, which finds what exists by its natural keys and adds the rest.
 */
export async function seedDemo(deps: AppDeps, o: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now();
  const tenantId = o.tenantId ?? DEMO_TENANT;
  return withSeedLock(deps.db, tenantId, async () => {
    const marker = await readSeedMarker(deps.db, tenantId);
    if (marker) return { tenantId, status: "already-seeded", seededAt: marker.seededAt, written: {}, warnings: [], ms: Math.round(performance.now() - started) };

    const now = deps.now();
    const plan = buildDemoPlan(now);
    const run: Run = { base: deps, tenantId, plan, templates: new Map(), written: {}, warnings: [] };
    for (const u of Object.values(STAFF)) await upsertUser(deps.db, { tenantId, id: u.id, name: u.name, email: u.email, roles: u.roles, at: now });
    const setupAt = new Date(plan.customers[0]!.at.getTime() - 24 * 3_600_000);
    await (await as(historyAt(run, setupAt), tenantId, STAFF.admin)).complaints.putSettings(DEMO_SETTINGS);
    await seedTemplates(run, setupAt);

    const found = await existingCustomers(deps.db, tenantId);
    const ids = new Map<string, string>();
    let done = 0;
    await inLanes(plan.customers, LANES, async (c) => {
      const existing = found.get(c.key);
      // A deactivated customer is frozen: its records were complete before it was deactivated.
      ids.set(c.key, existing?.isDeleted ? existing.id : await seedCustomer(run, c, existing));
      o.onProgress?.(++done, plan.customers.length);
    });
    await seedCampaign(run, ids);
    for (const c of plan.customers) {
      if (!c.deactivate || found.get(c.key)?.isDeleted) continue;
      await (await as(historyAt(run, c.deactivate.at), tenantId, STAFF[c.deactivate.by])).customers.deactivate({ id: ids.get(c.key)!, reason: c.deactivate.reason });
      bump(run, "deactivated");
    }
    // The users were seen "now"; history calls through the middleware may have dated them back.
    for (const u of Object.values(STAFF)) await upsertUser(deps.db, { tenantId, id: u.id, name: u.name, email: u.email, roles: u.roles, at: now });
    await writeSeedMarker(deps.db, tenantId, now);
    return { tenantId, status: "seeded", seededAt: now.toISOString(), written: run.written, warnings: run.warnings, ms: Math.round(performance.now() - started) };
  });
}

/** The token command for each demo user, with the name and email claims their notices need. */
export function tokenCommands(tenantId = DEMO_TENANT): { user: StaffUser; command: string }[] {
  return (Object.keys(STAFF) as StaffKey[]).map((k) => {
    const u = STAFF[k];
    return { user: u, command: `npm run --silent token -- --tenant ${tenantId} --role ${u.roles.join(",")} --user ${u.id} --name "${u.name}" --email ${u.email}` };
  });
}
