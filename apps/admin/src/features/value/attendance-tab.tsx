import { Group, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../trpc";
import { ListStatus } from "../../ui/list-status";
import { TableHead } from "../../ui/table-head";

const PAGE_SIZE = 20;

/** The customer's event attendance (from the API and the attendance stream), newest first, with total events. */
export function AttendanceTab({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const list = useQuery(trpc.attendance.attendance.queryOptions({ customerId, page, pageSize: PAGE_SIZE }));
  const items = list.data?.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Event attendance
        </Title>
        {list.data && (
          <Text size="sm" data-testid="attendance-total-events">
            {list.data.totalEvents} {list.data.totalEvents === 1 ? "event" : "events"} attended
          </Text>
        )}
      </Group>
      <ListStatus query={list} loadingLabel="Loading attendance" errorTitle="The attendance could not be loaded" isEmpty={list.data?.items.length === 0} emptyText="No event attendance recorded for this customer." />
      {items.length > 0 && (
        <Table striped aria-label="Event attendance of this customer" data-testid="attendance">
          <TableHead columns={["When", "Event", "Status", "Source"]} />
          <Table.Tbody>
            {items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{new Date(a.occurredAt).toLocaleString()}</Table.Td>
                <Table.Td>{a.eventName ? `${a.eventName} (${a.eventRef})` : a.eventRef}</Table.Td>
                <Table.Td>{a.status}</Table.Td>
                <Table.Td>{a.source}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.data && list.data.totalPages > 1 && (
        <Group justify="space-between">
          <Text size="sm">{list.data.totalCount} records</Text>
          <Pagination total={list.data.totalPages} value={page} onChange={setPage} aria-label="Attendance pages" getControlProps={(c) => ({ "aria-label": `${c} page` })} />
        </Group>
      )}
    </Stack>
  );
}
