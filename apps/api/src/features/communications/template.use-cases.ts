import { randomUUID } from "node:crypto";
import { findTemplate, inTransaction, insertTemplate, listTemplates, lockTemplate, updateTemplate, type MessageTemplate, type Trx } from "@clientele/db";
import { DomainError, FieldErrorCollector, MAX_SMS_CHARS, staleVersion, type Actor, assertVersion } from "@clientele/domain";
import { PERSONALIZATION_VARIABLES, templateVariables, unknownVariables } from "@clientele/messaging";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import type { ZTemplateInput, ZTemplateUpdate } from "./communication.schemas";

function toTemplateDto(t: MessageTemplate) {
  const parts = [t.subject, t.bodyText, t.bodyHtml].filter((x): x is string => Boolean(x));
  return {
    id: t.id,
    name: t.name,
    channel: t.channel,
    purpose: t.purpose,
    subject: t.subject,
    body: t.bodyText,
    html: t.bodyHtml,
    variables: [...new Set(parts.flatMap((p) => templateVariables(p)))],
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    version: t.version,
  };
}

/** A template must fit its channel and use only variables we can fill (checked when saved, not when sent). */
function checkTemplate(t: Pick<MessageTemplate, "name" | "channel" | "subject" | "bodyText" | "bodyHtml">) {
  const errors = new FieldErrorCollector();
  if (!t.name.trim()) errors.add("name", "is required");
  if (t.channel === "Email") {
    if (!t.subject?.trim()) errors.add("subject", "is required for an email template");
    else if (/[\r\n]/.test(t.subject)) errors.add("subject", "must not contain line breaks");
    if (!t.bodyText?.trim() && !t.bodyHtml?.trim()) errors.add("body", "give a text body, an HTML body, or both");
  } else {
    if (!t.bodyText?.trim()) errors.add("body", "is required for an SMS template");
    if (t.bodyHtml) errors.add("html", "SMS templates are plain text");
    if ((t.bodyText?.length ?? 0) > MAX_SMS_CHARS) errors.add("body", `must be at most ${MAX_SMS_CHARS} characters`);
  }
  for (const [field, value] of [["subject", t.subject], ["body", t.bodyText], ["html", t.bodyHtml]] as const) {
    const bad = value ? unknownVariables(value, [...PERSONALIZATION_VARIABLES]) : [];
    if (bad.length) errors.add(field, `unknown variable(s) ${bad.map((b) => `{{${b}}}`).join(", ")}; known: ${PERSONALIZATION_VARIABLES.join(", ")}`);
  }
  errors.throwIfAny();
}

export async function createTemplate(deps: AppDeps, actor: Actor, input: z.infer<typeof ZTemplateInput>) {
  const t: Omit<MessageTemplate, "lastModifiedAt" | "lastModifiedBy" | "version"> = {
    id: randomUUID(),
    tenantId: actor.tenantId,
    name: input.name.trim(),
    channel: input.channel,
    purpose: input.purpose,
    subject: input.subject ?? null,
    bodyText: input.body ?? null,
    bodyHtml: input.html ?? null,
    status: "Active",
    createdAt: deps.now(),
    createdBy: actor.userId,
  };
  checkTemplate(t);
  await insertTemplate(deps.db, t);
  return toTemplateDto((await findTemplate(deps.db, actor.tenantId, t.id))!);
}

const templateNotFound = () => new DomainError("TMPL-001", "not_found", "Template not found.");

async function load(deps: AppDeps, actor: Actor, id: string) {
  const t = await findTemplate(deps.db, actor.tenantId, id);
  if (!t) throw templateNotFound();
  return t;
}

/**
 * Changes run on the locked row, one after another: a change without a version applies to the
 * current template, one with a version gets 409 when it is no longer current.
 */
async function withLocked<T>(deps: AppDeps, actor: Actor, id: string, work: (trx: Trx, t: MessageTemplate) => Promise<T>): Promise<T> {
  return inTransaction(deps.db, async (trx) => {
    const t = await lockTemplate(trx, actor.tenantId, id);
    if (!t) throw templateNotFound();
    return work(trx, t);
  });
}

export function changeTemplate(deps: AppDeps, actor: Actor, input: z.infer<typeof ZTemplateUpdate>) {
  return withLocked(deps, actor, input.templateId, async (trx, t) => {
    assertVersion(input.version, t.version, "template");
    if (t.status !== "Active") throw new DomainError("TMPL-001", "business_rule", "An archived template cannot be changed.");
    const next: MessageTemplate = {
      ...t,
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.channel !== undefined ? { channel: input.channel } : {}),
      ...(input.purpose !== undefined ? { purpose: input.purpose } : {}),
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      ...(input.body !== undefined ? { bodyText: input.body } : {}),
      ...(input.html !== undefined ? { bodyHtml: input.html } : {}),
      lastModifiedAt: deps.now(),
      lastModifiedBy: actor.userId,
      version: t.version + 1,
    };
    checkTemplate(next);
    if (!(await updateTemplate(trx, next, t.version))) throw staleVersion(t.version, t.version + 1, "template");
    return toTemplateDto(next);
  });
}

export function archiveTemplate(deps: AppDeps, actor: Actor, input: { templateId: string }) {
  return withLocked(deps, actor, input.templateId, async (trx, t) => {
    if (t.status === "Archived") return toTemplateDto(t);
    const next = { ...t, status: "Archived", lastModifiedAt: deps.now(), lastModifiedBy: actor.userId, version: t.version + 1 };
    if (!(await updateTemplate(trx, next, t.version))) throw staleVersion(t.version, t.version + 1, "template");
    return toTemplateDto(next);
  });
}

export async function getTemplate(deps: AppDeps, actor: Actor, input: { templateId: string }) {
  return toTemplateDto(await load(deps, actor, input.templateId));
}

export async function listTemplateDtos(deps: AppDeps, actor: Actor, input: { channel?: "Email" | "SMS" | undefined; includeArchived?: boolean | undefined }) {
  return { items: (await listTemplates(deps.db, actor.tenantId, input)).map(toTemplateDto) };
}
