import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Button, Card, Center, Grid, Group, Loader, Modal, SimpleGrid, Stack, Tabs, Text, Textarea, TextInput, Timeline, Title, Tooltip } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useState, type ReactNode } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { customerDetailRoute } from "../../router";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { StatusDialog } from "./status-dialog";
import { StatusBadge } from "./status-badge";
import { CustomerChangedBanner } from "./customer-changed-banner";

const CommunicationsTab = lazy(() => import("../communications/communications-tab").then((m) => ({ default: m.CommunicationsTab })));
const ContactsTab = lazy(() => import("../contacts/contacts-tab").then((m) => ({ default: m.ContactsTab })));
const CustomerFollowUps = lazy(() => import("../tasks/customer-follow-ups").then((m) => ({ default: m.CustomerFollowUps })));
const CustomerComplaintsTab = lazy(() => import("../complaints/customer-complaints-tab").then((m) => ({ default: m.CustomerComplaintsTab })));
const CustomerTestimonialsTab = lazy(() => import("../testimonials/customer-testimonials-tab").then((m) => ({ default: m.CustomerTestimonialsTab })));

type Customer = RouterOutputs["customers"]["get"];
type Address = Customer["contactInfo"]["billingAddress"];

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children ?? "—"}</Text>
    </div>
  );
}

const address = (a: Address | null) => (a ? `${a.street}, ${a.zipCode} ${a.city}${a.state ? `, ${a.state}` : ""}, ${a.country}` : null);

/** A button the role may lack: shown disabled with the reason instead of failing with a 403. */
function Guarded({ reason, children, onClick, color }: { reason: string | null; children: ReactNode; onClick: () => void; color?: string }) {
  if (reason)
    return (
      <Tooltip label={reason}>
        <Button variant="light" disabled data-disabled-reason={reason}>
          {children}
        </Button>
      </Tooltip>
    );
  return (
    <Button variant="light" color={color} onClick={onClick}>
      {children}
    </Button>
  );
}

export function CustomerDetailPage() {
  const { customerId } = customerDetailRoute.useParams();
  const trpc = useTRPC();
  const session = useSession();
  const roles = session?.roles ?? [];
  const customer = useQuery(trpc.customers.get.queryOptions({ id: customerId }));
  const history = useQuery(trpc.customers.history.queryOptions({ id: customerId }));
  const [statusAction, setStatusAction] = useState<"deactivate" | "reactivate" | null>(null);
  const [editing, setEditing] = useState(false);
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
          <Guarded reason={missing(roles, "customer:update")} onClick={() => setReactivating(true)}>
            Reactivate
          </Guarded>
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
  if (customer.error)
    return (
      <Alert color="red" title="The customer could not be loaded">
        {problemOf(customer.error).message}
      </Alert>
    );
  const c = customer.data;
  const cannotUpdate = missing(roles, "customer:update");
  const cannotDelete = missing(roles, "customer:delete");
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
          <Guarded reason={cannotUpdate} onClick={() => setEditing(true)}>
            Edit profile
          </Guarded>
          {c.status === "Active" && (
            <Guarded reason={cannotDelete} color="red" onClick={() => setStatusAction("deactivate")}>
              Deactivate
            </Guarded>
          )}
          {c.status === "Inactive" && (
            <Guarded reason={cannotUpdate} onClick={() => setStatusAction("reactivate")}>
              Reactivate
            </Guarded>
          )}
        </Group>
      </Group>
      <CustomerChangedBanner customerId={c.id} version={c.version} />
      {c.statusReason && <Alert color="gray" title={`Status: ${c.status}`}>{c.statusReason}</Alert>}
      <Tabs defaultValue="overview" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="communications">Communications</Tabs.Tab>
          <Tabs.Tab value="contacts">Contacts</Tabs.Tab>
          <Tabs.Tab value="follow-ups">Follow-ups</Tabs.Tab>
          <Tabs.Tab value="complaints">Complaints</Tabs.Tab>
          <Tabs.Tab value="testimonials">Testimonials</Tabs.Tab>
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
              <Title order={2} size="h4" id="contact-title" mb="sm">
                Contact info
              </Title>
              <SimpleGrid cols={2}>
                <Field label="Primary email">{`${contactInfo.primaryEmail}${contactInfo.emailVerified ? " (verified)" : ""}`}</Field>
                <Field label="Secondary email">{contactInfo.secondaryEmail}</Field>
                <Field label="Primary phone">{`${contactInfo.primaryPhone}${contactInfo.phoneVerified ? " (verified)" : ""}`}</Field>
                <Field label="Secondary phone">{contactInfo.secondaryPhone}</Field>
                <Field label="Website">{contactInfo.website}</Field>
              </SimpleGrid>
            </Card>
            <Card withBorder component="section" aria-labelledby="addresses-title">
              <Title order={2} size="h4" id="addresses-title" mb="sm">
                Addresses
              </Title>
              <SimpleGrid cols={2}>
                <Field label="Billing">{address(contactInfo.billingAddress)}</Field>
                <Field label="Shipping">{address(contactInfo.shippingAddress) ?? "Same as billing / none"}</Field>
              </SimpleGrid>
            </Card>
            <Card withBorder component="section" aria-labelledby="preferences-title">
              <Title order={2} size="h4" id="preferences-title" mb="sm">
                Preferences and consent
              </Title>
              <SimpleGrid cols={3}>
                <Field label="Channels">{preferences.communication.channels.join(", ") || null}</Field>
                <Field label="Frequency">{preferences.communication.frequency}</Field>
                <Field label="Language / time zone">{`${preferences.preferredLanguage} / ${preferences.timeZone}`}</Field>
                <Field label="Marketing consent">{preferences.marketingConsent ? "Yes" : "No"}</Field>
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
      </Tabs>
      {statusAction && (
        <StatusDialog
          customer={c}
          action={statusAction}
          onClose={() => setStatusAction(null)}
          onDone={(result) => setDeactivated(statusAction === "deactivate" ? result : null)}
        />
      )}
      {editing && <EditProfileDialog customer={c} onClose={() => setEditing(false)} />}
    </Stack>
  );
}

