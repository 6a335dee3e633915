import type { RouterOutputs } from "@clientele/sdk";
import { can } from "@clientele/domain/authz";
import { Alert, Badge, Button, Card, Grid, Group, List, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";
import { LoyaltyRecalculation } from "./loyalty-recalculation";
import { LtvChart } from "./ltv-chart";
import { displayMoney } from "./money-display";
import { ClearOverrideDialog, RatingOverrideDialog, SegmentOverrideDialog } from "./override-dialogs";
import { invalidateCustomerValue } from "./value-queries";

type Customer = RouterOutputs["customers"]["get"];
type Dialog = "segment" | "clear-segment" | "rating" | "clear-rating" | null;

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "—");

function Figure({ label, testId, children, extra }: { label: string; testId: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={600} data-testid={testId}>
        {children}
      </Text>
      {extra}
    </div>
  );
}

const FACTOR_LABELS: Record<string, string> = {
  paymentsTotal: "Payments",
  latePayments: "Late payments",
  failedPayments: "Failed payments",
  eventsAttended: "Events attended",
  complaints: "Complaints (24 months)",
  positiveTestimonials: "Positive testimonials",
  negativeTestimonials: "Negative testimonials",
};

/**
 * The customer's value (issue 12): lifetime value exactly as the API gives it, its trend, total
 * events, segment (and who overrode it), rating with the factors that decided it, loyalty tier,
 * inactivity, and their histories. Override actions only for roles that hold the privilege.
 */
