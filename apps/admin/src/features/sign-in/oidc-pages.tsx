import { Alert, Button, Center, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { completeSignIn, startSignIn } from "./oidc";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function Panel({ children }: { children: React.ReactNode }) {
  return (
    <Center mih="100vh" component="main">
      <Paper withBorder shadow="sm" p="xl" w={460}>
        <Stack>
          <Title order={1} size="h2">
            Sign in to Clientele
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

/**
 * Sign-in through the identity provider. A first visit goes straight there; after the API refused
 * the token, or after signing out, the page says so and waits for a click (the IdP's own session
 * would otherwise sign the user straight back in, or loop on a token the API keeps refusing).
 */
export function OidcSignInPage() {
  const { next, reason } = useSearch({ from: "/sign-in" });
  const [error, setError] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(!reason);
  const started = useRef(false);
  const go = () => {
    setLeaving(true);
    setError(null);
    startSignIn(next).catch((e: unknown) => {
      setLeaving(false);
      setError(`The identity provider cannot be reached: ${message(e)}`);
    });
  };
  useEffect(() => {
    if (reason || started.current) return;
    started.current = true;
    go();
    // Once, on arrival: go() reads this render's `next`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <Panel>
      {reason === "expired" && (
        <Alert color="yellow" title="Session expired">
          Your session has expired. Sign in again to continue where you were.
        </Alert>
      )}
      {reason === "signed-out" && <Text>You are signed out.</Text>}
      {error && (
        <Alert color="red" title="Cannot sign in">
          {error}
        </Alert>
      )}
      {leaving ? (
        <Text size="sm" c="dimmed" role="status">
          <Loader size="xs" mr="xs" />
          Redirecting to the identity provider…
        </Text>
      ) : (
        <Button onClick={go}>{reason === "expired" ? "Sign in again" : "Sign in"}</Button>
      )}
    </Panel>
  );
}

// One exchange per visit: the code and its state are good once (StrictMode mounts twice in development).
let exchange: Promise<string> | undefined;

/** Where the identity provider returns: tokens for the code, then on to where the user was going. */
export function OidcCallbackPage() {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    exchange ??= completeSignIn();
    exchange.then(
      (next) => {
        exchange = undefined;
        void navigate({ to: next, replace: true });
      },
      (e: unknown) => setError(message(e)),
    );
  }, [navigate]);
  return (
    <Panel>
      {error ? (
        <>
          <Alert color="red" title="Sign-in failed">
            {error}
          </Alert>
          <Button
            onClick={() => {
              exchange = undefined;
              void navigate({ to: "/sign-in" });
            }}
          >
            Try again
          </Button>
        </>
      ) : (
        <Text size="sm" c="dimmed" role="status">
          <Loader size="xs" mr="xs" />
          Signing in…
        </Text>
      )}
    </Panel>
  );
}
