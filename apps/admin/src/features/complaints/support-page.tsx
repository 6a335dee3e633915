import { COMPLAINT_PRIORITIES } from "@clientele/domain";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useResubscribe, type LiveItem } from "../../live/live";
import { missing } from "../../privileges";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { ListStatus } from "../../ui/list-status";
import { TableHead } from "../../ui/table-head";
import { ComplaintCells, PriorityBadge, type Complaint } from "./complaint-badges";
import { ComplaintPanel } from "./complaint-panel";

const age = (iso: string) => {
  const hours = Math.floor((Date.now() - new Date(iso).getTime()) / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
};

function ComplaintTable({ label, items, empty, onOpen }: { label: string; items: Complaint[]; empty: string; onOpen: (c: Complaint) => void }) {
  if (items.length === 0) return <Text size="sm">{empty}</Text>;
  return (
    <Table striped highlightOnHover aria-label={label}>
      <TableHead columns={["Number", "Subject", "Priority", "Status", "Assigned to", "Age", "Customer"]} />
      <Table.Tbody>
        {items.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>
              <Button variant="subtle" size="compact-sm" onClick={() => onOpen(c)}>
                {c.complaintNumber}
              </Button>
            </Table.Td>
            <ComplaintCells complaint={c} />
            <Table.Td>{age(c.createdAt)}</Table.Td>
            <Table.Td>
              <Link to="/customers/$customerId" params={{ customerId: c.customerId }}>
                Open customer
              </Link>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

type Arrival = Exclude<LiveItem<RouterOutputs["live"]["complaints"]>["data"], { kind: "ready" }>;

/** The newest complaints and escalations since the page opened, as the API pushed them. */
function Arrivals({ items, onDismiss }: { items: Arrival[]; onDismiss: () => void }) {
  if (items.length === 0) return null;
  return (
    <Alert color="blue" title="Just in" data-testid="complaint-arrivals" withCloseButton closeButtonLabel="Dismiss" onClose={onDismiss}>
      <Stack gap={4}>
        {items.map((a) => (
          <Group key={a.eventId} gap="xs">
            <Text size="sm">
              {a.kind === "received" ? "New complaint" : a.automatic ? "Escalated automatically:" : "Escalated:"} {a.complaintNumber ?? "a complaint"}
            </Text>
            {a.priority && <PriorityBadge priority={a.priority} />}
            <Link to="/customers/$customerId" params={{ customerId: a.customerId }}>
              Open customer
            </Link>
          </Group>
        ))}
      </Stack>
    </Alert>
  );
}

/** The support team's complaints dashboard: open by priority, overdue for escalation, assigned to me. */
export function SupportPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const cannot = missing(session?.roles ?? [], "complaint:manage");
  const dashboard = useQuery({ ...trpc.complaints.dashboard.queryOptions({}), enabled: !cannot });
  const [open, setOpen] = useState<Complaint | null>(null);
  // New and escalated complaints arrive live: listed on top, and the dashboard is read again.
  const [arrivals, setArrivals] = useState<Arrival[]>([]);
  const live = useSubscription(
    trpc.live.complaints.subscriptionOptions(
      {},
      {
        enabled: !cannot,
        onData: ({ data }) => {
          if (data.kind === "ready") return;
          setArrivals((shown) => [data, ...shown].slice(0, 5));
          void queryClient.invalidateQueries(trpc.complaints.pathFilter());
        },
      },
    ),
  );
  useResubscribe(live);
  if (cannot)
    return (
      <Stack>
        <Title order={1} size="h2">
          Support
        </Title>
        <Alert color="yellow" title="The complaints dashboard is for complaint handlers">
          {cannot}
        </Alert>
      </Stack>
    );
  return (
    <Stack>
      <Title order={1} size="h2">
        Support
      </Title>
      <Text size="sm">
        How past complaints were resolved: <Link to="/support/knowledge-base">search the knowledge base</Link>.
      </Text>
      <Arrivals items={arrivals} onDismiss={() => setArrivals([])} />
      <ListStatus query={dashboard} loadingLabel="Loading the complaints dashboard" errorTitle="The dashboard could not be loaded" loaderSize="md" padding="xl" />
      {dashboard.data && (
        <>
          <Card withBorder component="section" aria-labelledby="open-by-priority">
            <Title order={2} size="h4" id="open-by-priority" mb="sm">
              Open complaints by priority
            </Title>
            <SimpleGrid cols={4}>
              {[...COMPLAINT_PRIORITIES].reverse().map((p) => (
                <Stack key={p} gap={2} align="flex-start" data-testid={`open-${p}`}>
                  <PriorityBadge priority={p} />
                  <Text size="xl" fw={700}>
                    {dashboard.data.openByPriority[p] ?? 0}
                  </Text>
                  <Text size="xs" c="dimmed">
                    escalates after {dashboard.data.escalationHours[p] ?? "—"} h
                  </Text>
                </Stack>
              ))}
            </SimpleGrid>
          </Card>
          <Card withBorder component="section" aria-labelledby="overdue-title">
            <Title order={2} size="h4" id="overdue-title" mb="sm">
              Overdue for escalation
            </Title>
            <ComplaintTable label="Overdue for escalation" items={dashboard.data.overdueForEscalation} empty="Nothing is overdue." onOpen={setOpen} />
          </Card>
          <Card withBorder component="section" aria-labelledby="mine-title">
            <Title order={2} size="h4" id="mine-title" mb="sm">
              Assigned to me
            </Title>
            <ComplaintTable label="Assigned to me" items={dashboard.data.mine} empty="No open complaints are assigned to you." onOpen={setOpen} />
          </Card>
        </>
      )}
      <Modal opened={open !== null} onClose={() => setOpen(null)} title="Complaint" size="xl">
        {open && <ComplaintPanel customerId={open.customerId} complaintId={open.id} />}
      </Modal>
    </Stack>
  );
}
