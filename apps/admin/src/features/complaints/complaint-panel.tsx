import { ZResolveInput, ZStatusInput } from "@clientele/api/complaint-schemas";
import { can, type Role } from "@clientele/domain/authz";
import { COMPLAINT_TRANSITIONS, knowledgeBaseWords } from "@clientele/domain";
import { Alert, Button, Card, Center, Checkbox, Group, Loader, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Timeline, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { PriorityBadge, StatusBadge, type Complaint } from "./complaint-badges";
import { fieldErrors } from "../../ui/field-errors";

// The API's rule (packages/domain complaint.ts): the assignee or a manager (who may delete customers) moves a complaint; only a manager escalates.
const isManager = (roles: readonly Role[]) => can(roles, "customer:delete");

/** Why this user cannot move the complaint at all, or null. */
function cannotWork(roles: readonly Role[], userId: string, c: Complaint): string | null {
  const privilege = missing(roles, "complaint:manage");
  if (privilege) return privilege;
  if (c.assignedTo !== userId && !isManager(roles)) return `Only the assignee (${c.assignedTo ?? "nobody yet"}) or a manager may change this complaint.`;
  return null;
}

/** A complaint with its status history, the status workflow (notes required) and the resolution form. */
export function ComplaintPanel({ customerId, complaintId }: { customerId: string; complaintId: string }) {
  const trpc = useTRPC();
  const session = useSession();
  const complaint = useQuery(trpc.complaints.get.queryOptions({ customerId, complaintId }));
  // Forms remount on each new version (their choices depend on the status); what they did stays here.
  const [notice, setNotice] = useState<string | null>(null);
  if (complaint.isPending)
    return (
      <Center p="md">
        <Loader size="sm" aria-label="Loading complaint" />
      </Center>
    );
  if (complaint.error)
    return (
      <Alert color="red" title="The complaint could not be loaded">
        {problemOf(complaint.error).message}
      </Alert>
    );
  const c = complaint.data;
  const roles = session?.roles ?? [];
  const blocked = cannotWork(roles, session?.userId ?? "", c);
  const next = COMPLAINT_TRANSITIONS[c.status];
  // The moves this user may make with the status form (resolving has its own form; escalating is a manager's).
  const moves = next.filter((s) => s !== "Resolved" && (s !== "Escalated" || isManager(roles)));
  // While it can still be resolved: how complaints sharing words of this subject were (the API takes 200 characters).
  const similar = next.includes("Resolved") && !missing(roles, "complaint:manage") ? knowledgeBaseWords(c.subject).join(" ").slice(0, 200) : "";
  return (
    <Stack data-testid="complaint-panel">
      <Group justify="space-between">
        <Title order={3} size="h4">
          {c.complaintNumber}: {c.subject}
        </Title>
        <Group gap="xs">
          <PriorityBadge priority={c.priority} />
          <StatusBadge status={c.status} />
        </Group>
      </Group>
      <SimpleGrid cols={3}>
        <Text size="sm">Category: {c.category ?? "—"}</Text>
        <Text size="sm">Assigned to: {c.assignedTo ?? "nobody"}</Text>
        <Text size="sm">Submitted: {new Date(c.createdAt).toLocaleString()}</Text>
      </SimpleGrid>
      <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
        {c.description}
      </Text>
      {c.resolution && (
        <Alert color="green" title={`Resolved${c.resolutionTimeInHours !== null ? ` in ${c.resolutionTimeInHours} h` : ""}`} data-testid="complaint-resolution">
          <Text size="sm">{c.resolution}</Text>
          {c.compensationOffered && <Text size="sm">Compensation: {c.compensationOffered}</Text>}
          <Text size="sm">Customer satisfied: {c.customerSatisfied ? "yes" : "no"}</Text>
        </Alert>
      )}
      {similar && (
        <Text size="sm">
          <Link to="/support/knowledge-base" search={{ q: similar }}>
            Similar resolutions
          </Link>{" "}
          in the knowledge base
        </Text>
      )}
      <Title order={4} size="h5">
        Status history
      </Title>
      {c.statusHistory && c.statusHistory.length > 0 ? (
        <Timeline bulletSize={12} lineWidth={2} data-testid="complaint-history">
          {c.statusHistory.map((h, i) => (
            <Timeline.Item key={`${h.changedAt}-${i}`} title={`${h.from ?? "—"} → ${h.to}`}>
              <Text size="xs" c="dimmed">
                {new Date(h.changedAt).toLocaleString()} by {h.changedBy}
              </Text>
              <Text size="sm">{h.notes}</Text>
            </Timeline.Item>
          ))}
        </Timeline>
      ) : (
        <Text size="sm">No status changes yet.</Text>
      )}
      {notice && (
        <Alert color="green" data-testid="complaint-notice" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {next.length === 0 ? (
        <Text size="sm">Closed complaints are final.</Text>
      ) : blocked ? (
        <Alert color="gray" data-testid="complaint-blocked">
          {blocked}
        </Alert>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {moves.length > 0 && <StatusForm key={c.version} complaint={c} manager={isManager(roles)} onDone={setNotice} />}
          {moves.length === 0 && next.includes("Escalated") && (
            <Text size="sm" data-testid="status-unavailable">
              Only a manager may escalate (CustomerManager or Admin); resolve it or ask a manager.
            </Text>
          )}
          {next.includes("Resolved") && <ResolveForm key={c.version} complaint={c} onDone={setNotice} />}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function useRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries(trpc.complaints.pathFilter());
}

function StatusForm({ complaint: c, manager, onDone }: { complaint: Complaint; manager: boolean; onDone: (notice: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const options = COMPLAINT_TRANSITIONS[c.status]
    .filter((s) => s !== "Resolved")
    .map((s) => (s === "Escalated" && !manager ? { value: s, label: `${s} (managers only)`, disabled: true } : { value: s, label: s }));
  const [status, setStatus] = useState<string | null>(options.find((o) => !o.disabled)?.value ?? null);
  const [notes, setNotes] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const change = useMutation({
    ...trpc.complaints.changeStatus.mutationOptions(),
    onSuccess: async (done) => {
      onDone(`Status changed to ${done.status}; the customer is told.`);
      await refresh();
    },
  });
  const input = { customerId: c.customerId, complaintId: c.id, status: status ?? "", notes, version: c.version };
  const parsed = ZStatusInput.safeParse(input);
  const problem = change.error ? problemOf(change.error) : null;
  const errors = fieldErrors(parsed, problem, change.variables, input);
  const notesError = errors.notes ?? (submitted && notes.trim().length < 3 ? "are required for every status change (at least 3 characters)" : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    change.reset();
    if (parsed.success && notes.trim().length >= 3) change.mutate(parsed.data);
  };
  return (
    <Card withBorder component="form" onSubmit={submit} noValidate aria-label="Change status">
      <Stack gap="xs">
        <Title order={4} size="h5">
          Change status
        </Title>
        <Select label="New status" data={options} value={status} onChange={setStatus} allowDeselect={false} error={submitted ? errors.status : undefined} />
        <Textarea label="Status notes" required value={notes} onChange={(e) => setNotes(e.currentTarget.value)} error={submitted ? notesError : undefined} autosize minRows={2} />
        {problem && !problem.fieldErrors.notes && !problem.fieldErrors.status && (
          <Alert color="red" data-testid="status-problem">
            {problem.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={change.isPending} disabled={!status}>
            Change status
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ResolveForm({ complaint: c, onDone }: { complaint: Complaint; onDone: (notice: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const [resolution, setResolution] = useState("");
  const [compensation, setCompensation] = useState("");
  const [satisfied, setSatisfied] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  const resolve = useMutation({
    ...trpc.complaints.resolve.mutationOptions(),
    onSuccess: async (done) => {
      onDone(`Resolved in ${done.resolutionTimeInHours} h${done.followUpId ? "; a follow-up was created for the assignee" : ""}.`);
      await refresh();
    },
  });
  const input = { customerId: c.customerId, complaintId: c.id, resolution, compensationOffered: compensation.trim() || null, customerSatisfied: satisfied, version: c.version };
  const parsed = ZResolveInput.safeParse(input);
  const problem = resolve.error ? problemOf(resolve.error) : null;
  const errors = fieldErrors(parsed, problem, resolve.variables, input);
  // The domain's rule, checked here too so the reason shows before the round trip.
  const resolutionError = errors.resolution ?? (resolution.trim().length < 20 ? "must be at least 20 characters" : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    resolve.reset();
    if (parsed.success && resolution.trim().length >= 20) resolve.mutate(parsed.data);
  };
  return (
    <Card withBorder component="form" onSubmit={submit} noValidate aria-label="Resolve complaint">
      <Stack gap="xs">
        <Title order={4} size="h5">
          Resolve
        </Title>
        <Textarea label="Resolution" description="At least 20 characters" required value={resolution} onChange={(e) => setResolution(e.currentTarget.value)} error={submitted ? resolutionError : undefined} autosize minRows={2} />
        <TextInput label="Compensation offered" value={compensation} onChange={(e) => setCompensation(e.currentTarget.value)} error={errors.compensationOffered} />
        <Checkbox label="Customer satisfied (if not, a follow-up is created)" checked={satisfied} onChange={(e) => setSatisfied(e.currentTarget.checked)} />
        {problem && !problem.fieldErrors.resolution && !problem.fieldErrors.compensationOffered && (
          <Alert color="red" data-testid="resolve-problem">
            {problem.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={resolve.isPending}>
            Resolve complaint
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
