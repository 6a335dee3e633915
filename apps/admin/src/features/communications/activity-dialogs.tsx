import { ZLogCallInput, ZMeetingInput, ZRescheduleInput } from "@clientele/api/communication-schemas";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import type { Communication } from "./communications-tab";
import { formErrors } from "../../ui/field-errors";
import { isoOf, localOf } from "../../ui/datetime-local";

type Customer = RouterOutputs["customers"]["get"];
type Done = (message: string) => void;

/** The problem's message, with field messages no input shows inline (so none is lost). */
function ProblemAlert({ error, inline, title }: { error: unknown; inline: string[]; title: string }) {
  if (!error) return null;
  const p = problemOf(error);
  const rest = Object.entries(p.fieldErrors).filter(([k]) => !inline.includes(k));
  return (
    <Alert color="red" title={title} data-testid="activity-problem">
      {p.message}
      {rest.map(([k, v]) => (
        <Text size="sm" key={k}>
          {k}: {v.join(", ")}
        </Text>
      ))}
    </Alert>
  );
}

function Actions({ onClose, pending, label, color }: { onClose: () => void; pending: boolean; label: string; color?: string }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onClose}>
        Close
      </Button>
      <Button type="submit" loading={pending} color={color}>
        {label}
      </Button>
    </Group>
  );
}

const useRefresh = () => {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries(trpc.communications.history.pathFilter());
};

export function LogCallDialog({ customer, onClose, onDone }: { customer: Customer; onClose: () => void; onDone: Done }) {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const [form, setForm] = useState({ phoneNumber: customer.contactInfo.primaryPhone, callType: "Outbound", minutes: 5 as number | string, summary: "", notes: "", callTime: localOf(new Date().toISOString()) });
  const [submitted, setSubmitted] = useState(false);
  const log = useMutation({
    ...trpc.communications.logPhoneCall.mutationOptions(),
    onSuccess: async () => {
      await refresh();
      onDone("Call logged.");
    },
  });
  const input = {
    customerId: customer.id,
    phoneNumber: form.phoneNumber,
    callType: form.callType,
    durationInSeconds: Math.round(Number(form.minutes) * 60),
    summary: form.summary,
    notes: form.notes || null,
    callTime: isoOf(form.callTime),
  };
  const { valid, errors } = formErrors(ZLogCallInput, input, log.error, submitted, log.variables);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (valid) log.mutate(input);
  };
  const text = (k: "phoneNumber" | "summary" | "notes" | "callTime") => ({
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }),
    error: errors[k],
  });
  return (
    <Modal opened onClose={onClose} title="Log a phone call">
      <form onSubmit={submit} noValidate>
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput label="Phone number" type="tel" required {...text("phoneNumber")} />
            <Select label="Direction" data={["Outbound", "Inbound"]} value={form.callType} onChange={(v) => v && setForm({ ...form, callType: v })} allowDeselect={false} error={errors.callType} />
            <TextInput label="When" type="datetime-local" required {...text("callTime")} />
            <NumberInput label="Duration (minutes)" min={0} value={form.minutes} onChange={(v) => setForm({ ...form, minutes: v })} error={errors.durationInSeconds} />
          </SimpleGrid>
          <TextInput label="Summary" required {...text("summary")} />
          <Textarea label="Notes" autosize minRows={2} {...text("notes")} />
          <ProblemAlert error={log.error} inline={["phoneNumber", "callType", "durationInSeconds", "summary", "notes", "callTime"]} title="The call was not logged" />
          <Actions onClose={onClose} pending={log.isPending} label="Log call" />
        </Stack>
      </form>
    </Modal>
  );
}

const tomorrowOnTheHour = () => {
  const d = new Date(Date.now() + 24 * 3600_000);
  d.setMinutes(0, 0, 0);
  return d;
};

