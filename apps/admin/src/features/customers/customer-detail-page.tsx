import type { RouterOutputs } from "@clientele/sdk";
import { canTransition } from "@clientele/domain";
import { Alert, Button, Card, Center, Grid, Group, List, Loader, SimpleGrid, Stack, Tabs, Text, Timeline, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { lazy, Suspense, useState, type ReactNode } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { customerDetailRoute } from "../../router";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { GuardedButton } from "../../ui/guarded-button";
import { EditSectionDialogFor, type EditSection } from "./customer-edit-dialogs";
import { STATUS_ACTIONS, StatusDialog, type StatusAction } from "./status-dialog";
import { StatusBadge } from "./status-badge";
import { CustomerChangedBanner } from "./customer-changed-banner";

const CommunicationsTab = lazy(() => import("../communications/communications-tab").then((m) => ({ default: m.CommunicationsTab })));
const ContactsTab = lazy(() => import("../contacts/contacts-tab").then((m) => ({ default: m.ContactsTab })));
const CustomerFollowUps = lazy(() => import("../tasks/customer-follow-ups").then((m) => ({ default: m.CustomerFollowUps })));
const CustomerComplaintsTab = lazy(() => import("../complaints/customer-complaints-tab").then((m) => ({ default: m.CustomerComplaintsTab })));
const CustomerTestimonialsTab = lazy(() => import("../testimonials/customer-testimonials-tab").then((m) => ({ default: m.CustomerTestimonialsTab })));
const ValueTab = lazy(() => import("../value/value-tab").then((m) => ({ default: m.ValueTab })));
const TransactionsTab = lazy(() => import("../value/transactions-tab").then((m) => ({ default: m.TransactionsTab })));
const AttendanceTab = lazy(() => import("../value/attendance-tab").then((m) => ({ default: m.AttendanceTab })));

type Customer = RouterOutputs["customers"]["get"];
type Address = Customer["contactInfo"]["billingAddress"];

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children ?? "—"}</Text>
    </div>
  );
}

const address = (a: Address | null) => (a ? `${a.street}, ${a.zipCode} ${a.city}${a.state ? `, ${a.state}` : ""}, ${a.country}` : null);