export function ValueTab({ customer }: { customer: Customer }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = useSession()?.roles ?? [];
  const customerId = customer.id;
  const value = useQuery(trpc.transactions.value.queryOptions({ customerId }));
  const rating = useQuery(trpc.rating.get.queryOptions({ customerId }));
  const loyalty = useQuery(trpc.loyalty.forCustomer.queryOptions({ customerId }));
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
  };
  // The worker recalculates after each significant event; this is the manager's "now".
  const recalculate = useMutation({
    ...trpc.rating.recalculate.mutationOptions(),
    onSuccess: async (next) => {
      await invalidateCustomerValue(queryClient, trpc);
      setNotice(`Rating recalculated: ${next.calculatedRating}${next.override ? ` (the override ${next.override.rating} still shows)` : ""}.`);
    },
  });
  const mayOverrideSegment = can(roles, "segment:override");
  const mayOverrideRating = can(roles, "rating:override");
  const mayRecalculateLoyalty = can(roles, "loyalty:recalculate");
  const v = value.data;
  const r = rating.data;
  const l = loyalty.data;
  const inactivity = customer.inactivity;
  return (
    <Stack>
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="value-notice" />
      <ListStatus query={value} loadingLabel="Loading value" errorTitle="The customer's value could not be loaded" />
      {v && (
        <Card withBorder component="section" aria-labelledby="value-title">
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h4" id="value-title">
              Value
            </Title>
            {mayOverrideSegment && (
              <Group gap="xs">
                <Button size="xs" variant="light" onClick={() => setDialog("segment")}>
                  Override segment
                </Button>
                {v.segmentOverride && (
                  <Button size="xs" variant="light" color="red" onClick={() => setDialog("clear-segment")}>
                    Clear segment override
                  </Button>
                )}
              </Group>
            )}
          </Group>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Figure label={`Lifetime value (${v.baseCurrency})`} testId="value-ltv">
              {displayMoney(v.lifetimeValue)}
            </Figure>
            <Figure label="Total events attended" testId="value-total-events">
              {v.totalEvents}
            </Figure>
            <Figure
              label="Segment"
              testId="value-segment"
              extra={
                v.segmentOverride ? (
                  <Text size="xs" data-testid="segment-override">
                    <Badge size="xs" variant="light" color="indigo" mr={4}>
                      Override
                    </Badge>
                    {v.segmentOverride.reason} — {v.segmentOverride.by}, {when(v.segmentOverride.at)}; the tier rule gives {v.ruleSegment}
                  </Text>
                ) : (
                  <Text size="xs" c="dimmed">
                    by the tier rule
                  </Text>
                )
              }
            >
              {v.segment}
            </Figure>
            <Figure
              label="Inactivity"
              testId="value-inactivity"
              extra={
                inactivity && (
                  <Text size="xs">
                    last activity {when(inactivity.lastActivityAt)}, flagged {when(inactivity.since)}
                  </Text>
                )
              }
            >
              {inactivity ? (
                <Badge variant="light" color={inactivity.flag === "Review" ? "red" : "grape"} data-testid="inactivity-flag">
                  {inactivity.flag === "Review" ? "Review (over 24 months)" : "Inactive risk"}
                </Badge>
              ) : (
                "Active"
              )}
            </Figure>
          </SimpleGrid>
          <Title order={3} size="h5" mt="md" mb="xs">
            Lifetime value, last 90 days
          </Title>
          <LtvChart daily={v.history.daily} changes={v.history.changes} currency={v.baseCurrency} />
        </Card>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder component="section" aria-labelledby="rating-title" h="100%">
            <Group justify="space-between" mb="sm">
              <Title order={2} size="h4" id="rating-title">
                Rating
              </Title>
              {mayOverrideRating && r && (
                <Group gap="xs">
                  <Button size="xs" variant="default" loading={recalculate.isPending} onClick={() => recalculate.mutate({ customerId })}>
                    Recalculate
                  </Button>
                  <Button size="xs" variant="light" onClick={() => setDialog("rating")}>
                    Override rating
                  </Button>
                  {r.override && (
                    <Button size="xs" variant="light" color="red" onClick={() => setDialog("clear-rating")}>
                      Clear rating override
                    </Button>
                  )}
                </Group>
              )}
            </Group>
            <ListStatus query={rating} loadingLabel="Loading rating" errorTitle="The rating could not be loaded" />
            {recalculate.error && (
              <Alert color="red" title="The rating was not recalculated">
                {problemOf(recalculate.error).message}
              </Alert>
            )}
            {r && (
              <Stack gap="xs">
                <Group gap="xs">
                  <Text size="lg" fw={600} data-testid="value-rating">
                    {r.rating}
                  </Text>
                  {r.override && (
                    <Badge size="sm" variant="light" color="indigo" data-testid="rating-override">
                      Override (calculated: {r.calculatedRating})
                    </Badge>
                  )}
                </Group>
                {r.override && (
                  <Text size="xs">
                    {r.override.reason} — {r.override.by}, {when(r.override.at)}
                  </Text>
                )}
                <Text size="sm">
                  Decided by the rule <strong>{r.decision.rule}</strong>; payment history {r.decision.paymentHistory}.
                </Text>
                {r.decision.reasons.length > 0 && (
                  <List size="sm" data-testid="rating-reasons">
                    {r.decision.reasons.map((reason) => (
                      <List.Item key={reason}>{reason}</List.Item>
                    ))}
                  </List>
                )}
                <Table aria-label="Rating factors" data-testid="rating-factors">
                  <TableHead columns={["Factor", "Count"]} />
                  <Table.Tbody>
                    {Object.entries(r.decision.factors).map(([k, n]) => (
                      <Table.Tr key={k}>
                        <Table.Td>{FACTOR_LABELS[k] ?? k}</Table.Td>
                        <Table.Td>{n}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Stack>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder component="section" aria-labelledby="loyalty-title" h="100%">
            <Title order={2} size="h4" id="loyalty-title" mb="sm">
              Loyalty
            </Title>
            <ListStatus query={loyalty} loadingLabel="Loading loyalty" errorTitle="The loyalty tier could not be loaded" />
            {l && (
              <Stack gap="xs">
                <Text size="lg" fw={600} data-testid="value-loyalty-tier">
                  {l.tier ?? "Not yet calculated"}
                </Text>
                <Text size="sm">
                  {l.since ? `Since ${when(l.since)}; s` : "S"}pend in the last 12 months {displayMoney(l.trailingSpend)}
                  {v ? ` ${v.baseCurrency}` : ""}.
                </Text>
                <Text size="xs" c="dimmed">
                  Tiers: {l.tiers.map((t) => `${t.name} from ${displayMoney(t.minSpend)}`).join(", ")}. Recalculated monthly.
                </Text>
                {mayRecalculateLoyalty && <LoyaltyRecalculation />}
                <Title order={3} size="h5">
                  Tier history
                </Title>
                {l.history.length === 0 ? (
                  <Text size="sm">No tier changes yet.</Text>
                ) : (
                  <Table aria-label="Loyalty tier history" data-testid="loyalty-history">
                    <TableHead columns={["When", "Change", "12-month spend"]} />
                    <Table.Tbody>
                      {l.history.map((h) => (
                        <Table.Tr key={`${h.runId}-${h.changedAt}`}>
                          <Table.Td>{when(h.changedAt)}</Table.Td>
                          <Table.Td>
                            {h.from ?? "none"} → {h.to}
                          </Table.Td>
                          <Table.Td>{displayMoney(h.spend)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Stack>
            )}
          </Card>
        </Grid.Col>
      </Grid>
      {v && (
        <Card withBorder component="section" aria-labelledby="segment-history-title">
          <Title order={2} size="h4" id="segment-history-title" mb="sm">
            Segment history
          </Title>
          {v.segmentHistory.length === 0 ? (
            <Text size="sm">The segment has not changed.</Text>
          ) : (
            <Table aria-label="Segment history" data-testid="segment-history">
              <TableHead columns={["When", "Change", "Why", "Note", "By"]} />
              <Table.Tbody>
                {v.segmentHistory.map((h, i) => (
                  <Table.Tr key={`${h.changedAt}-${i}`}>
                    <Table.Td>{when(h.changedAt)}</Table.Td>
                    <Table.Td>
                      {h.from} → {h.to}
                    </Table.Td>
                    <Table.Td>{h.reason === "auto" ? "lifetime value" : h.reason === "override" ? "override" : "override cleared"}</Table.Td>
                    <Table.Td>{h.note ?? "—"}</Table.Td>
                    <Table.Td>{h.changedBy}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      )}
      {r && (
        <Card withBorder component="section" aria-labelledby="rating-history-title">
          <Title order={2} size="h4" id="rating-history-title" mb="sm">
            Rating history
          </Title>
          {r.history.length === 0 ? (
            <Text size="sm">The rating has not been calculated yet.</Text>
          ) : (
            <Table aria-label="Rating history" data-testid="rating-history">
              <TableHead columns={["When", "Shown", "Calculated", "Change", "Why", "By"]} />
              <Table.Tbody>
                {r.history.map((h, i) => (
                  <Table.Tr key={`${h.changedAt}-${i}`}>
                    <Table.Td>{when(h.changedAt)}</Table.Td>
                    <Table.Td>{h.rating}</Table.Td>
                    <Table.Td>{h.calculatedRating}</Table.Td>
                    <Table.Td>{h.change}</Table.Td>
                    <Table.Td>{h.reason ?? h.rule ?? "—"}</Table.Td>
                    <Table.Td>{h.changedBy}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      )}
      {dialog === "segment" && v && <SegmentOverrideDialog customerId={customerId} current={v.segment} version={v.version} onClose={() => setDialog(null)} onDone={done} />}
      {dialog === "clear-segment" && v && <ClearOverrideDialog kind="segment" customerId={customerId} version={v.version} onClose={() => setDialog(null)} onDone={done} />}
      {dialog === "rating" && r && <RatingOverrideDialog customerId={customerId} current={r.rating} onClose={() => setDialog(null)} onDone={done} />}
      {dialog === "clear-rating" && r && <ClearOverrideDialog kind="rating" customerId={customerId} version={r.version} onClose={() => setDialog(null)} onDone={done} />}
    </Stack>
  );
}