type ProfileForm = { companyName: string; industry: string; notes: string };
const formOf = (c: Customer): ProfileForm => ({ companyName: c.profile.companyName, industry: c.profile.industry ?? "", notes: c.profile.notes ?? "" });
const LABELS: Record<keyof ProfileForm, string> = { companyName: "Name", industry: "Industry", notes: "Notes" };

/**
 * Edits with optimistic concurrency: the save carries the version this form was opened on; a 409
 * (someone saved in between) opens the conflict dialog with what they changed, to reload or re-apply.
 */
function EditProfileDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const individual = customer.profile.type === "Individual";
  const [base, setBase] = useState(customer);
  const [form, setForm] = useState<ProfileForm>(formOf(customer));
  const [conflict, setConflict] = useState<Customer | null>(null);
  const save = useMutation({
    ...trpc.customers.updateProfile.mutationOptions(),
    onSuccess: async () => {
      await queryClient.invalidateQueries(trpc.customers.pathFilter());
      onClose();
    },
    onError: async (error) => {
      if (problemOf(error).status === 409) setConflict(await queryClient.fetchQuery({ ...trpc.customers.get.queryOptions({ id: customer.id }), staleTime: 0 }));
    },
  });
  const changed = (Object.keys(form) as (keyof ProfileForm)[]).filter((k) => form[k] !== formOf(base)[k]);
  const send = (on: Customer) =>
    save.mutate({
      id: on.id,
      version: on.version,
      ...(changed.includes("companyName") && !individual ? { companyName: form.companyName } : {}),
      ...(changed.includes("industry") ? { industry: form.industry || null } : {}),
      ...(changed.includes("notes") ? { notes: form.notes || null } : {}),
    });
  const problem = save.error ? problemOf(save.error) : null;
  const field = (k: keyof ProfileForm) => ({
    label: LABELS[k],
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }),
    error: problem?.fieldErrors[k]?.join(", "),
  });
  const theirs = conflict ? (Object.keys(LABELS) as (keyof ProfileForm)[]).filter((k) => formOf(conflict)[k] !== formOf(base)[k]) : [];
  return (
    <>
      <Modal opened={!conflict} onClose={onClose} title="Edit profile">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            send(base);
          }}
        >
          <Stack>
            {!individual && <TextInput {...field("companyName")} />}
            <TextInput {...field("industry")} />
            <Textarea {...field("notes")} autosize minRows={2} />
            {problem && problem.status !== 409 && <Alert color="red">{problem.message}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending} disabled={changed.length === 0}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <Modal opened={conflict !== null} onClose={() => setConflict(null)} title="Someone else changed this customer">
        {conflict && (
          <Stack>
            <Text size="sm">
              Version {base.version} you opened is now version {conflict.version}. {theirs.length ? "They changed:" : "They changed fields outside this form."}
            </Text>
            {theirs.map((k) => (
              <Text size="sm" key={k} data-testid="conflict-change">
                {LABELS[k]}: “{formOf(base)[k]}” → “{formOf(conflict)[k]}”
              </Text>
            ))}
            <Text size="sm">Your changes: {changed.map((k) => LABELS[k]).join(", ")}.</Text>
            <Group justify="flex-end">
              <Button
                variant="default"
                onClick={async () => {
                  await queryClient.invalidateQueries(trpc.customers.pathFilter());
                  onClose();
                }}
              >
                Reload (discard my changes)
              </Button>
              <Button
                onClick={() => {
                  setBase(conflict);
                  setConflict(null);
                  send(conflict);
                }}
              >
                Re-apply my changes
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
