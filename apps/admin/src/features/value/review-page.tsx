import { INACTIVITY_FLAGS, type InactivityFlag } from "@clientele/domain";
import { Badge, Group, Pagination, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { reviewRoute } from "../../router";
import { useTRPC } from "../../trpc";
import { ListStatus } from "../../ui/list-status";
import { TableHead } from "../../ui/table-head";

const PAGE_SIZE = 20;
const FLAG_LABELS: Record<InactivityFlag, string> = { InactiveRisk: "Inactive risk", Review: "Review (over 24 months)" };

/** Inactive customers flagged by the daily sweep (003 BR-6), longest inactive first; filter and page in the URL. */
export function ReviewPage() {
  const { flag, page = 1 } = reviewRoute.useSearch();
  const trpc = useTRPC();
  const navigate = useNavigate();
  const list = useQuery(trpc.inactivity.reviewList.queryOptions({ ...(flag ? { flag } : {}), page, pageSize: PAGE_SIZE }));
  const go = (next: { flag?: InactivityFlag; page?: number }) => void navigate({ to: "/customers/review", search: { ...(next.flag ? { flag: next.flag } : {}), ...(next.page && next.page > 1 ? { page: next.page } : {}) } });
  const items = list.data?.items ?? [];
  return (
    <Stack>
      <Title order={1} size="h2">
        Inactive customers to review
      </Title>
      <Text size="sm" c="dimmed">
        Flagged by the daily sweep: inactive risk after the tenant&apos;s inactivity threshold, review after 24 months without activity. New activity clears the flag.
      </Text>
      <SegmentedControl
        aria-label="Flag"
        w="fit-content"
        value={flag ?? "all"}
        onChange={(v) => go(v === "all" ? {} : { flag: v as InactivityFlag })}
        data={[{ value: "all", label: "All flags" }, ...INACTIVITY_FLAGS.map((f) => ({ value: f, label: FLAG_LABELS[f] }))]}
      />
      <ListStatus query={list} loadingLabel="Loading the review list" errorTitle="The review list could not be loaded" isEmpty={list.data?.items.length === 0} emptyText="No inactive customers with this flag." />
      {items.length > 0 && (
        <Table striped aria-label="Inactive customers" data-testid="review-list">
          <TableHead columns={["Customer", "Flag", "Reason", "Last activity", "Flagged"]} />
          <Table.Tbody>
            {items.map((i) => (
              <Table.Tr key={i.customerId} data-testid="review-row" data-customer-id={i.customerId}>
                <Table.Td>
                  <Link to="/customers/$customerId" params={{ customerId: i.customerId }}>
                    {i.customerNumber} · {i.companyName}
                  </Link>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={i.flag === "Review" ? "red" : "grape"}>{FLAG_LABELS[i.flag]}</Badge>
                </Table.Td>
                <Table.Td>{i.reason}</Table.Td>
                <Table.Td>
                  {new Date(i.lastActivityAt).toLocaleDateString()}
                  {!i.hadActivity && " (created; no activity yet)"}
                </Table.Td>
                <Table.Td>{new Date(i.since).toLocaleDateString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.data && list.data.totalPages > 1 && (
        <Group justify="space-between">
          <Text size="sm">{list.data.totalCount} customers</Text>
          <Pagination total={list.data.totalPages} value={list.data.page} onChange={(p) => go({ ...(flag ? { flag } : {}), page: p })} aria-label="Review list pages" getControlProps={(c) => ({ "aria-label": `${c} page` })} />
        </Group>
      )}
    </Stack>
  );
}