export function MeetingDialog({ customer, onClose, onDone }: { customer: Customer; onClose: () => void; onDone: Done }) {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const start = tomorrowOnTheHour();
  const [form, setForm] = useState({
    title: "",
    description: "",
    scheduledStart: localOf(start.toISOString()),
    scheduledEnd: localOf(new Date(start.getTime() + 3600_000).toISOString()),
    location: "",
    attendees: customer.contactInfo.primaryEmail,
    isVirtual: false,
    meetingLink: "",
  });
  const [submitted, setSubmitted] = useState(false);
  const schedule = useMutation({
    ...trpc.communications.scheduleMeeting.mutationOptions(),
    onSuccess: async () => {
      await refresh();
      onDone("Meeting scheduled; the attendees get an invitation.");
    },
  });
  const input = {
    customerId: customer.id,
    title: form.title,
    description: form.description || null,
    scheduledStart: isoOf(form.scheduledStart),
    scheduledEnd: isoOf(form.scheduledEnd),
    location: form.location || null,
    attendees: form.attendees
      .split(/[,;\s]+/)
      .map((a) => a.trim())
      .filter(Boolean),
    isVirtual: form.isVirtual,
    meetingLink: form.meetingLink || null,
  };
  const { valid, errors } = formErrors(ZMeetingInput, input, schedule.error, submitted, schedule.variables);
  const attendeeErrors = Object.entries(errors)
    .filter(([k]) => k.startsWith("attendees"))
    .map(([, v]) => v)
    .join(", ");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (valid) schedule.mutate(input);
  };
  const text = (k: "title" | "description" | "scheduledStart" | "scheduledEnd" | "location" | "attendees" | "meetingLink") => ({
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }),
    error: k === "attendees" ? attendeeErrors || undefined : errors[k],
  });
  return (
    <Modal opened onClose={onClose} title="Schedule a meeting" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Title" required {...text("title")} />
          <SimpleGrid cols={2}>
            <TextInput label="Starts" type="datetime-local" required {...text("scheduledStart")} />
            <TextInput label="Ends" type="datetime-local" required {...text("scheduledEnd")} />
          </SimpleGrid>
          <TextInput label="Attendees" description="Email addresses, separated by commas" {...text("attendees")} />
          <Switch label="Virtual meeting" checked={form.isVirtual} onChange={(e) => setForm({ ...form, isVirtual: e.currentTarget.checked })} />
          {form.isVirtual ? <TextInput label="Meeting link" {...text("meetingLink")} /> : <TextInput label="Location" {...text("location")} />}
          <Textarea label="Description" autosize minRows={2} {...text("description")} />
          <ProblemAlert error={schedule.error} inline={["title", "description", "scheduledStart", "scheduledEnd", "location", "meetingLink", ...Object.keys(errors).filter((k) => k.startsWith("attendees"))]} title="The meeting was not scheduled" />
          <Actions onClose={onClose} pending={schedule.isPending} label="Schedule meeting" />
        </Stack>
      </form>
    </Modal>
  );
}

export function RescheduleDialog({ meeting, onClose, onDone }: { meeting: Communication; onClose: () => void; onDone: Done }) {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const [form, setForm] = useState({ scheduledStart: localOf(meeting.scheduledStart), scheduledEnd: localOf(meeting.scheduledEnd), location: meeting.location ?? "", meetingLink: meeting.meetingLink ?? "" });
  const [submitted, setSubmitted] = useState(false);
  const move = useMutation({
    ...trpc.communications.rescheduleMeeting.mutationOptions(),
    onSuccess: async () => {
      await refresh();
      onDone("Meeting moved; the attendees get the updated invitation.");
    },
  });
  const input = {
    customerId: meeting.customerId,
    meetingId: meeting.id,
    version: meeting.version,
    scheduledStart: isoOf(form.scheduledStart),
    scheduledEnd: isoOf(form.scheduledEnd),
    ...(meeting.isVirtual ? { meetingLink: form.meetingLink || null } : { location: form.location || null }),
  };
  const { valid, errors } = formErrors(ZRescheduleInput, input, move.error, submitted, move.variables);
  const text = (k: keyof typeof form) => ({ value: form[k], onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }), error: errors[k] });
  return (
    <Modal opened onClose={onClose} title={`Move “${meeting.subject ?? "meeting"}”`}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(true);
          if (valid) move.mutate(input);
        }}
      >
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput label="Starts" type="datetime-local" required {...text("scheduledStart")} />
            <TextInput label="Ends" type="datetime-local" required {...text("scheduledEnd")} />
          </SimpleGrid>
          {meeting.isVirtual ? <TextInput label="Meeting link" {...text("meetingLink")} /> : <TextInput label="Location" {...text("location")} />}
          <ProblemAlert error={move.error} inline={Object.keys(form)} title="The meeting was not moved" />
          <Actions onClose={onClose} pending={move.isPending} label="Move meeting" />
        </Stack>
      </form>
    </Modal>
  );
}

export function CancelMeetingDialog({ meeting, onClose, onDone }: { meeting: Communication; onClose: () => void; onDone: Done }): ReactNode {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const cancel = useMutation({
    ...trpc.communications.cancelMeeting.mutationOptions(),
    onSuccess: async () => {
      await refresh();
      onDone("Meeting cancelled; the attendees get the cancellation.");
    },
  });
  return (
    <Modal opened onClose={onClose} title="Cancel meeting">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          cancel.mutate({ customerId: meeting.customerId, meetingId: meeting.id, version: meeting.version });
        }}
      >
        <Stack>
          <Text size="sm">
            Cancel “{meeting.subject ?? "meeting"}” on {new Date(meeting.scheduledStart ?? meeting.occurredAt).toLocaleString()}? The attendees get a cancellation and the reminders are dropped.
          </Text>
          <ProblemAlert error={cancel.error} inline={[]} title="The meeting was not cancelled" />
          <Actions onClose={onClose} pending={cancel.isPending} label="Cancel meeting" color="red" />
        </Stack>
      </form>
    </Modal>
  );
}
