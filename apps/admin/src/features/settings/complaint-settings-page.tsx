import { ZSettings } from "@clientele/api/complaint-schemas";
import { COMPLAINT_PRIORITIES } from "@clientele/domain";
import type { RouterOutputs } from "@clientele/sdk";
import { ActionIcon, Alert, Button, Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { formErrors } from "../../ui/field-errors";
import { GuardedButton } from "../../ui/guarded-button";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";

type Settings = RouterOutputs["complaints"]["getSettings"];
type Rule = { category: string; to: "User" | "Team"; target: string };
type Form = { rules: Rule[]; teams: { name: string; members: string }[]; hours: Record<string, string>; supportEmails: string; managerEmails: string };

const list = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function formOf(s: Settings): Form {
  return {
    rules: s.routing.rules.map((r) => ({ category: r.category, to: r.team ? "Team" : "User", target: r.team ?? r.userId ?? "" })),
    teams: Object.entries(s.routing.teams).map(([name, members]) => ({ name, members: members.join(", ") })),
    hours: Object.fromEntries(COMPLAINT_PRIORITIES.map((p) => [p, String(s.escalationHours[p] ?? "")])),
    supportEmails: s.supportEmails.join("\n"),
    managerEmails: s.managerEmails.join("\n"),
  };
}

/** What PUT /settings/complaints takes: every field given, so the form replaces the whole settings. */
function inputOf(f: Form) {
  return {
    routing: {
      rules: f.rules.map((r) => ({ category: r.category.trim(), ...(r.to === "Team" ? { team: r.target.trim() } : { userId: r.target.trim() }) })),
      teams: Object.fromEntries(f.teams.map((t) => [t.name.trim(), list(t.members)])),
    },
    // An empty box is not a threshold: sent as NaN, so the schema names it instead of dropping it.
    escalationHours: Object.fromEntries(COMPLAINT_PRIORITIES.map((p) => [p, f.hours[p]?.trim() ? Number(f.hours[p]) : Number.NaN])),
    supportEmails: list(f.supportEmails),
    managerEmails: list(f.managerEmails),
  };
}

/** Settings → Complaints: who new complaints are routed to, when they escalate, who is told. */
export function ComplaintSettingsPage() {
  const trpc = useTRPC();
  const roles = useSession()?.roles ?? [];
  const cannotRead = missing(roles, "complaint:manage");
  const settings = useQuery({ ...trpc.complaints.getSettings.queryOptions({}), enabled: !cannotRead });
  if (cannotRead)
    return (
      <Alert color="yellow" title="You cannot see the complaint settings">
        {cannotRead}
      </Alert>
    );
  return (
    <Stack>
      <div>
        <Text size="sm">Settings</Text>
        <Title order={1} size="h2">
          Complaints
        </Title>
      </div>
      <ListStatus query={settings} loadingLabel="Loading the complaint settings" errorTitle="The complaint settings could not be loaded" />
      {settings.data && <SettingsForm settings={settings.data} cannotChange={missing(roles, "settings:manage")} />}
    </Stack>
  );
}

function SettingsForm({ settings, cannotChange }: { settings: Settings; cannotChange: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>(() => formOf(settings));
  const [submitted, setSubmitted] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const save = useMutation({
    ...trpc.complaints.putSettings.mutationOptions(),
    onSuccess: (saved) => {
      queryClient.setQueryData(trpc.complaints.getSettings.queryKey({}), saved);
      void queryClient.invalidateQueries(trpc.complaints.dashboard.pathFilter());
      setSubmitted(false);
      setNotice("Complaint settings saved.");
    },
  });
  const input = inputOf(form);
  const { valid, errors } = formErrors(ZSettings, input, save.error, submitted, save.variables);
  const problem = save.error ? problemOf(save.error) : null;
  const readOnly = Boolean(cannotChange);
  const submit = () => {
    setSubmitted(true);
    setNotice(null);
    if (valid) save.mutate(input);
  };
  const under = (prefix: string) =>
    Object.entries(errors)
      .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
      .map(([, m]) => m)
      .join("; ") || undefined;
  const shown = (k: string) => /^(routing\.(rules|teams)|escalationHours|supportEmails|managerEmails)(\.|$)/.test(k);
  const setRule = (i: number, rule: Partial<Rule>) => setForm({ ...form, rules: form.rules.map((r, j) => (j === i ? { ...r, ...rule } : r)) });
  const setTeam = (i: number, team: Partial<Form["teams"][number]>) => setForm({ ...form, teams: form.teams.map((t, j) => (j === i ? { ...t, ...team } : t)) });

  return (
    <Stack>
      {cannotChange && (
        <Alert color="yellow" title="Read only">
          {cannotChange}
        </Alert>
      )}
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="settings-notice" />
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Escalation thresholds
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          Hours an open complaint may wait before it is overdue for escalation.
        </Text>
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          {COMPLAINT_PRIORITIES.map((p) => (
            <TextInput
              key={p}
              label={`${p} (hours)`}
              inputMode="decimal"
              value={form.hours[p] ?? ""}
              readOnly={readOnly}
              onChange={(e) => setForm({ ...form, hours: { ...form.hours, [p]: e.currentTarget.value } })}
              error={errors[`escalationHours.${p}`]}
            />
          ))}
        </SimpleGrid>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Routing rules
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          A new complaint of a category goes to the user or team of its rule; without one, to the least busy agent.
        </Text>
        {form.rules.length === 0 ? (
          <Text size="sm">No routing rules.</Text>
        ) : (
          <Table data-testid="routing-rules">
            <TableHead columns={["Category", "Assign to", "User or team", ""]} />
            <Table.Tbody>
              {form.rules.map((r, i) => (
                <Table.Tr key={i}>
                  <Table.Td>
                    <TextInput aria-label={`Rule ${i + 1} category`} value={r.category} readOnly={readOnly} onChange={(e) => setRule(i, { category: e.currentTarget.value })} error={errors[`routing.rules.${i}.category`]} />
                  </Table.Td>
                  <Table.Td>
                    <SegmentedControl aria-label={`Rule ${i + 1} assigns to`} data={["User", "Team"]} value={r.to} readOnly={readOnly} onChange={(v) => setRule(i, { to: v as Rule["to"] })} />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Rule ${i + 1} ${r.to === "Team" ? "team" : "user id"}`}
                      value={r.target}
                      readOnly={readOnly}
                      onChange={(e) => setRule(i, { target: e.currentTarget.value })}
                      error={errors[`routing.rules.${i}.${r.to === "Team" ? "team" : "userId"}`]}
                    />
                  </Table.Td>
                  <Table.Td>
                    {!readOnly && (
                      <ActionIcon variant="default" aria-label={`Remove rule ${i + 1}`} onClick={() => setForm({ ...form, rules: form.rules.filter((_, j) => j !== i) })}>
                        ×
                      </ActionIcon>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {(errors["routing.rules"] || errors["routing"]) && (
          <Text size="sm" c="red" data-testid="rules-error">
            {[errors["routing.rules"], errors["routing"]].filter(Boolean).join("; ")}
          </Text>
        )}
        {!readOnly && (
          <Group mt="sm">
            <Button variant="default" size="xs" onClick={() => setForm({ ...form, rules: [...form.rules, { category: "", to: "User", target: "" }] })}>
              Add rule
            </Button>
          </Group>
        )}
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Teams
        </Title>
        {form.teams.length === 0 ? (
          <Text size="sm">No teams.</Text>
        ) : (
          <Stack gap="xs">
            {form.teams.map((t, i) => (
              <Group key={i} align="flex-start" grow>
                <TextInput label={`Team ${i + 1} name`} value={t.name} readOnly={readOnly} onChange={(e) => setTeam(i, { name: e.currentTarget.value })} />
                <TextInput label={`Team ${i + 1} members (user ids)`} value={t.members} readOnly={readOnly} onChange={(e) => setTeam(i, { members: e.currentTarget.value })} error={under(`routing.teams.${t.name.trim()}`)} />
                {!readOnly && (
                  <Button variant="default" size="xs" mt={26} style={{ flexGrow: 0 }} onClick={() => setForm({ ...form, teams: form.teams.filter((_, j) => j !== i) })}>
                    Remove team {i + 1}
                  </Button>
                )}
              </Group>
            ))}
          </Stack>
        )}
        {errors["routing.teams"] && (
          <Text size="sm" c="red" data-testid="teams-error">
            {errors["routing.teams"]}
          </Text>
        )}
        {!readOnly && (
          <Group mt="sm">
            <Button variant="default" size="xs" onClick={() => setForm({ ...form, teams: [...form.teams, { name: "", members: "" }] })}>
              Add team
            </Button>
          </Group>
        )}
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Notification addresses
        </Title>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Textarea label="Support team (told of new complaints)" description="One address a line" autosize minRows={2} value={form.supportEmails} readOnly={readOnly} onChange={(e) => setForm({ ...form, supportEmails: e.currentTarget.value })} error={under("supportEmails")} />
          <Textarea label="Managers (told of escalations)" description="One address a line" autosize minRows={2} value={form.managerEmails} readOnly={readOnly} onChange={(e) => setForm({ ...form, managerEmails: e.currentTarget.value })} error={under("managerEmails")} />
        </SimpleGrid>
      </Card>
      {problem && (
        <Alert color="red" title="The settings were not saved" data-testid="settings-problem">
          {problem.message}
          {Object.entries(problem.fieldErrors)
            .filter(([k]) => !shown(k))
            .map(([k, v]) => (
              <Text size="sm" key={k}>
                {k}: {v.join(", ")}
              </Text>
            ))}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" disabled={readOnly} onClick={() => setForm(formOf(settings))}>
          Discard changes
        </Button>
        <GuardedButton variant="filled" reason={cannotChange} loading={save.isPending} onClick={submit}>
          Save settings
        </GuardedButton>
      </Group>
    </Stack>
  );
}
