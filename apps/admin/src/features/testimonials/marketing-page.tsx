import { Alert, Pagination, Stack, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { missing } from "../../privileges";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TestimonialCard } from "./testimonial-card";

const PAGE_SIZE = 20;

/** The marketing team's moderation queue: every pending testimonial of the tenant, oldest first. */
export function MarketingPage() {
  const trpc = useTRPC();
  const session = useSession();
  const cannot = missing(session?.roles ?? [], "testimonial:approve");
  const [page, setPage] = useState(1);
  const [notice, setNotice] = useState<string | null>(null);
  // Kept while the next page loads, so deciding one does not blank the list.
  const queue = useQuery({ ...trpc.testimonials.moderationQueue.queryOptions({ page, pageSize: PAGE_SIZE }), enabled: !cannot, placeholderData: keepPreviousData });
  const totalPages = Math.max(1, Math.ceil((queue.data?.totalCount ?? 0) / PAGE_SIZE));
  // Deciding the last one on the last page leaves that page empty: show the one before instead.
  if (queue.data && queue.data.items.length === 0 && page > 1 && page > totalPages) setPage(totalPages);
  const title = (
    <Title order={1} size="h2">
      Marketing: testimonial moderation
    </Title>
  );
  // The queue is for those who decide (the API answers 403 to the others): say so rather than fail.
  if (cannot)
    return (
      <Stack maw={960}>
        {title}
        <Alert color="yellow" title="The moderation queue is for testimonial moderators" data-testid="marketing-read-only">
          {cannot} A customer&apos;s testimonials stay readable on the customer&apos;s Testimonials tab.
        </Alert>
      </Stack>
    );
  return (
    <Stack maw={960}>
      {title}
      <Text size="sm">
        Every pending testimonial of the tenant, oldest first{queue.data ? ` (${queue.data.totalCount} waiting)` : ""}. Profanity is masked on submission and flagged for you.
      </Text>
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="moderation-notice" />
      <ListStatus
        query={queue}
        loadingLabel="Loading the moderation queue"
        errorTitle="The queue could not be loaded"
        isEmpty={queue.data?.totalCount === 0}
        emptyText="No testimonials await approval."
        padding="xl"
      />
      {queue.data?.items.map((t) => (
        <TestimonialCard key={t.id} testimonial={t} customerName={t.customerName} onDecided={setNotice} />
      ))}
      {totalPages > 1 && <Pagination total={totalPages} value={Math.min(page, totalPages)} onChange={setPage} getControlProps={(control) => ({ "aria-label": `${control} page` })} />}
    </Stack>
  );
}
