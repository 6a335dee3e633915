import { describe, expect, it } from "vitest";
import { outcomeOf } from "./support";
import {
  COMPLAINT_STATUSES,
  COMPLAINT_TRANSITIONS,
  checkComplaint,
  decideResolution,
  decideStatusChange,
  escalationDueAt,
  escalationHours,
  formatComplaintNumber,
  routeComplaint,
  type Actor,
  type ComplaintStatus,
} from "../src/index";

const manager: Actor = { userId: "boss", tenantId: "t", roles: ["CustomerManager"] };
const agent: Actor = { userId: "agent-1", tenantId: "t", roles: ["SupportAgent"] };
const other: Actor = { userId: "agent-2", tenantId: "t", roles: ["SupportAgent"] };
const created = new Date("2026-03-01T08:00:00Z");
const state = (status: ComplaintStatus, assignedTo: string | null = "agent-1") => ({ status, assignedTo, createdAt: created });
const codeOf = (fn: () => unknown) => {
  const outcome = outcomeOf(fn);
  return outcome === "none" ? outcome : outcome.code;
};

const ALLOWED: Record<ComplaintStatus, ComplaintStatus[]> = {
  New: ["InProgress", "Escalated"],
  InProgress: ["Resolved", "Escalated"],
  Resolved: ["Closed", "InProgress"],
  Escalated: ["InProgress", "Resolved"],
  Closed: [],
};

describe("the REQ-CUS-027 transition table", () => {
  for (const from of COMPLAINT_STATUSES) {
    for (const to of COMPLAINT_STATUSES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${from} → ${to} is ${allowed ? "allowed" : "refused with COMP-003"}`, () => {
        expect(COMPLAINT_TRANSITIONS[from].includes(to)).toBe(allowed);
        const result = codeOf(() => decideStatusChange(state(from), to, "moving on", manager));
        if (!allowed) expect(result).toBe("COMP-003");
        // Resolving goes through its own operation, which records the resolution.
        else expect(result).toBe(to === "Resolved" ? "VALIDATION" : "none");
      });
    }
  }
});

describe("status changes", () => {
  it("need notes, a known status, and the assignee or a manager", () => {
    expect(codeOf(() => decideStatusChange(state("New"), "InProgress", " ", agent))).toBe("VALIDATION");
    expect(codeOf(() => decideStatusChange(state("New"), "Sleeping", "notes", agent))).toBe("VALIDATION");
    expect(codeOf(() => decideStatusChange(state("New"), "InProgress", "taking it", other))).toBe("AUTH-002");
    expect(decideStatusChange(state("New"), "InProgress", " taking it ", agent)).toEqual({ to: "InProgress", notes: "taking it" });
    expect(decideStatusChange(state("New", null), "InProgress", "taking it", manager).to).toBe("InProgress");
  });

  it("leave manual escalation to managers", () => {
    expect(codeOf(() => decideStatusChange(state("New"), "Escalated", "too slow", agent))).toBe("AUTH-002");
    expect(decideStatusChange(state("New"), "Escalated", "too slow", manager).to).toBe("Escalated");
  });
});

describe("resolution", () => {
  const r = { resolution: "Replaced the broken unit and refunded shipping", customerSatisfied: true };
  it("computes the resolution time in hours from submission", () => {
    const out = decideResolution(state("InProgress"), { ...r, compensationOffered: " voucher " }, agent, new Date(created.getTime() + 47.6 * 3_600_000));
    expect(out).toMatchObject({ resolutionTimeInHours: 48, compensationOffered: "voucher", customerSatisfied: true });
  });
  it("needs 20 characters, a state that may resolve, and is refused once resolved (COMP-002)", () => {
    expect(codeOf(() => decideResolution(state("InProgress"), { ...r, resolution: "too short" }, agent, created))).toBe("VALIDATION");
    expect(codeOf(() => decideResolution(state("New"), r, agent, created))).toBe("COMP-003");
    expect(codeOf(() => decideResolution(state("Resolved"), r, agent, created))).toBe("COMP-002");
    expect(codeOf(() => decideResolution(state("Closed"), r, agent, created))).toBe("COMP-002");
    expect(codeOf(() => decideResolution(state("Escalated"), r, other, created))).toBe("AUTH-002");
    expect(decideResolution(state("Escalated"), r, manager, created).resolutionTimeInHours).toBe(0);
  });
});

describe("submission, numbering, routing and thresholds", () => {
  it("checks subject, description and priority", () => {
    expect(codeOf(() => checkComplaint({ subject: "x".repeat(501), description: "d", priority: "Low" }))).toBe("VALIDATION");
    expect(codeOf(() => checkComplaint({ subject: "s", description: "d".repeat(5001), priority: "Low" }))).toBe("VALIDATION");
    expect(codeOf(() => checkComplaint({ subject: "s", description: "d", priority: "Urgent" }))).toBe("VALIDATION");
    expect(checkComplaint({ subject: " s ", description: " d ", category: " ", priority: "High" })).toEqual({ subject: "s", description: "d", category: null, priority: "High" });
  });
  it("numbers COMP-YYYYMMDD-NNNN", () => {
    expect(formatComplaintNumber(new Date("2025-12-22T23:59:00Z"), 1)).toBe("COMP-20251222-0001");
    expect(formatComplaintNumber(new Date("2025-12-22T00:00:00Z"), 12345)).toBe("COMP-20251222-12345");
  });
  it("routes by category to a user or a team, with a catch-all", () => {
    const routing = { rules: [{ category: "Billing", userId: "ann" }, { category: "tech", team: "t1" }, { category: "*", userId: "triage" }], teams: { t1: ["a", "b"] } };
    expect(routeComplaint("billing", routing)).toEqual({ userId: "ann" });
    expect(routeComplaint("Tech", routing)).toEqual({ team: "t1", members: ["a", "b"] });
    expect(routeComplaint("other", routing)).toEqual({ userId: "triage" });
    expect(routeComplaint(null, { rules: [], teams: {} })).toBeNull();
  });
  it("escalates after 4/24/48/168 hours unless a tenant overrides", () => {
    const hours = escalationHours(undefined);
    expect(hours).toEqual({ Critical: 4, High: 24, Medium: 48, Low: 168 });
    expect(escalationDueAt(created, "High", hours).toISOString()).toBe("2026-03-02T08:00:00.000Z");
    expect(escalationHours({ Critical: 1, Low: -5 })).toEqual({ Critical: 1, High: 24, Medium: 48, Low: 168 });
  });
});