export function CustomerDetailPage() {
  const { customerId } = customerDetailRoute.useParams();
  const trpc = useTRPC();
  const navigate = useNavigate();
  const session = useSession();
  const roles = session?.roles ?? [];
  const customer = useQuery(trpc.customers.get.queryOptions({ id: customerId }));
  const history = useQuery(trpc.customers.history.queryOptions({ id: customerId }));
  const [statusAction, setStatusAction] = useState<StatusAction | null>(null);
  const [editing, setEditing] = useState<EditSection | null>(null);
  // The API's non-blocking warnings on the last save (e.g. a postal code not in its country's format).
  const [warnings, setWarnings] = useState<string[]>([]);
  // Deactivating soft-deletes: the API then answers 404 for the customer and lists omit it, so this
  // page keeps what reactivating needs (id, version) from the deactivation's answer.
  const [deactivated, setDeactivated] = useState<{ id: string; version: number } | null>(null);
  const [reactivating, setReactivating] = useState(false);

  if (deactivated)
    return (
      <Stack>
        <Alert color="gray" title="Customer deactivated" data-testid="customer-deactivated">
          It no longer appears in lists or searches. Reactivate it to bring it back.
        </Alert>
        <Group>
          <GuardedButton reason={missing(roles, "customer:update")} onClick={() => setReactivating(true)}>
            Reactivate
          </GuardedButton>
          <Button variant="default" component={Link} to="/customers">
            Back to customers
          </Button>
        </Group>
        {reactivating && <StatusDialog customer={deactivated} action="reactivate" onClose={() => setReactivating(false)} onDone={() => setDeactivated(null)} />}
      </Stack>
    );

  if (customer.isPending)
    return (
      <Center p="xl">
        <Loader aria-label="Loading customer" />
      </Center>
    );
  const merged = customer.error ? problemOf(customer.error).mergedInto : undefined;
  if (merged)
    return (
      <Stack>
        <Alert color="gray" title="Customer merged" data-testid="customer-merged">
          This customer was merged into another one, which now holds its records.
        </Alert>
        <Group>
          <Button onClick={() => void navigate({ to: "/customers/$customerId", params: { customerId: merged } })}>
            Open the customer it was merged into
          </Button>
          <Button variant="default" component={Link} to="/customers">
            Back to customers
          </Button>
        </Group>
      </Stack>
    );
  if (customer.error)
    return (
      <Alert color="red" title="The customer could not be loaded">
        {problemOf(customer.error).message}
      </Alert>
    );
  const c = customer.data;
  const cannotUpdate = missing(roles, "customer:update");
  // Archived is terminal: readable, never changed again.
  const cannotEdit = c.status === "Archived" ? "An archived customer cannot be changed." : cannotUpdate;
  const { profile, contactInfo, preferences } = c;
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Text size="sm">
            <Link to="/customers">Customers</Link> / {c.customerNumber}
          </Text>
          <Title order={1} size="h2">
            {profile.companyName}
          </Title>
        </div>
        <Group>
          <StatusBadge size="lg" status={c.status} data-testid="customer-status" />
          <GuardedButton reason={cannotEdit} onClick={() => setEditing("profile")}>
            Edit profile
          </GuardedButton>
          {(Object.keys(STATUS_ACTIONS) as StatusAction[])
            .filter((a) => a !== "reactivate" && canTransition(c.status, a))
            .map((a) => (
              <GuardedButton key={a} reason={missing(roles, STATUS_ACTIONS[a].privilege)} color={STATUS_ACTIONS[a].danger ? "red" : undefined} onClick={() => setStatusAction(a)}>
                {STATUS_ACTIONS[a].label}
              </GuardedButton>
            ))}
          {c.status === "Inactive" && (
            <GuardedButton reason={cannotUpdate} onClick={() => setStatusAction("reactivate")}>
              Reactivate
            </GuardedButton>
          )}
          {c.status !== "Archived" && (
            <GuardedButton reason={missing(roles, "customer:merge")} onClick={() => void navigate({ to: "/customers/$customerId/merge", params: { customerId: c.id } })}>
              Merge…
            </GuardedButton>
          )}
        </Group>
      </Group>
      <CustomerChangedBanner customerId={c.id} version={c.version} />
      {c.statusReason && <Alert color="gray" title={`Status: ${c.status}`} data-testid="status-reason">{c.statusReason}</Alert>}
      {warnings.length > 0 && (
        <Alert color="yellow" title="Saved, but please check" data-testid="save-warnings" withCloseButton closeButtonLabel="Dismiss" onClose={() => setWarnings([])}>
          <List size="sm">
            {warnings.map((w) => (
              <List.Item key={w}>{w}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Tabs defaultValue="overview" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="communications">Communications</Tabs.Tab>
          <Tabs.Tab value="contacts">Contacts</Tabs.Tab>
          <Tabs.Tab value="follow-ups">Follow-ups</Tabs.Tab>
          <Tabs.Tab value="complaints">Complaints</Tabs.Tab>
          <Tabs.Tab value="testimonials">Testimonials</Tabs.Tab>
          <Tabs.Tab value="value">Value</Tabs.Tab>
          <Tabs.Tab value="transactions">Transactions</Tabs.Tab>
          <Tabs.Tab value="attendance">Attendance</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <Card withBorder component="section" aria-labelledby="profile-title">
              <Title order={2} size="h4" id="profile-title" mb="sm">
                Profile
              </Title>
              <SimpleGrid cols={3}>
                <Field label="Type">{profile.type}</Field>
                <Field label="Segment">{profile.segment}</Field>
                <Field label="Rating">{profile.rating}</Field>
                <Field label="Industry">{profile.industry}</Field>
                <Field label="Lifetime value">{profile.lifetimeValue.toLocaleString()}</Field>
                <Field label="Source">{profile.source}</Field>
                <Field label="Tags">{c.tags.join(", ") || null}</Field>
                <Field label="Created">{new Date(c.createdAt).toLocaleString()}</Field>
                <Field label="Version">{c.version}</Field>
              </SimpleGrid>
              {profile.notes && <Field label="Notes">{profile.notes}</Field>}
            </Card>
            <Card withBorder component="section" aria-labelledby="contact-title">
              <Group justify="space-between" mb="sm">
                <Title order={2} size="h4" id="contact-title">
                  Contact info
                </Title>
                <GuardedButton size="xs" reason={cannotEdit} onClick={() => setEditing("contactInfo")}>
                  Edit contact info
                </GuardedButton>
              </Group>
              <SimpleGrid cols={2}>
                <Field label="Primary email">{`${contactInfo.primaryEmail}${contactInfo.emailVerified ? " (verified)" : ""}`}</Field>
                <Field label="Secondary email">{contactInfo.secondaryEmail}</Field>
                <Field label="Primary phone">{`${contactInfo.primaryPhone}${contactInfo.phoneVerified ? " (verified)" : ""}`}</Field>
                <Field label="Secondary phone">{contactInfo.secondaryPhone}</Field>
                <Field label="Website">{contactInfo.website}</Field>
              </SimpleGrid>
            </Card>
            <Card withBorder component="section" aria-labelledby="addresses-title">
              <Group justify="space-between" mb="sm">
                <Title order={2} size="h4" id="addresses-title">
                  Addresses
                </Title>
                <Group gap="xs">
                  <GuardedButton size="xs" reason={cannotEdit} onClick={() => setEditing("billingAddress")}>
                    Edit billing address
                  </GuardedButton>
                  <GuardedButton size="xs" reason={cannotEdit} onClick={() => setEditing("shippingAddress")}>
                    Edit shipping address
                  </GuardedButton>
                </Group>
              </Group>
              <SimpleGrid cols={2}>
                <Field label="Billing" testId="billing-address">{address(contactInfo.billingAddress)}</Field>
                <Field label="Shipping">{address(contactInfo.shippingAddress) ?? "Same as billing / none"}</Field>
              </SimpleGrid>
            </Card>
            <Card withBorder component="section" aria-labelledby="preferences-title">
              <Group justify="space-between" mb="sm">
                <Title order={2} size="h4" id="preferences-title">
                  Preferences and consent
                </Title>
                <GuardedButton size="xs" reason={cannotEdit} onClick={() => setEditing("preferences")}>
                  Edit preferences
                </GuardedButton>
              </Group>
              <SimpleGrid cols={3}>
                <Field label="Channels">{preferences.communication.channels.join(", ") || null}</Field>
                <Field label="Frequency">{preferences.communication.frequency}</Field>
                <Field label="Language / time zone">{`${preferences.preferredLanguage} / ${preferences.timeZone}`}</Field>
                <Field label="Marketing consent" testId="marketing-consent">{preferences.marketingConsent ? "Yes" : "No"}</Field>
                <Field label="Data processing consent">{preferences.dataProcessingConsent ? "Yes" : "No"}</Field>
                <Field label="Notifications">
                  {Object.entries(preferences.notifications)
                    .filter(([, on]) => on)
                    .map(([k]) => k)
                    .join(", ") || "none"}
                </Field>
              </SimpleGrid>
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder component="section" aria-labelledby="history-title">
            <Title order={2} size="h4" id="history-title" mb="sm">
              History
            </Title>
            {history.isPending && <Loader size="sm" aria-label="Loading history" />}
            {history.error && <Alert color="red">{problemOf(history.error).message}</Alert>}
            {history.data && history.data.items.length === 0 && <Text size="sm">No changes recorded.</Text>}
            {history.data && history.data.items.length > 0 && (
              <Timeline bulletSize={14} lineWidth={2}>
                {history.data.items.map((h, i) => (
                  <Timeline.Item key={`${h.occurredAt}-${i}`} title={h.action}>
                    <Text size="xs" c="dimmed">
                      {new Date(h.occurredAt).toLocaleString()} by {h.actorId}
                    </Text>
                    <Text size="xs">{Object.keys(h.changes).join(", ")}</Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            )}
          </Card>
        </Grid.Col>
      </Grid>
        </Tabs.Panel>
        <Tabs.Panel value="communications">
          <Suspense fallback={<Loader size="sm" aria-label="Loading communications" />}>
            <CommunicationsTab customer={c} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="contacts">
          <Suspense fallback={<Loader size="sm" aria-label="Loading contacts" />}>
            <ContactsTab customerId={c.id} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="follow-ups">
          <Suspense fallback={<Loader size="sm" aria-label="Loading follow-ups" />}>
            <CustomerFollowUps customerId={c.id} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="complaints">
          <Suspense fallback={<Loader size="sm" aria-label="Loading complaints" />}>
            <CustomerComplaintsTab customerId={c.id} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="testimonials">
          <Suspense fallback={<Loader size="sm" aria-label="Loading testimonials" />}>
            <CustomerTestimonialsTab customerId={c.id} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="value">
          <Suspense fallback={<Loader size="sm" aria-label="Loading value" />}>
            <ValueTab customer={c} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="transactions">
          <Suspense fallback={<Loader size="sm" aria-label="Loading transactions" />}>
            <TransactionsTab customerId={c.id} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="attendance">
          <Suspense fallback={<Loader size="sm" aria-label="Loading attendance" />}>
            <AttendanceTab customerId={c.id} />
          </Suspense>
        </Tabs.Panel>
      </Tabs>
      {statusAction && (
        <StatusDialog
          customer={c}
          action={statusAction}
          onClose={() => setStatusAction(null)}
          onDone={(result) => setDeactivated(statusAction === "deactivate" ? result : null)}
        />
      )}
      {editing && <EditSectionDialogFor section={editing} customer={c} onClose={() => setEditing(null)} onSaved={setWarnings} />}
    </Stack>
  );
}
