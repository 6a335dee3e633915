import { AppShell, Badge, Button, Group, NavLink, Stack, Text, Title } from "@mantine/core";
import { Link, Outlet, useNavigate, useRouter, useRouterState } from "@tanstack/react-router";
import { useEffect } from "react";
import { authConfig } from "../../auth-config";
import { sessionExpired, signOut, useSession } from "../../session";
import { ToolLinks } from "./tool-links";

export function AppShellLayout() {
  const session = useSession();
  const navigate = useNavigate();
  const path = useRouterState({ select: (s) => s.location.pathname });
  const router = useRouter();
  const onNew = path.endsWith("/customers/new");
  const onDuplicates = path.endsWith("/customers/duplicates");
  const onReview = path.endsWith("/customers/review");
  // Signed out here, or the API refused the token (a 401 anywhere): to the sign-in page, which after
  // a 401 says the session expired and comes back here. Where "here" is, is read once, when the
  // session ends (the location moves on to the sign-in page while this is still mounted).
  useEffect(() => {
    if (session) return;
    const here = router.state.location.href;
    void navigate({ to: "/sign-in", search: sessionExpired() && !here.startsWith("/sign-in") ? { next: here, reason: "expired" } : {} });
  }, [session, navigate, router]);
  // With an identity provider, its session ends too (the OIDC client loads only now).
  const onSignOut = () => {
    if (!authConfig().oidc) return signOut();
    import("../sign-in/oidc")
      .then((oidc) => oidc.signOutAtIdp())
      .then((left) => {
        if (!left) void navigate({ to: "/sign-in", search: { reason: "signed-out" } });
      })
      .catch(() => {
        signOut(false);
        void navigate({ to: "/sign-in", search: { reason: "signed-out" } });
      });
  };
  if (!session) return null;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: "sm" }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={2} size="h4">
            Clientele admin
          </Title>
          <Group gap="sm">
            <ToolLinks session={session} />
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
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        <NavLink component={Link} to="/customers" label="Customers" active={!onNew && !onDuplicates && !onReview && path.includes("/customers")} />
        <NavLink component={Link} to="/customers/new" label="New customer" active={onNew} />
        <NavLink component={Link} to="/customers/duplicates" label="Duplicates" active={onDuplicates} />
        <NavLink component={Link} to="/customers/review" label="Inactive review" active={onReview} />
        <NavLink component={Link} to="/tasks" label="My tasks" active={path.endsWith("/tasks")} />
        <NavLink component={Link} to="/support" activeOptions={{ exact: true }} label="Support" active={path.endsWith("/support")} />
        <NavLink component={Link} to="/support/knowledge-base" label="Knowledge base" active={path.endsWith("/support/knowledge-base")} />
        <NavLink component={Link} to="/marketing" label="Marketing" active={path.endsWith("/marketing")} />
        <NavLink component={Link} to="/settings/templates" label="Settings → Templates" active={path.includes("/settings/templates")} />
        <NavLink component={Link} to="/settings/complaints" label="Settings → Complaints" active={path.includes("/settings/complaints")} />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
