import { Alert, Button, Group, Progress, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { invalidateCustomerValue } from "./value-queries";

const POLL_MS = 1000;

/**
 * An Admin's on-demand loyalty recalculation (003 BR-8): every customer of the tenant, run by the
 * worker; its progress is polled until it completes or fails, then the customer's tier is read again.
 */
export function LoyaltyRecalculation() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [runId, setRunId] = useState<string | null>(null);
  const start = useMutation({ ...trpc.loyalty.recalculate.mutationOptions(), onSuccess: (run) => setRunId(run.runId) });
  const run = useQuery({
    ...trpc.loyalty.run.queryOptions({ runId: runId ?? "" }),
    enabled: runId !== null,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "Completed" || q.state.data.status === "Failed") ? false : POLL_MS),
  });
  const status = run.data?.status;
  const finished = status === "Completed" || status === "Failed";
  useEffect(() => {
    if (status === "Completed") void invalidateCustomerValue(queryClient, trpc);
  }, [status, queryClient, trpc]);
  const busy = start.isPending || (runId !== null && !finished);
  const r = run.data;
  return (
    <Stack gap="xs">
      <Group>
        <Button size="xs" variant="light" loading={busy} onClick={() => start.mutate({})}>
          Recalculate all loyalty tiers
        </Button>
      </Group>
      {start.error && <Alert color="red">{problemOf(start.error).message}</Alert>}
      {run.error && <Alert color="red">{problemOf(run.error).message}</Alert>}
      {r && (
        <div data-testid="loyalty-run">
          <Progress.Root size="sm">
            <Progress.Section value={r.total > 0 ? (100 * r.processed) / r.total : status === "Completed" ? 100 : 0} aria-label="Loyalty recalculation progress" />
          </Progress.Root>
          <Text size="xs" mt={4}>
            {r.status}: {r.processed} of {r.total} customers{r.status === "Completed" ? `, ${r.changed} changed tier` : ""}
            {r.failureReason ? ` (${r.failureReason})` : ""}
          </Text>
        </div>
      )}
    </Stack>
  );
}
