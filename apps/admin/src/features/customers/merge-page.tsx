import { DEFAULT_MERGE_OPTIONS, MERGE_FIELDS, type MergeField, type MergeOptions } from "@clientele/domain";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Button, Card, Checkbox, Group, List, Radio, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { mergeCustomerRoute } from "../../router";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { ListStatus } from "../../ui/list-status";
import { StatusBadge } from "./status-badge";

type Customer = RouterOutputs["customers"]["get"];
type Address = Customer["contactInfo"]["billingAddress"] | null;

const address = (a: Address) => (a ? `${a.street}, ${a.zipCode} ${a.city}, ${a.country}` : "");
/** Each field the merge lets the caller choose, as the customer record shows it (typed by the domain's list, so a new one must be added here). */
const FIELD_VIEW: Record<MergeField, { label: string; of: (c: Customer) => string }> = {
  companyName: { label: "Name", of: (c) => c.profile.companyName },
  industry: { label: "Industry", of: (c) => c.profile.industry ?? "" },
  website: { label: "Website", of: (c) => c.contactInfo.website ?? "" },
  notes: { label: "Notes", of: (c) => c.profile.notes ?? "" },
  source: { label: "Source", of: (c) => c.profile.source ?? "" },
  socialMediaLinks: { label: "Social media", of: (c) => Object.values(c.profile.socialMediaLinks).filter(Boolean).join(", ") },
  primaryEmail: { label: "Primary email", of: (c) => c.contactInfo.primaryEmail },
  secondaryEmail: { label: "Secondary email", of: (c) => c.contactInfo.secondaryEmail ?? "" },
  primaryPhone: { label: "Primary phone", of: (c) => c.contactInfo.primaryPhone },
  secondaryPhone: { label: "Secondary phone", of: (c) => c.contactInfo.secondaryPhone ?? "" },
  billingAddress: { label: "Billing address", of: (c) => address(c.contactInfo.billingAddress) },
  shippingAddress: { label: "Shipping address", of: (c) => address(c.contactInfo.shippingAddress) },
};
const OPTION_LABELS: Record<keyof MergeOptions, string> = {
  contacts: "Contacts (one whose email the target has already stays behind)",
  communicationHistory: "Communication history and follow-ups",
  complaints: "Complaints",
  testimonials: "Testimonials",
};

/**
 * REQ-CUS-007: merges a duplicate (the source, deactivated with a pointer to the target) into the
 * customer that stays (the target). The customer this page was opened from is the target unless
 * swapped; the other is picked by search or comes prefilled from the duplicates queue.
 */
