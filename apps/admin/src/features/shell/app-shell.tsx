import { AppShell, Badge, Button, Group, NavLink, Stack, Text, Title } from "@mantine/core";
import { Link, Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useEffect } from "react";
import { signOut, useSession } from "../../session";

export function AppShellLayout() {
  const session = useSession();
  const navigate = useNavigate();
  const path = useRouterState({ select: (s) => s.location.pathname });
  const onNew = path.endsWith("/customers/new");
  const onDuplicates = path.endsWith("/customers/duplicates");
  // Signed out here or by an expired token (a 401 anywhere): back to the sign-in page.
  useEffect(() => {
    if (!session) void navigate({ to: "/sign-in" });
  }, [session, navigate]);
  if (!session) return null;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: "sm" }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={2} size="h4">
            Clientele admin
          </Title>
          <Group gap="sm">
            <Stack gap={0} align="flex-end">
              <Text size="sm" fw={600} data-testid="signed-in-user">
                {session.name ?? session.userId}
              </Text>
              <Text size="xs" c="dimmed">
                tenant {session.tenantId}
              </Text>
            </Stack>
            {session.roles.map((r) => (
              <Badge key={r} variant="light" data-testid="signed-in-role">
                {r}
              </Badge>
            ))}
            <Button variant="default" size="xs" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        <NavLink component={Link} to="/customers" label="Customers" active={!onNew && !onDuplicates && path.includes("/customers")} />
        <NavLink component={Link} to="/customers/new" label="New customer" active={onNew} />
        <NavLink component={Link} to="/customers/duplicates" label="Duplicates" active={onDuplicates} />
        <NavLink component={Link} to="/tasks" label="My tasks" active={path.endsWith("/tasks")} />
        <NavLink component={Link} to="/support" label="Support" active={path.endsWith("/support")} />
        <NavLink component={Link} to="/marketing" label="Marketing" active={path.endsWith("/marketing")} />
        <NavLink component={Link} to="/settings/templates" label="Settings → Templates" active={path.includes("/settings/templates")} />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
