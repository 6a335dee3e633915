import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Badge, Group, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { duplicatesRoute } from "../../router";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { GuardedButton } from "../../ui/guarded-button";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";

type Pair = RouterOutputs["customers"]["duplicateQueue"]["items"][number];

const REASONS: Record<Pair["reasons"][number], string> = {
  sameEmail: "Same email",
  samePhone: "Same phone",
  "similarName+samePostalCode": "Similar name, same postal code",
  "similarName+sameCity": "Similar name, same city",
  sameEmailDomain: "Same company email domain",
};

const side = (c: Pair["customerA"]) => (
  <Link to="/customers/$customerId" params={{ customerId: c.id }}>
    {c.customerNumber} · {c.name}
  </Link>
);

/** The tenant's review queue of suspected duplicate pairs (kept current by the worker), highest score first. */
export function DuplicatesPage() {
  const { page = 1 } = duplicatesRoute.useSearch();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const roles = useSession()?.roles ?? [];
  const [notice, setNotice] = useState<string | null>(null);
  const queue = useQuery(trpc.customers.duplicateQueue.queryOptions({ page, pageSize: 20 }));
  const dismiss = useMutation({
    ...trpc.customers.dismissDuplicate.mutationOptions(),
    onSuccess: async (_r, input) => {
      await queryClient.invalidateQueries(trpc.customers.duplicateQueue.pathFilter());
      const pair = queue.data?.items.find((p) => p.customerA.id === input.customerIdA && p.customerB.id === input.customerIdB);
      setNotice(pair ? `${pair.customerA.customerNumber} and ${pair.customerB.customerNumber} are marked as not duplicates.` : "Marked as not duplicates.");
    },
  });
  const cannotMerge = missing(roles, "customer:merge");
  const cannotDismiss = missing(roles, "customer:update");
  const items = queue.data?.items ?? [];
  return (
    <Stack>
      <Title order={1} size="h2">
        Possible duplicates
      </Title>
      <Text size="sm" c="dimmed">
        Pairs of customers that look like the same one, with why. Merge them, or dismiss a pair as not a duplicate (it does not come back).
      </Text>
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="duplicates-notice" />
      {dismiss.error && (
        <Alert color="red" title="The pair was not dismissed">
          {problemOf(dismiss.error).message}
        </Alert>
      )}
      <ListStatus query={queue} loadingLabel="Loading duplicates" errorTitle="The duplicates could not be loaded" isEmpty={queue.data?.items.length === 0} emptyText="No suspected duplicates." />
      {items.length > 0 && (
        <Table striped withTableBorder>
          <TableHead columns={["Customer", "Possible duplicate", "Score", "Why", "Detected", "Actions"]} />
          <Table.Tbody>
            {items.map((p) => (
              <Table.Tr key={`${p.customerA.id}-${p.customerB.id}`} data-testid="duplicate-pair" data-pair={`${p.customerA.id} ${p.customerB.id}`}>
                <Table.Td>{side(p.customerA)}</Table.Td>
                <Table.Td>{side(p.customerB)}</Table.Td>
                <Table.Td>
                  <Text fw={600}>{p.score}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {p.reasons.map((r) => (
                      <Badge key={r} variant="outline" color="dark" size="sm">
                        {REASONS[r]}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{new Date(p.detectedAt).toLocaleDateString()}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <GuardedButton
                      size="xs"
                      reason={cannotMerge}
                      aria-label={`Merge ${p.customerB.customerNumber} and ${p.customerA.customerNumber}`}
                      onClick={() => void navigate({ to: "/customers/$customerId/merge", params: { customerId: p.customerA.id }, search: { with: p.customerB.id } })}
                    >
                      Merge…
                    </GuardedButton>
                    <GuardedButton
                      size="xs"
                      color="gray"
                      reason={cannotDismiss}
                      loading={dismiss.isPending && dismiss.variables.customerIdA === p.customerA.id && dismiss.variables.customerIdB === p.customerB.id}
                      aria-label={`Not a duplicate: ${p.customerA.customerNumber} and ${p.customerB.customerNumber}`}
                      onClick={() => dismiss.mutate({ customerIdA: p.customerA.id, customerIdB: p.customerB.id })}
                    >
                      Not a duplicate
                    </GuardedButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {queue.data && queue.data.totalPages > 1 && (
        <Pagination
          total={queue.data.totalPages}
          value={queue.data.page}
          onChange={(p) => void navigate({ to: "/customers/duplicates", search: p === 1 ? {} : { page: p } })}
          getControlProps={(control) => ({ "aria-label": `${control} page` })}
        />
      )}
    </Stack>
  );
}
