import { COMMUNICATION_TYPES, DELIVERY_STATUSES } from "@clientele/domain";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Badge, Button, Card, Center, Group, Loader, MultiSelect, Pagination, Select, Stack, Table, Text, TextInput, Title, Tooltip, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { CancelMeetingDialog, LogCallDialog, MeetingDialog, RescheduleDialog } from "./activity-dialogs";
import { EmailDialog, SmsDialog } from "./message-dialogs";

type Customer = RouterOutputs["customers"]["get"];
export type Communication = RouterOutputs["communications"]["history"]["items"][number];

const TYPE_LABELS: Record<(typeof COMMUNICATION_TYPES)[number], string> = { Email: "Email", SMS: "SMS", PhoneCall: "Phone call", Meeting: "Meeting" };
// Delivery statuses for messages, Completed for calls, Scheduled/Cancelled for meetings.
const STATUSES = [...DELIVERY_STATUSES, "Completed", "Scheduled", "Cancelled"];
const PAGE_SIZE = 20;

type Dialog = { kind: "email" | "sms" | "call" | "meeting" } | { kind: "move" | "cancel"; meeting: Communication };

/** A day from `<input type="date">` as the start (or the end) of that day in the browser's time zone. */
const dayBound = (day: string, end: boolean) => (day ? new Date(`${day}T${end ? "23:59:59.999" : "00:00:00"}`).toISOString() : undefined);

/** The customer's Communications tab: history with filters, and the actions that add to it. */
export function CommunicationsTab({ customer }: { customer: Customer }) {
  const trpc = useTRPC();
  const session = useSession();
  const cannotSend = missing(session?.roles ?? [], "communication:send");
  const [types, setTypes] = useState<string[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const history = useQuery(
    trpc.communications.history.queryOptions({
      customerId: customer.id,
      ...(types.length ? { type: types as (typeof COMMUNICATION_TYPES)[number][] } : {}),
      ...(from ? { startDate: dayBound(from, false) } : {}),
      ...(to ? { endDate: dayBound(to, true) } : {}),
      page,
      pageSize: PAGE_SIZE,
    }),
  );
  // The API filters by type and date; status narrows the page it returned.
  const items = (history.data?.items ?? []).filter((c) => !status || c.status === status);
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
  };
  const action = (kind: "email" | "sms" | "call" | "meeting", label: string) =>
    cannotSend ? (
      <Tooltip label={cannotSend} key={kind}>
        <Button variant="light" disabled data-disabled-reason={cannotSend}>
          {label}
        </Button>
      </Tooltip>
    ) : (
      <Button variant="light" key={kind} onClick={() => setDialog({ kind })}>
        {label}
      </Button>
    );

  return (
    <Card withBorder component="section" aria-labelledby="communications-title">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4" id="communications-title">
            Communications
          </Title>
          <Group gap="xs">
            {action("email", "Compose email")}
            {action("sms", "Send SMS")}
            {action("call", "Log call")}
            {action("meeting", "Schedule meeting")}
          </Group>
        </Group>
        {notice && (
          <Alert color="green" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)} data-testid="communication-notice">
            {notice}
          </Alert>
        )}
        <Group align="flex-end" role="search" aria-label="Filter communications">
          <MultiSelect
            label="Type"
            placeholder={types.length ? undefined : "All types"}
            data={COMMUNICATION_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
            value={types}
            onChange={(v) => {
              setTypes(v);
              setPage(1);
            }}
            clearable
            w={260}
          />
          <Select label="Status" placeholder="Any status" data={STATUSES} value={status} onChange={setStatus} clearable w={160} />
          <TextInput
            label="From"
            type="date"
            value={from}
            onChange={(e) => {
              setFrom(e.currentTarget.value);
              setPage(1);
            }}
          />
          <TextInput
            label="To"
            type="date"
            value={to}
            onChange={(e) => {
              setTo(e.currentTarget.value);
              setPage(1);
            }}
          />
        </Group>
        {history.isPending && (
          <Center p="md">
            <Loader size="sm" aria-label="Loading communications" />
          </Center>
        )}
        {history.error && (
          <Alert color="red" title="The communications could not be loaded">
            {problemOf(history.error).message}
          </Alert>
        )}
        {history.data && items.length === 0 && (
          <Text size="sm" data-testid="communications-empty">
            {history.data.totalCount === 0 ? "No communications match these filters." : "None on this page has that status."}
          </Text>
        )}
        {history.data && items.length > 0 && (
          <Table striped data-testid="communications-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Subject / summary</Table.Th>
                <Table.Th>With</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((c) => (
                <Table.Tr key={c.id} data-testid="communication-row">
                  <Table.Td>{new Date(c.scheduledStart ?? c.occurredAt).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {TYPE_LABELS[c.type]}
                    {c.type === "PhoneCall" && ` (${c.direction}, ${Math.round((c.durationInSeconds ?? 0) / 60)} min)`}
                    {c.type === "SMS" && c.segments !== null && ` (${c.segments} segment${c.segments === 1 ? "" : "s"})`}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.subject ?? c.body?.slice(0, 80) ?? "—"}</Text>
                    {c.failureReason && (
                      <Text size="xs" c="red.8">
                        {c.failureReason}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{c.recipientEmail ?? c.recipientPhone ?? (c.attendees.join(", ") || "—")}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={["Failed", "Bounced", "Undelivered", "Cancelled"].includes(c.status) ? "red" : "blue"}>
                      {c.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {c.type === "Meeting" && c.status === "Scheduled" && !cannotSend && (
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="default" onClick={() => setDialog({ kind: "move", meeting: c })}>
                          Move
                        </Button>
                        <Button size="compact-xs" variant="default" color="red" onClick={() => setDialog({ kind: "cancel", meeting: c })}>
                          Cancel meeting
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {history.data && history.data.totalPages > 1 && (
          <Pagination total={history.data.totalPages} value={page} onChange={setPage} aria-label="Communications pages" getControlProps={(c) => ({ "aria-label": `${c} page` })} />
        )}
      </Stack>
      {dialog?.kind === "email" && <EmailDialog customer={customer} onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === "sms" && <SmsDialog customer={customer} onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === "call" && <LogCallDialog customer={customer} onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === "meeting" && <MeetingDialog customer={customer} onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === "move" && <RescheduleDialog meeting={dialog.meeting} onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === "cancel" && <CancelMeetingDialog meeting={dialog.meeting} onClose={() => setDialog(null)} onDone={done} />}
    </Card>
  );
}
