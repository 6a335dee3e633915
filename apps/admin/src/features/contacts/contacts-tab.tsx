import { ZAddContactInput, ZUpdateContactInput } from "@clientele/api/contact-schemas";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Badge, Card, Checkbox, CloseButton, Group, Modal, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf, type Problem } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { FormActions } from "../../ui/form-actions";
import { GuardedButton } from "../../ui/guarded-button";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";
import { ContactTransferActions } from "../transfer/contact-transfer-actions";

type Contact = RouterOutputs["contacts"]["list"]["items"][number];

const fullName = (c: Contact) => `${c.firstName} ${c.lastName}`;

/**
 * Field messages from zod issues (live) or the API's problem, keyed by the input's field name; the
 * API's message for a field goes once that field is edited (`edited`), until the next save answers.
 */
function fieldMessages(issues: readonly { path: PropertyKey[]; message: string }[], problem: Problem | null, edited: (field: string) => boolean): Record<string, string> {
  const out: Record<string, string[]> = {};
  for (const i of issues) (out[String(i.path[0])] ??= []).push(i.message);
  for (const [k, m] of Object.entries(problem?.fieldErrors ?? {})) {
    const field = k.split(".")[0] ?? k;
    if (!edited(field)) (out[field] ??= []).push(...m);
  }
  return Object.fromEntries(Object.entries(out).map(([k, m]) => [k, m.join(", ")]));
}

