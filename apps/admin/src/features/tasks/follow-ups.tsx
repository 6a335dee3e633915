import { ZFollowUpInput } from "@clientele/api/communication-schemas";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { GuardedButton } from "../../ui/guarded-button";
import { isoOf, localOf } from "../../ui/datetime-local";

export type FollowUp = RouterOutputs["followUps"]["mine"]["items"][number];

const PRIORITY_COLOR: Record<string, string> = { High: "red", Medium: "yellow", Low: "gray" };

/** A follow-up list (a customer's, or the signed-in user's tasks) with completion for those communication:send grants. */
export function FollowUpTable({ items, withCustomer, onDone }: { items: FollowUp[]; withCustomer: boolean; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cannot = missing(useSession()?.roles ?? [], "communication:send");
  const complete = useMutation({
    ...trpc.followUps.complete.mutationOptions(),
    onSettled: () => queryClient.invalidateQueries(trpc.followUps.pathFilter()),
  });
  return (
    <Stack>
      {complete.error && (
        <Alert color="red" title="The follow-up was not completed" data-testid="follow-up-problem">
          {problemOf(complete.error).message}
        </Alert>
      )}
      <Table striped aria-label="Follow-ups" data-testid="follow-ups-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Subject</Table.Th>
            {withCustomer && <Table.Th>Customer</Table.Th>}
            <Table.Th>Due</Table.Th>
            <Table.Th>Priority</Table.Th>
            <Table.Th>Assigned to</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((f) => (
            <Table.Tr key={f.id} data-testid="follow-up-row" data-overdue={f.overdue}>
              <Table.Td>
                <Text size="sm">{f.subject}</Text>
                {f.description && (
                  <Text size="xs" c="dimmed">
                    {f.description}
                  </Text>
                )}
              </Table.Td>
              {withCustomer && (
                <Table.Td>
                  <Link to="/customers/$customerId" params={{ customerId: f.customerId }} aria-label={`Open customer of “${f.subject}”`}>
                    Open customer
                  </Link>
                </Table.Td>
              )}
              <Table.Td>{new Date(f.dueDate).toLocaleString()}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={PRIORITY_COLOR[f.priority] ?? "gray"}>
                  {f.priority}
                </Badge>
              </Table.Td>
              <Table.Td>{f.assignedTo ?? "Unassigned"}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <Badge variant="outline" color={f.status === "Completed" ? "green" : "blue"}>
                    {f.status}
                  </Badge>
                  {f.overdue && (
                    <Badge color="red" data-testid="overdue-flag">
                      Overdue
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                {f.status !== "Completed" && (
                  <GuardedButton
                    size="xs"
                    reason={cannot}
                    aria-label={`Complete “${f.subject}”`}
                    loading={complete.isPending && complete.variables.followUpId === f.id}
                    onClick={() => complete.mutate({ followUpId: f.id, version: f.version }, { onSuccess: () => onDone(`“${f.subject}” completed.`) })}
                  >
                    Complete
                  </GuardedButton>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

const tomorrowNine = () => {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d;
};

type Form = { subject: string; description: string; due: string; priority: string; assignedTo: string };

/** New follow-up on a customer, validated with the API's schema; the assignee defaults to the signed-in user. */
export function FollowUpDialog({ customerId, onClose, onDone }: { customerId: string; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const [form, setForm] = useState<Form>({ subject: "", description: "", due: localOf(tomorrowNine().toISOString()), priority: "Medium", assignedTo: session?.userId ?? "" });
  const [submitted, setSubmitted] = useState(false);
  const [sent, setSent] = useState<Form | null>(null);
  const create = useMutation({
    ...trpc.followUps.create.mutationOptions(),
    onSuccess: async () => {
      await queryClient.invalidateQueries(trpc.followUps.pathFilter());
      onDone();
    },
  });
  const input = {
    customerId,
    subject: form.subject,
    description: form.description.trim() || null,
    dueDate: isoOf(form.due),
    priority: form.priority,
    assignedTo: form.assignedTo.trim() || null,
  };
  const parsed = ZFollowUpInput.safeParse(input);
  const problem = create.error ? problemOf(create.error) : null;
  const errors: Record<string, string[]> = {};
  if (!parsed.success) for (const i of parsed.error.issues) (errors[String(i.path[0])] ??= []).push(i.message);
  // The API's message for a field goes once that field is edited, until the next save answers.
  const formKey = (k: string): keyof Form => (k === "dueDate" ? "due" : (k as keyof Form));
  for (const [k, m] of Object.entries(problem?.fieldErrors ?? {})) if (!sent || sent[formKey(k)] === form[formKey(k)]) (errors[k] ??= []).push(...m);
  const shown = (k: string) => (submitted ? errors[k]?.join(", ") : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setSent(form);
    // What the schema checked goes on the wire (it turns the due date into a Date only for the use case).
    if (parsed.success) create.mutate({ ...input, priority: parsed.data.priority });
  };
  const set = (k: keyof Form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  return (
    <Modal opened onClose={onClose} title="New follow-up">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Subject" required value={form.subject} onChange={set("subject")} error={shown("subject")} />
          <Textarea label="Description" value={form.description} onChange={set("description")} error={shown("description")} autosize minRows={2} />
          <TextInput label="Due" type="datetime-local" required value={form.due} onChange={set("due")} error={shown("dueDate")} />
          <Select label="Priority" required data={ZFollowUpInput.shape.priority.options} value={form.priority} onChange={(v) => setForm({ ...form, priority: v ?? "Medium" })} error={shown("priority")} allowDeselect={false} />
          <TextInput label="Assigned to (user id)" value={form.assignedTo} onChange={set("assignedTo")} error={shown("assignedTo")} description="Empty leaves it unassigned" />
          {problem && Object.keys(problem.fieldErrors).length === 0 && <Alert color="red" title="The follow-up was not created">{problem.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create follow-up
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
