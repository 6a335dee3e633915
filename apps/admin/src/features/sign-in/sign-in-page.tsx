import { ROLES, type Role } from "@clientele/domain/authz";
import { Alert, Button, Center, Chip, Group, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { signIn } from "../../session";

type Options = { roles: Role[]; tenants: string[]; users: { id: string; name: string; email: string; roles: Role[] }[] };

// The development sign-in route is REST (apps/api/src/rest/dev-sign-in-routes.ts), not a tRPC procedure:
// it exists only outside production, so it is no part of the typed router.
async function devSignIn(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`/api/v1/dev/sign-in${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => null)) as { detail?: string; errors?: Record<string, string[]> } | null;
  if (!res.ok) {
    const fields = json?.errors ? Object.entries(json.errors).map(([f, m]) => `${f} ${m.join(", ")}`).join("; ") : "";
    throw new Error(res.status === 404 ? "Development sign-in is not available on this server (production uses the identity provider)." : `${json?.detail ?? res.statusText}${fields ? `: ${fields}` : ""}`);
  }
  return json;
}

export function SignInPage() {
  const navigate = useNavigate();
  const { next } = useSearch({ from: "/sign-in" });
  const options = useQuery({ queryKey: ["dev-sign-in-options"], queryFn: () => devSignIn("") as Promise<Options> });
  const [tenantId, setTenantId] = useState("demo");
  const [userId, setUserId] = useState("u-alex-morgan");
  const [name, setName] = useState("Alex Morgan");
  const [roles, setRoles] = useState<string[]>(["Admin"]);
  const submit = useMutation({
    mutationFn: () => devSignIn("", { tenantId, userId, roles, ...(name ? { name } : {}) }) as Promise<{ token: string }>,
    onSuccess: ({ token }) => {
      signIn(token);
      void navigate({ to: next && next.startsWith("/") && !next.startsWith("/sign-in") ? next : "/customers" });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate();
  };
  const users = options.data?.users ?? [];
  return (
    <Center mih="100vh" component="main">
      <Paper withBorder shadow="sm" p="xl" w={460}>
        <form onSubmit={onSubmit} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h2" id="sign-in-title">
              Sign in to Clientele
            </Title>
            <Text size="sm" c="dimmed">
              Development sign-in: choose any tenant, user and roles. Production signs in through the identity provider.
            </Text>
            {options.error && <Alert color="red" title="Cannot sign in">{options.error.message}</Alert>}
            <TextInput label="Tenant" value={tenantId} onChange={(e) => setTenantId(e.currentTarget.value)} required />
            <Select
              label="Demo user"
              placeholder="Pick a demo user, or type below"
              data={users.map((u) => ({ value: u.id, label: `${u.name} (${u.roles.join(", ")})` }))}
              value={users.some((u) => u.id === userId) ? userId : null}
              onChange={(id) => {
                const user = users.find((u) => u.id === id);
                if (!user) return;
                setUserId(user.id);
                setName(user.name);
                setRoles(user.roles);
              }}
            />
            <TextInput label="User id" value={userId} onChange={(e) => setUserId(e.currentTarget.value)} required />
            <TextInput label="Display name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Chip.Group multiple value={roles} onChange={setRoles}>
              <Group gap="xs" role="group" aria-label="Roles">
                {(options.data?.roles ?? ROLES).map((r) => (
                  <Chip key={r} value={r}>
                    {r}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
            {submit.error && <Alert color="red" title="Sign-in failed">{submit.error.message}</Alert>}
            <Button type="submit" loading={submit.isPending} disabled={roles.length === 0}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
