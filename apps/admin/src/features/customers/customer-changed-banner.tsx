import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Button, Group, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useResubscribe, type LiveItem } from "../../live/live";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";

type Change = Extract<LiveItem<RouterOutputs["live"]["customer"]>["data"], { kind: "changed" }>;

// "CustomerContactInfoUpdated" → "contact info updated".
const describe = (type: string) =>
  type
    .replace(/^Customer/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();

/**
 * Says when someone else changed the customer on screen (live.customer), with a Reload that
 * fetches it again. Shown while the change is newer than the version displayed, so it goes away
 * once the page shows it, and this tab's own saves (same user) never raise it.
 */
export function CustomerChangedBanner({ customerId, version }: { customerId: string; version: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const [change, setChange] = useState<Change | null>(null);
  const sub = useSubscription(
    trpc.live.customer.subscriptionOptions(
      { customerId },
      {
        onData: ({ data }) => {
          if (data.kind === "changed" && data.actor !== session?.userId) setChange(data);
        },
      },
    ),
  );
  useResubscribe(sub);
  if (!change || (change.version !== 0 && change.version <= version)) return null;
  const reload = async () => {
    await queryClient.invalidateQueries(trpc.customers.pathFilter());
    setChange(null);
  };
  return (
    <Alert color="blue" title="This customer was changed by someone else" data-testid="customer-changed-banner">
      <Group justify="space-between">
        <Text size="sm">
          {change.actor} made a change ({describe(change.type)}) at {new Date(change.occurredAt).toLocaleTimeString()}. What you see is out of date.
        </Text>
        <Button size="xs" onClick={() => void reload()}>
          Reload
        </Button>
      </Group>
    </Alert>
  );
}