export function MergePage() {
  const { customerId } = mergeCustomerRoute.useParams();
  const prefilled = mergeCustomerRoute.useSearch().with;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const session = useSession();
  const cannot = missing(session?.roles ?? [], "customer:merge");
  const [otherId, setOtherId] = useState<string | null>(prefilled ?? null);
  const [thisIsTarget, setThisIsTarget] = useState(true);
  const [options, setOptions] = useState<MergeOptions>(DEFAULT_MERGE_OPTIONS);
  const [choices, setChoices] = useState<Partial<Record<MergeField, "source" | "target">>>({});
  const [text, setText] = useState("");
  const [query] = useDebouncedValue(text.trim(), 300);

  const self = useQuery(trpc.customers.get.queryOptions({ id: customerId }));
  const other = useQuery({ ...trpc.customers.get.queryOptions({ id: otherId ?? "" }), enabled: otherId !== null });
  const found = useQuery({ ...trpc.customers.search.queryOptions({ query, page: 1, pageSize: 20 }), enabled: query.length > 0 && otherId === null });
  const merge = useMutation({
    ...trpc.customers.merge.mutationOptions(),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries(trpc.customers.pathFilter());
      await queryClient.invalidateQueries(trpc.contacts.pathFilter());
      void navigate({ to: "/customers/$customerId", params: { customerId: result.targetCustomerId }, search: {} });
    },
  });

  const back = (
    <Text size="sm">
      <Link to="/customers">Customers</Link> / <Link to="/customers/$customerId" params={{ customerId }}>{self.data?.customerNumber ?? "customer"}</Link> / merge
    </Text>
  );
  if (cannot)
    return (
      <Stack>
        {back}
        <Alert color="yellow" title="You cannot merge customers" data-testid="merge-disabled">
          {cannot}
        </Alert>
      </Stack>
    );
  if (!self.data) return <ListStatus query={self} loadingLabel="Loading customer" errorTitle="The customer could not be loaded" />;

  const [source, target] = thisIsTarget ? [other.data, self.data] : [self.data, other.data];
  const problem = merge.error ? problemOf(merge.error) : null;
  const submit = () => {
    if (!source || !target) return;
    merge.mutate({ sourceCustomerId: source.id, targetCustomerId: target.id, mergeOptions: options, fieldChoices: choices });
  };

  return (
    <Stack>
      {back}
      <Title order={1} size="h2">
        Merge customers
      </Title>
      <Card withBorder component="section" aria-labelledby="pick-title">
        <Title order={2} size="h4" id="pick-title" mb="sm">
          The other customer
        </Title>
        {otherId === null ? (
          <Stack>
            <TextInput label="Find the other customer" placeholder="Name, email, phone, number" value={text} onChange={(e) => setText(e.currentTarget.value)} w={360} />
            {query && <ListStatus query={found} loadingLabel="Searching" errorTitle="The search failed" isEmpty={found.data?.items.length === 0} emptyText="No customer matches." />}
            {found.data && found.data.items.length > 0 && (
              <Stack gap="xs" data-testid="merge-candidates">
                {found.data.items
                  .filter((c) => c.id !== customerId)
                  .map((c) => (
                    <Group key={c.id} gap="sm">
                      <Button size="xs" variant="light" onClick={() => setOtherId(c.id)} aria-label={`Choose ${c.profile.companyName} (${c.customerNumber})`}>
                        Choose
                      </Button>
                      <Text size="sm">
                        {c.customerNumber} · {c.profile.companyName} · {c.contactInfo.primaryEmail}
                      </Text>
                      <StatusBadge status={c.status} size="sm" />
                    </Group>
                  ))}
              </Stack>
            )}
          </Stack>
        ) : (
          <Group>
            <ListStatus query={other} loadingLabel="Loading the other customer" errorTitle="The other customer could not be loaded" />
            {other.data && (
              <Text size="sm">
                {other.data.customerNumber} · {other.data.profile.companyName}
              </Text>
            )}
            <Button size="xs" variant="default" onClick={() => setOtherId(null)}>
              Choose another
            </Button>
          </Group>
        )}
      </Card>

      {source && target && (
        <>
          <Card withBorder component="section" aria-labelledby="compare-title">
            <Group justify="space-between" mb="sm">
              <Title order={2} size="h4" id="compare-title">
                Side by side: choose which value the merged customer keeps
              </Title>
              <Button size="xs" variant="default" onClick={() => setThisIsTarget(!thisIsTarget)}>
                Swap source and target
              </Button>
            </Group>
            <Table withTableBorder data-testid="merge-compare">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Field</Table.Th>
                  <Table.Th data-testid="merge-source">
                    Source (merged away): {source.customerNumber} {source.profile.companyName}
                  </Table.Th>
                  <Table.Th data-testid="merge-target">
                    Target (stays): {target.customerNumber} {target.profile.companyName}
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {MERGE_FIELDS.map((f) => {
                  const { label, of } = FIELD_VIEW[f];
                  const differ = of(source) !== of(target);
                  const side = choices[f] ?? "target";
                  return (
                    <Table.Tr key={f}>
                      <Table.Td>{label}</Table.Td>
                      {(["source", "target"] as const).map((s) => (
                        <Table.Td key={s}>
                          {differ ? (
                            <Radio
                              name={`field-${f}`}
                              checked={side === s}
                              onChange={() => setChoices({ ...choices, [f]: s })}
                              label={of(s === "source" ? source : target) || "—"}
                              aria-label={`${label}: keep the ${s}'s value`}
                            />
                          ) : (
                            <Text size="sm">{of(s === "source" ? source : target) || "—"}</Text>
                          )}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Card>
          <Card withBorder component="fieldset">
            <Text component="legend" fw={600}>
              What moves from the source to the target
            </Text>
            <Stack gap="xs">
              {(Object.keys(OPTION_LABELS) as (keyof MergeOptions)[]).map((o) => (
                <Checkbox key={o} label={OPTION_LABELS[o]} checked={options[o]} onChange={(e) => setOptions({ ...options, [o]: e.currentTarget.checked })} />
              ))}
              <Text size="sm" c="dimmed">
                Payments, refunds and event attendance always move; the target&apos;s lifetime value, events, segment and rating are recomputed from them.
              </Text>
            </Stack>
          </Card>
          {problem && (
            <Alert color="red" title={problem.status === 409 ? "These customers cannot be merged now" : "The merge was refused"} data-testid="merge-problem">
              {problem.message}
              {Object.keys(problem.fieldErrors).length > 0 && (
                <List size="sm">
                  {Object.entries(problem.fieldErrors).map(([field, messages]) => (
                    <List.Item key={field}>
                      {field}: {messages.join(", ")}
                    </List.Item>
                  ))}
                </List>
              )}
            </Alert>
          )}
          <Group>
            <Button color="red" onClick={submit} loading={merge.isPending}>
              Merge {source.customerNumber} into {target.customerNumber}
            </Button>
            <Text size="sm" c="dimmed">
              The source is deactivated and points to the target; the merge can be undone for 30 days.
            </Text>
          </Group>
        </>
      )}
    </Stack>
  );
}
