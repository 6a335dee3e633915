import { ZTemplateInput } from "@clientele/api/communication-schemas";
import { PURPOSES } from "@clientele/domain";
import { PERSONALIZATION_VARIABLES } from "@clientele/messaging/templates";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Badge, Button, Card, Group, Modal, SegmentedControl, Select, Stack, Switch, Table, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { FormActions } from "../../ui/form-actions";
import { GuardedButton } from "../../ui/guarded-button";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";
import { formErrors } from "../../ui/field-errors";

type Template = RouterOutputs["templates"]["list"]["items"][number];
type Channel = "Email" | "SMS";
type Purpose = (typeof PURPOSES)[number];

/** Settings → Templates: the tenant's email and SMS templates; the API checks their variables when saved. */
export function TemplatesPage() {
  const trpc = useTRPC();
  const session = useSession();
  const roles = session?.roles ?? [];
  const cannotRead = missing(roles, "communication:send");
  const cannotManage = missing(roles, "template:manage");
  const [channel, setChannel] = useState<"All" | Channel>("All");
  const [includeArchived, setIncludeArchived] = useState(false);
  const [editing, setEditing] = useState<Template | "new" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ ...trpc.templates.list.queryOptions({ ...(channel === "All" ? {} : { channel }), includeArchived }), enabled: !cannotRead });

  if (cannotRead)
    return (
      <Alert color="yellow" title="You cannot see templates">
        {cannotRead}
      </Alert>
    );
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Text size="sm">Settings</Text>
          <Title order={1} size="h2">
            Templates
          </Title>
        </div>
        <GuardedButton variant="filled" reason={cannotManage} onClick={() => setEditing("new")}>
          New template
        </GuardedButton>
      </Group>
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="template-notice" />
      <Group>
        <SegmentedControl aria-label="Channel" data={["All", "Email", "SMS"]} value={channel} onChange={(v) => setChannel(v as "All" | Channel)} />
        <Switch label="Show archived" checked={includeArchived} onChange={(e) => setIncludeArchived(e.currentTarget.checked)} />
      </Group>
      <Card withBorder>
        <ListStatus query={list} loadingLabel="Loading templates" errorTitle="The templates could not be loaded" isEmpty={list.data?.items.length === 0} emptyText="No templates yet." />
        {list.data && list.data.items.length > 0 && (
          <Table striped data-testid="templates-table">
            <TableHead columns={["Name", "Channel", "Purpose", "Variables", "Status", "Actions"]} />
            <Table.Tbody>
              {list.data.items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>{t.channel}</Table.Td>
                  <Table.Td>{t.purpose}</Table.Td>
                  <Table.Td>{t.variables.map((v) => `{{${v}}}`).join(" ") || "—"}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={t.status === "Active" ? "green" : "gray"}>
                      {t.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {cannotManage ? (
                      <Text size="xs" c="dimmed">
                        Read only
                      </Text>
                    ) : (
                      t.status === "Active" && (
                        <Group gap={4} wrap="nowrap">
                          <Button size="compact-xs" variant="default" onClick={() => setEditing(t)} aria-label={`Edit ${t.name}`}>
                            Edit
                          </Button>
                          <ArchiveButton template={t} onDone={setNotice} />
                        </Group>
                      )
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      {editing && (
        <TemplateDialog
          template={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onDone={(t) => {
            setEditing(null);
            setNotice(`Template “${t.name}” saved.`);
          }}
        />
      )}
    </Stack>
  );
}

function ArchiveButton({ template, onDone }: { template: Template; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const archive = useMutation({
    ...trpc.templates.archive.mutationOptions(),
    onSuccess: async () => {
      await queryClient.invalidateQueries(trpc.templates.pathFilter());
      onDone(`Template “${template.name}” archived.`);
    },
    onError: (error) => onDone(`Template “${template.name}” was not archived: ${problemOf(error).message}`),
  });
  return (
    <Button size="compact-xs" variant="default" color="red" loading={archive.isPending} onClick={() => archive.mutate({ templateId: template.id })} aria-label={`Archive ${template.name}`}>
      Archive
    </Button>
  );
}

type Form = { name: string; channel: Channel; purpose: Purpose; subject: string; body: string; html: string };

function TemplateDialog({ template, onClose, onDone }: { template: Template | null; onClose: () => void; onDone: (t: Template) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>({
    name: template?.name ?? "",
    channel: (template?.channel as Channel | undefined) ?? "Email",
    purpose: (template?.purpose as Purpose | undefined) ?? "Transactional",
    subject: template?.subject ?? "",
    body: template?.body ?? "",
    html: template?.html ?? "",
  });
  const [submitted, setSubmitted] = useState(false);
  const onSuccess = async (t: Template) => {
    await queryClient.invalidateQueries(trpc.templates.pathFilter());
    onDone(t);
  };
  const create = useMutation({ ...trpc.templates.create.mutationOptions(), onSuccess });
  const update = useMutation({ ...trpc.templates.update.mutationOptions(), onSuccess });
  const save = template ? update : create;
  const email = form.channel === "Email";
  const input = { name: form.name, channel: form.channel, purpose: form.purpose, subject: email ? form.subject || null : null, body: form.body || null, html: email ? form.html || null : null };
  const problem = save.error ? problemOf(save.error) : null;
  // The API's variable check names the field ("unknown variable(s) {{nickname}}; known: …"): shown under it.
  const { valid, errors } = formErrors(ZTemplateInput, input, save.error, submitted, save.variables);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!valid) return;
    if (template) update.mutate({ templateId: template.id, version: template.version, ...input });
    else create.mutate(input);
  };
  const text = (k: "name" | "subject" | "body" | "html") => ({ value: form[k], onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }), error: errors[k] });
  const inline = ["name", "channel", "purpose", "subject", "body", "html"];
  return (
    <Modal opened onClose={onClose} title={template ? `Edit template “${template.name}”` : "New template"} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Name" required {...text("name")} />
          <Group grow>
            <Select label="Channel" data={["Email", "SMS"]} value={form.channel} onChange={(v) => v && setForm({ ...form, channel: v as Channel })} allowDeselect={false} disabled={Boolean(template)} error={errors.channel} />
            <Select label="Purpose" data={[...PURPOSES]} value={form.purpose} onChange={(v) => v && setForm({ ...form, purpose: v as Purpose })} allowDeselect={false} error={errors.purpose} />
          </Group>
          {email && <TextInput label="Subject" required {...text("subject")} />}
          <Textarea label={email ? "Text body" : "Message"} required={!email} autosize minRows={4} {...text("body")} description={`Variables: ${PERSONALIZATION_VARIABLES.map((v) => `{{${v}}}`).join(" ")}`} />
          {email && <Textarea label="HTML body" autosize minRows={3} {...text("html")} />}
          {problem && (
            <Alert color="red" title="The template was not saved" data-testid="template-problem">
              {problem.message}
              {Object.entries(problem.fieldErrors)
                .filter(([k]) => !inline.includes(k))
                .map(([k, v]) => (
                  <Text size="sm" key={k}>
                    {k}: {v.join(", ")}
                  </Text>
                ))}
            </Alert>
          )}
          <FormActions onCancel={onClose} pending={save.isPending}>
            Save template
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}
