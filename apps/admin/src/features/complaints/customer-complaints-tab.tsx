import { ZSubmitComplaintInput } from "@clientele/api/complaint-schemas";
import { COMPLAINT_PRIORITIES, type ComplaintPriority } from "@clientele/domain";
import { Alert, Button, Card, Group, Modal, Select, Stack, Table, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { FormActions } from "../../ui/form-actions";
import { GuardedButton } from "../../ui/guarded-button";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";
import { ComplaintCells } from "./complaint-badges";
import { ComplaintPanel } from "./complaint-panel";
import { fieldErrors } from "../../ui/field-errors";

/** The customer detail's Complaints tab: the customer's complaints, submitting one, and the workflow of the one opened. */
export function CustomerComplaintsTab({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const session = useSession();
  const cannotManage = missing(session?.roles ?? [], "complaint:manage");
  const list = useQuery(trpc.complaints.listForCustomer.queryOptions({ customerId, page: 1, pageSize: 100 }));
  const [submitting, setSubmitting] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [submittedNotice, setSubmittedNotice] = useState<string | null>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Complaints
        </Title>
        <GuardedButton reason={cannotManage} onClick={() => setSubmitting(true)}>
          Submit complaint
        </GuardedButton>
      </Group>
      <Notice message={submittedNotice} onDismiss={() => setSubmittedNotice(null)} data-testid="complaint-submitted" />
      <ListStatus
        query={list}
        loadingLabel="Loading complaints"
        errorTitle="The complaints could not be loaded"
        isEmpty={list.data?.items.length === 0}
        emptyText="No complaints from this customer."
      />
      {list.data && list.data.items.length > 0 && (
        <Table striped highlightOnHover aria-label="Complaints of this customer">
          <TableHead columns={["Number", "Subject", "Priority", "Status", "Assigned to", "Submitted"]} />
          <Table.Tbody>
            {list.data.items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => setOpenId(openId === c.id ? null : c.id)} aria-expanded={openId === c.id}>
                    {c.complaintNumber}
                  </Button>
                </Table.Td>
                <ComplaintCells complaint={c} />
                <Table.Td>{new Date(c.createdAt).toLocaleString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {openId && (
        <Card withBorder>
          <ComplaintPanel customerId={customerId} complaintId={openId} />
        </Card>
      )}
      {submitting && (
        <SubmitComplaintDialog
          customerId={customerId}
          onClose={() => setSubmitting(false)}
          onSubmitted={(c) => {
            setSubmitting(false);
            setOpenId(c.id);
            setSubmittedNotice(`Complaint ${c.complaintNumber} submitted${c.assignedTo ? ` and assigned to ${c.assignedTo}` : ""}; the support team is notified.`);
          }}
        />
      )}
    </Stack>
  );
}

type Form = { subject: string; description: string; category: string; priority: ComplaintPriority };

function SubmitComplaintDialog({
  customerId,
  onClose,
  onSubmitted,
}: {
  customerId: string;
  onClose: () => void;
  onSubmitted: (c: { id: string; complaintNumber: string; assignedTo: string | null }) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>({ subject: "", description: "", category: "", priority: "Medium" });
  const [submitted, setSubmitted] = useState(false);
  const submit = useMutation({
    ...trpc.complaints.submit.mutationOptions(),
    onSuccess: async (c) => {
      await queryClient.invalidateQueries(trpc.complaints.pathFilter());
      onSubmitted(c);
    },
  });
  const input = { customerId, subject: form.subject, description: form.description, category: form.category.trim() || null, priority: form.priority };
  const parsed = ZSubmitComplaintInput.safeParse(input);
  const problem = submit.error ? problemOf(submit.error) : null;
  const errors = fieldErrors(parsed, problem, submit.variables, input);
  const required = (k: "subject" | "description") => errors[k] ?? (form[k].trim() ? undefined : "is required");
  const shown = (message: string | undefined) => (submitted ? message : undefined);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success && form.subject.trim() && form.description.trim()) submit.mutate(parsed.data);
  };
  const set = (k: keyof Form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  return (
    <Modal opened onClose={onClose} title="Submit a complaint">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <TextInput label="Subject" required value={form.subject} onChange={set("subject")} error={shown(required("subject"))} />
          <Textarea label="Description" required value={form.description} onChange={set("description")} error={shown(required("description"))} autosize minRows={3} />
          <TextInput label="Category" description="Routes the complaint (settings' routing rules)" value={form.category} onChange={set("category")} error={shown(errors.category)} />
          <Select
            label="Priority"
            data={[...COMPLAINT_PRIORITIES]}
            value={form.priority}
            allowDeselect={false}
            onChange={(v) => v && setForm({ ...form, priority: v as ComplaintPriority })}
            error={shown(errors.priority)}
          />
          {problem && !["subject", "description", "category", "priority"].some((k) => problem.fieldErrors[k]) && (
            <Alert color="red" data-testid="submit-complaint-problem">
              {problem.message}
            </Alert>
          )}
          <FormActions onCancel={onClose} pending={submit.isPending}>
            Submit complaint
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}
