import { ZSendEmailInput, ZSendSmsInput } from "@clientele/api/communication-schemas";
import { PURPOSES } from "@clientele/domain";
import { smsSegments } from "@clientele/messaging/sms-segments";
import { PERSONALIZATION_VARIABLES } from "@clientele/messaging/templates";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Modal, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { FormActions } from "../../ui/form-actions";
import { formErrors } from "../../ui/field-errors";

type Customer = RouterOutputs["customers"]["get"];
type Purpose = (typeof PURPOSES)[number];
type Props = { customer: Customer; onClose: () => void; onDone: (message: string) => void };

const VARIABLES_HINT = `Variables: ${PERSONALIZATION_VARIABLES.map((v) => `{{${v}}}`).join(" ")}`;

/** What the API refused and why: a consent refusal (COMM-004/005/006) is a warning, anything else an error. */
function ProblemAlert({ error, shownInline }: { error: unknown; shownInline: string[] }) {
  if (!error) return null;
  const p = problemOf(error);
  const consent = p.fieldErrors.consent;
  if (consent)
    return (
      <Alert color="yellow" title="Not sent: consent" data-testid="consent-warning">
        {consent.join("; ")}
      </Alert>
    );
  const rest = Object.entries(p.fieldErrors).filter(([k]) => !shownInline.includes(k));
  return (
    <Alert color="red" title="Not sent" data-testid="message-problem">
      {p.message}
      {rest.map(([k, v]) => (
        <Text size="sm" key={k}>
          {k}: {v.join(", ")}
        </Text>
      ))}
    </Alert>
  );
}

function TemplateSelect({ channel, value, onChange }: { channel: "Email" | "SMS"; value: string | null; onChange: (t: RouterOutputs["templates"]["list"]["items"][number] | null) => void }) {
  const trpc = useTRPC();
  const templates = useQuery(trpc.templates.list.queryOptions({ channel }));
  const items = templates.data?.items ?? [];
  return (
    <Select
      label="Template"
      placeholder={templates.isPending ? "Loading templates…" : items.length ? "None (write the message)" : "No templates yet"}
      data={items.map((t) => ({ value: t.id, label: `${t.name} (${t.purpose})` }))}
      value={value}
      onChange={(id) => onChange(items.find((t) => t.id === id) ?? null)}
      clearable
      error={templates.error ? `Templates could not be loaded: ${problemOf(templates.error).message}` : undefined}
      description="A template fills the message; the API personalizes its variables for this customer."
    />
  );
}

export function EmailDialog({ customer, onClose, onDone }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ recipientEmail: customer.contactInfo.primaryEmail, subject: "", body: "", templateId: null as string | null, purpose: "Transactional" as Purpose });
  const [submitted, setSubmitted] = useState(false);
  const send = useMutation({
    ...trpc.communications.sendEmail.mutationOptions(),
    onSuccess: async (r) => {
      await queryClient.invalidateQueries(trpc.communications.history.pathFilter());
      onDone(`Email queued (${r.purpose}); the worker sends it shortly.`);
    },
  });
  const input = {
    customerId: customer.id,
    recipientEmail: form.recipientEmail || undefined,
    purpose: form.purpose,
    ...(form.templateId ? { templateId: form.templateId } : { subject: form.subject, body: form.body }),
  };
  const { valid, errors } = formErrors(ZSendEmailInput, input, send.error, submitted, send.variables);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (valid) send.mutate(input);
  };
  const set = (k: "recipientEmail" | "subject" | "body") => ({
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }),
    error: errors[k],
  });
  return (
    <Modal opened onClose={onClose} title="Compose email" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="To" type="email" {...set("recipientEmail")} description="Defaults to the customer's primary email" />
          <TemplateSelect
            channel="Email"
            value={form.templateId}
            onChange={(t) => setForm({ ...form, templateId: t?.id ?? null, purpose: (t?.purpose as Purpose | undefined) ?? form.purpose, subject: t?.subject ?? form.subject, body: t?.body ?? form.body })}
          />
          <Select label="Purpose" data={[...PURPOSES]} value={form.purpose} onChange={(v) => v && setForm({ ...form, purpose: v as Purpose })} allowDeselect={false} error={errors.purpose} />
          <TextInput label="Subject" required {...set("subject")} disabled={Boolean(form.templateId)} />
          <Textarea label="Message" required autosize minRows={5} {...set("body")} disabled={Boolean(form.templateId)} description={VARIABLES_HINT} />
          {errors.templateId && (
            <Text size="sm" c="red.8">
              Template: {errors.templateId}
            </Text>
          )}
          <ProblemAlert error={send.error} shownInline={["recipientEmail", "subject", "body", "templateId", "purpose"]} />
          <FormActions onCancel={onClose} pending={send.isPending}>
            Send email
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}

export function SmsDialog({ customer, onClose, onDone }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ recipientPhone: customer.contactInfo.primaryPhone, message: "", templateId: null as string | null, purpose: "Transactional" as Purpose });
  const [submitted, setSubmitted] = useState(false);
  const send = useMutation({
    ...trpc.communications.sendSms.mutationOptions(),
    onSuccess: async (r) => {
      await queryClient.invalidateQueries(trpc.communications.history.pathFilter());
      onDone(`SMS queued: ${r.segments ?? "?"} segment(s), ${r.encoding ?? "unknown encoding"}.`);
    },
  });
  const input = {
    customerId: customer.id,
    recipientPhone: form.recipientPhone || undefined,
    purpose: form.purpose,
    ...(form.templateId ? { templateId: form.templateId } : { message: form.message }),
  };
  const { valid, errors } = formErrors(ZSendSmsInput, input, send.error, submitted, send.variables);
  // Counted as typed (a template's variables are filled by the API, which answers the final count).
  const info = smsSegments(form.message);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (valid) send.mutate(input);
  };
  return (
    <Modal opened onClose={onClose} title="Send SMS" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="To" type="tel" value={form.recipientPhone} onChange={(e) => setForm({ ...form, recipientPhone: e.currentTarget.value })} error={errors.recipientPhone} description="Defaults to the customer's primary phone" />
          <TemplateSelect channel="SMS" value={form.templateId} onChange={(t) => setForm({ ...form, templateId: t?.id ?? null, purpose: (t?.purpose as Purpose | undefined) ?? form.purpose, message: t?.body ?? form.message })} />
          <Select label="Purpose" data={[...PURPOSES]} value={form.purpose} onChange={(v) => v && setForm({ ...form, purpose: v as Purpose })} allowDeselect={false} error={errors.purpose} />
          <Textarea
            label="Message"
            required
            autosize
            minRows={3}
            value={form.message}
            onChange={(e) => setForm({ ...form, message: e.currentTarget.value })}
            disabled={Boolean(form.templateId)}
            error={errors.message}
            description={`${info.characters} characters, ${info.encoding}: ${info.segments} segment${info.segments === 1 ? "" : "s"}. ${VARIABLES_HINT}`}
            data-testid="sms-message"
          />
          <Text size="sm" aria-live="polite" data-testid="sms-segments">
            {info.segments} segment{info.segments === 1 ? "" : "s"} ({info.encoding})
          </Text>
          <ProblemAlert error={send.error} shownInline={["recipientPhone", "message", "purpose"]} />
          <FormActions onCancel={onClose} pending={send.isPending}>
            Send SMS
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}
