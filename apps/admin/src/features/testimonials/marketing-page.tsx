import { Alert, Button, Center, Group, Loader, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { TestimonialCard } from "./testimonial-card";

const CUSTOMERS_SCANNED = 50;

/**
 * The marketing team's moderation queue. The API lists testimonials per customer only, so the
 * queue asks for the pending ones of the customers the search shows (one batched request).
 */
export function MarketingPage() {
  const trpc = useTRPC();
  const session = useSession();
  const cannotApprove = missing(session?.roles ?? [], "testimonial:approve");
  const [q, setQ] = useState("");
  const [query] = useDebouncedValue(q.trim(), 300);
  const [notice, setNotice] = useState<string | null>(null);
  // Which page of customers is scanned; a new search starts again at the first.
  const [scan, setScan] = useState({ query, page: 1 });
  const page = scan.query === query ? scan.page : 1;
  const customers = useQuery(trpc.customers.list.queryOptions({ ...(query ? { query } : {}), page, pageSize: CUSTOMERS_SCANNED, sort: ["lastModifiedAt:desc"] }));
  const totalPages = customers.data?.totalPages ?? 1;
  const pending = useQueries({
    queries: (customers.data?.items ?? []).map((c) => trpc.testimonials.forCustomer.queryOptions({ customerId: c.id, status: "Pending" })),
  });
  const names = new Map((customers.data?.items ?? []).map((c) => [c.id, c.profile.companyName]));
  const loading = customers.isPending || pending.some((p) => p.isPending);
  const failed = customers.error ?? pending.find((p) => p.error)?.error;
  const queue = pending.flatMap((p) => p.data?.items ?? []).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <Stack maw={960}>
      <Title order={1} size="h2">
        Marketing: testimonial moderation
      </Title>
      <Text size="sm">
        Pending testimonials, oldest first, of {CUSTOMERS_SCANNED} customers at a time (most recently changed first){query ? ` matching “${query}”` : ""}. Profanity is
        masked on submission and flagged for you.
      </Text>
      {cannotApprove && (
        <Alert color="yellow" title="You can read the queue but not decide" data-testid="marketing-read-only">
          {cannotApprove}
        </Alert>
      )}
      <TextInput label="Customer" description="Narrow the queue to customers matching a name, email or number" value={q} onChange={(e) => setQ(e.currentTarget.value)} maw={420} />
      {notice && (
        <Alert color="green" data-testid="moderation-notice" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {failed && (
        <Alert color="red" title="The queue could not be loaded">
          {problemOf(failed).message}
        </Alert>
      )}
      {loading && !failed && (
        <Center p="xl">
          <Loader aria-label="Loading the moderation queue" />
        </Center>
      )}
      {!loading && !failed && queue.length === 0 && <Text size="sm">No testimonials await approval{totalPages > 1 ? " among these customers" : ""}.</Text>}
      {queue.map((t) => (
        <TestimonialCard key={t.id} testimonial={t} customerName={names.get(t.customerId)} onDecided={setNotice} />
      ))}
      {totalPages > 1 && (
        <Group>
          <Button variant="default" disabled={page <= 1} onClick={() => setScan({ query, page: page - 1 })}>
            Previous customers
          </Button>
          <Text size="sm">
            Customers page {page} of {totalPages}
          </Text>
          <Button variant="default" disabled={page >= totalPages} onClick={() => setScan({ query, page: page + 1 })}>
            Next customers
          </Button>
        </Group>
      )}
    </Stack>
  );
}