/** The customer detail's Contacts tab: the active contacts (optionally with a tag), and the writes customer:update grants. */
export function ContactsTab({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = useSession()?.roles ?? [];
  const cannot = missing(roles, "customer:update");
  const [tagFilter, setTagFilter] = useState("");
  // One request once typing pauses; the current rows stay until the filtered ones arrive.
  const [filter] = useDebouncedValue(tagFilter.trim(), 250);
  const list = useQuery({ ...trpc.contacts.list.queryOptions({ customerId, ...(filter ? { tag: filter } : {}) }), placeholderData: keepPreviousData });
  const [editing, setEditing] = useState<Contact | "new" | null>(null);
  const [tagging, setTagging] = useState<Contact | null>(null);
  const [removing, setRemoving] = useState<Contact | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries(trpc.contacts.pathFilter());
  // The notice follows the reload, so when it shows the list already says what it announces.
  const done = (message: string) => async () => {
    await refresh();
    setNotice(message);
  };
  // Row actions without a form: their problem shows above the table (a 409 also reloads the list).
  const reloadOnConflict = useReloadOnConflict();
  const onRowError = async (error: unknown) => {
    setNotice(null);
    await reloadOnConflict(error);
  };
  const makePrimary = useMutation({ ...trpc.contacts.update.mutationOptions(), onError: onRowError });
  const untag = useMutation({ ...trpc.contacts.untag.mutationOptions(), onError: onRowError });
  const rowProblem = [makePrimary.error, untag.error].find(Boolean);

  const dialogDone = (message: string) => async () => {
    setEditing(null);
    setTagging(null);
    setRemoving(null);
    await done(message)();
  };

  return (
    <Card withBorder component="section" aria-labelledby="contacts-title">
      <Stack>
        <Group justify="space-between" align="flex-end">
          <Title order={2} size="h4" id="contacts-title">
            Contacts
          </Title>
          <Group align="flex-end">
            <TextInput label="Filter by tag" size="xs" value={tagFilter} onChange={(e) => setTagFilter(e.currentTarget.value)} />
            <GuardedButton reason={cannot} onClick={() => setEditing("new")}>
              Add contact
            </GuardedButton>
            <ContactTransferActions customerId={customerId} />
          </Group>
        </Group>
        {cannot && (
          <Text size="sm" c="dimmed" data-testid="contacts-read-only">
            Read only: {cannot}
          </Text>
        )}
        <Notice message={notice} onDismiss={() => setNotice(null)} role="status" data-testid="contacts-notice" />
        {rowProblem && (
          <Alert color="red" title="The contact was not changed" data-testid="contacts-problem">
            {problemOf(rowProblem).message}
          </Alert>
        )}
        <ListStatus
          query={list}
          loadingLabel="Loading contacts"
          errorTitle="The contacts could not be loaded"
          isEmpty={list.data?.items.length === 0}
          emptyText={filter ? `No contact is tagged “${filter}”.` : "No contacts yet."}
        />
        {list.data && list.data.items.length > 0 && (
          <Table striped aria-label="Contacts" data-testid="contacts-table">
            <TableHead columns={["Name", "Email", "Phone", "Position", "Tags", "Actions"]} />
            <Table.Tbody>
              {list.data.items.map((c) => (
                <Table.Tr key={c.id} data-testid="contact-row" data-contact-email={c.email}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text size="sm">{fullName(c)}</Text>
                      {c.isPrimary && (
                        <Badge size="sm" color="blue" data-testid="primary-badge">
                          Primary
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{c.email}</Table.Td>
                  <Table.Td>{c.phone ?? "—"}</Table.Td>
                  <Table.Td>{c.position ?? "—"}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {c.tags.map((t) => (
                        <Badge
                          key={t}
                          variant="outline"
                          data-testid="contact-tag"
                          rightSection={
                            cannot ? null : (
                              <CloseButton
                                size="xs"
                                aria-label={`Remove tag ${t} from ${fullName(c)}`}
                                onClick={() => untag.mutate({ customerId, contactId: c.id, tag: t }, { onSuccess: done(`Tag “${t}” removed from ${fullName(c)}.`) })}
                              />
                            )
                          }
                        >
                          {t}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <GuardedButton size="xs" reason={cannot} onClick={() => setEditing(c)} aria-label={`Edit ${fullName(c)}`}>
                        Edit
                      </GuardedButton>
                      {!c.isPrimary && (
                        <GuardedButton
                          size="xs"
                          reason={cannot}
                          loading={makePrimary.isPending && makePrimary.variables.contactId === c.id}
                          aria-label={`Make primary: ${fullName(c)}`}
                          onClick={() =>
                            makePrimary.mutate({ customerId, contactId: c.id, version: c.version, isPrimary: true }, { onSuccess: done(`${fullName(c)} is now the primary contact.`) })
                          }
                        >
                          Make primary
                        </GuardedButton>
                      )}
                      <GuardedButton size="xs" reason={cannot} onClick={() => setTagging(c)} aria-label={`Tag ${fullName(c)}`}>
                        Tag
                      </GuardedButton>
                      <GuardedButton size="xs" color="red" reason={cannot} onClick={() => setRemoving(c)} aria-label={`Remove ${fullName(c)}`}>
                        Remove
                      </GuardedButton>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {editing && (
        <ContactDialog
          customerId={customerId}
          contact={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onDone={dialogDone(editing === "new" ? "Contact added." : `${fullName(editing)} saved.`)}
        />
      )}
      {tagging && <TagDialog customerId={customerId} contact={tagging} onClose={() => setTagging(null)} onDone={dialogDone(`${fullName(tagging)} tagged.`)} />}
      {removing && <RemoveDialog customerId={customerId} contact={removing} onClose={() => setRemoving(null)} onDone={dialogDone(`${fullName(removing)} removed.`)} />}
    </Card>
  );
}

/** A 409 (someone changed the contact since it was listed): the list reloads behind the dialog, which keeps the values and shows the API's detail. */
function useReloadOnConflict() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return async (error: unknown) => {
    if (problemOf(error).status === 409) await queryClient.invalidateQueries(trpc.contacts.pathFilter());
  };
}

type Form = { firstName: string; lastName: string; email: string; phone: string; position: string; tags: string; isPrimary: boolean };
const formOf = (c: Contact | null): Form => ({
  firstName: c?.firstName ?? "",
  lastName: c?.lastName ?? "",
  email: c?.email ?? "",
  phone: c?.phone ?? "",
  position: c?.position ?? "",
  tags: "",
  isPrimary: false,
});
const TEXT_FIELDS = ["firstName", "lastName", "email", "phone", "position"] as const;
const LABELS: Record<(typeof TEXT_FIELDS)[number], string> = { firstName: "First name", lastName: "Last name", email: "Email", phone: "Phone", position: "Position" };
const nullable = (k: string, v: string) => (k === "phone" || k === "position") && v.trim() === "";

/** Add (contact null) or edit: validated with the API's schema as typed, the API's field messages inline, values kept on failure. */
function ContactDialog({ customerId, contact, onClose, onDone }: { customerId: string; contact: Contact | null; onClose: () => void; onDone: () => Promise<void> }) {
  const trpc = useTRPC();
  const [form, setForm] = useState<Form>(formOf(contact));
  const [submitted, setSubmitted] = useState(false);
  const [sent, setSent] = useState<Form | null>(null);
  const reloadOnConflict = useReloadOnConflict();
  const add = useMutation({ ...trpc.contacts.add.mutationOptions(), onSuccess: onDone });
  const update = useMutation({ ...trpc.contacts.update.mutationOptions(), onSuccess: onDone, onError: reloadOnConflict });
  const base = formOf(contact);
  const changed = TEXT_FIELDS.filter((k) => form[k] !== base[k]);
  const values = Object.fromEntries(changed.map((k) => [k, nullable(k, form[k]) ? null : form[k].trim()]));
  const tags = form.tags
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const updating = contact ? ZUpdateContactInput.safeParse({ customerId, contactId: contact.id, version: contact.version, ...values }) : null;
  const adding = contact
    ? null
    : ZAddContactInput.safeParse({ customerId, ...values, firstName: form.firstName, lastName: form.lastName, email: form.email, isPrimary: form.isPrimary, ...(tags.length ? { tags } : {}) });
  const mutation = contact ? update : add;
  const problem = mutation.error ? problemOf(mutation.error) : null;
  const errors = fieldMessages((updating ?? adding)?.error?.issues ?? [], problem, (k) => sent !== null && k in form && sent[k as keyof Form] !== form[k as keyof Form]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setSent(form);
    if (updating?.success) update.mutate(updating.data);
    if (adding?.success) add.mutate(adding.data);
  };
  const field = (k: (typeof TEXT_FIELDS)[number], required: boolean) => ({
    label: LABELS[k],
    required,
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }),
    error: submitted || problem ? errors[k] : undefined,
  });
  return (
    <Modal opened onClose={onClose} title={contact ? `Edit ${fullName(contact)}` : "Add contact"}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput {...field("firstName", true)} />
            <TextInput {...field("lastName", true)} />
          </SimpleGrid>
          <TextInput {...field("email", true)} type="email" />
          <TextInput {...field("phone", false)} />
          <TextInput {...field("position", false)} />
          {!contact && (
            <>
              <TextInput
                label="Tags (comma separated)"
                value={form.tags}
                onChange={(e) => setForm({ ...form, tags: e.currentTarget.value })}
                error={submitted || problem ? errors.tags : undefined}
              />
              <Checkbox label="Primary contact" checked={form.isPrimary} onChange={(e) => setForm({ ...form, isPrimary: e.currentTarget.checked })} />
            </>
          )}
          {problem && (
            <Alert color="red" title={contact ? "The contact was not saved" : "The contact was not added"} data-testid="contact-problem">
              {problem.message}
            </Alert>
          )}
          <FormActions onCancel={onClose} pending={mutation.isPending} disabled={contact !== null && changed.length === 0}>
            {contact ? "Save" : "Add contact"}
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}

function TagDialog({ customerId, contact, onClose, onDone }: { customerId: string; contact: Contact; onClose: () => void; onDone: () => Promise<void> }) {
  const trpc = useTRPC();
  const [tag, setTag] = useState("");
  const save = useMutation({ ...trpc.contacts.tag.mutationOptions(), onSuccess: onDone });
  const problem = save.error ? problemOf(save.error) : null;
  return (
    <Modal opened onClose={onClose} title={`Tag ${fullName(contact)}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ customerId, contactId: contact.id, tag });
        }}
      >
        <Stack>
          <TextInput label="Tag" required value={tag} onChange={(e) => setTag(e.currentTarget.value)} error={problem?.fieldErrors.tag?.join(", ")} />
          {problem && !problem.fieldErrors.tag && <Alert color="red">{problem.message}</Alert>}
          <FormActions onCancel={onClose} pending={save.isPending} disabled={!tag.trim()}>
            Add tag
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}

function RemoveDialog({ customerId, contact, onClose, onDone }: { customerId: string; contact: Contact; onClose: () => void; onDone: () => Promise<void> }) {
  const trpc = useTRPC();
  const [reason, setReason] = useState("");
  const reloadOnConflict = useReloadOnConflict();
  const remove = useMutation({ ...trpc.contacts.remove.mutationOptions(), onSuccess: onDone, onError: reloadOnConflict });
  const problem = remove.error ? problemOf(remove.error) : null;
  return (
    <Modal opened onClose={onClose} title={`Remove ${fullName(contact)}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate({ customerId, contactId: contact.id, version: contact.version, ...(reason.trim() ? { reason } : {}) });
        }}
      >
        <Stack>
          <Text size="sm">The contact is deactivated and leaves this list; its history stays in the audit trail.</Text>
          <Textarea label="Reason (optional)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={problem?.fieldErrors.reason?.join(", ")} autosize minRows={2} />
          {problem && !problem.fieldErrors.reason && (
            <Alert color="red" data-testid="remove-problem">
              {problem.message}
            </Alert>
          )}
          <FormActions onCancel={onClose} pending={remove.isPending} color="red">
            Remove contact
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}
