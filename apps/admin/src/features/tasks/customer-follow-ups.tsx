import { Alert, Card, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { GuardedButton } from "../../ui/guarded-button";
import { FollowUpDialog, FollowUpTable } from "./follow-ups";

/** The customer detail's follow-ups: the list, a new one, and completing one. */
export function CustomerFollowUps({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const cannot = missing(useSession()?.roles ?? [], "communication:send");
  const list = useQuery(trpc.followUps.forCustomer.queryOptions({ customerId }));
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <Card withBorder component="section" aria-labelledby="follow-ups-title">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4" id="follow-ups-title">
            Follow-ups
          </Title>
          <GuardedButton reason={cannot} onClick={() => setCreating(true)}>
            New follow-up
          </GuardedButton>
        </Group>
        {cannot && (
          <Text size="sm" c="dimmed">
            Read only: {cannot}
          </Text>
        )}
        {notice && (
          <Alert color="green" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)} data-testid="follow-ups-notice">
            {notice}
          </Alert>
        )}
        {list.isPending && (
          <Center p="md">
            <Loader size="sm" aria-label="Loading follow-ups" />
          </Center>
        )}
        {list.error && (
          <Alert color="red" title="The follow-ups could not be loaded">
            {problemOf(list.error).message}
          </Alert>
        )}
        {list.data && list.data.items.length === 0 && <Text size="sm">No follow-ups for this customer.</Text>}
        {list.data && list.data.items.length > 0 && <FollowUpTable items={list.data.items} withCustomer={false} onDone={setNotice} />}
      </Stack>
      {creating && (
        <FollowUpDialog
          customerId={customerId}
          onClose={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            setNotice("Follow-up created; the assignee is emailed.");
          }}
        />
      )}
    </Card>
  );
}
