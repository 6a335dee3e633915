import { Alert, Badge, Center, Group, Loader, Stack, Switch, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { FollowUpTable } from "./follow-ups";

/** My tasks: the signed-in user's follow-ups (and the unassigned ones for managers), overdue ones flagged. */
export function MyTasksPage() {
  const trpc = useTRPC();
  const roles = useSession()?.roles ?? [];
  const [includeCompleted, setIncludeCompleted] = useState(false);
  const tasks = useQuery(trpc.followUps.mine.queryOptions({ includeCompleted }));
  const [notice, setNotice] = useState<string | null>(null);
  const managers = roles.includes("CustomerManager") || roles.includes("Admin");
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Title order={1} size="h2">
            My tasks
          </Title>
          {tasks.data && tasks.data.overdueCount > 0 && (
            <Badge color="red" size="lg" data-testid="overdue-count">
              {tasks.data.overdueCount} overdue
            </Badge>
          )}
        </Group>
        <Switch label="Show completed" checked={includeCompleted} onChange={(e) => setIncludeCompleted(e.currentTarget.checked)} />
      </Group>
      <Text size="sm" c="dimmed">
        Follow-ups assigned to you{managers ? ", and the unassigned ones (your role manages them)" : ""}, by due date.
      </Text>
      {notice && (
        <Alert color="green" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)} data-testid="tasks-notice">
          {notice}
        </Alert>
      )}
      {tasks.isPending && (
        <Center p="xl">
          <Loader aria-label="Loading tasks" />
        </Center>
      )}
      {tasks.error && (
        <Alert color="red" title="Your tasks could not be loaded">
          {problemOf(tasks.error).message}
        </Alert>
      )}
      {tasks.data && tasks.data.items.length === 0 && <Text>{includeCompleted ? "You have no follow-ups." : "Nothing to do: no open follow-ups."}</Text>}
      {tasks.data && tasks.data.items.length > 0 && <FollowUpTable items={tasks.data.items} withCustomer onDone={setNotice} />}
    </Stack>
  );
}
