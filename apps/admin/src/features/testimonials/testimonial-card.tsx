import { ZRejectTestimonialInput } from "@clientele/api/testimonial-schemas";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Badge, Button, Card, Checkbox, Group, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { fieldErrors } from "../../ui/field-errors";
import { GuardedButton } from "../../ui/guarded-button";

export type Testimonial = RouterOutputs["testimonials"]["forCustomer"]["items"][number];

const STATUS_COLOR: Record<Testimonial["status"], string> = { Pending: "blue", Approved: "green", Rejected: "gray" };

const stars = (rating: number) => "★".repeat(rating) + "☆".repeat(Math.max(0, 5 - rating));

/** One testimonial as the moderator sees it: masked content, flags, and (while pending) the decision. */
export function TestimonialCard({ testimonial: t, customerName, onDecided }: { testimonial: Testimonial; customerName?: string; onDecided: (notice: string) => void }) {
  return (
    <Card withBorder data-testid="testimonial" data-testimonial-id={t.id}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Group gap="xs">
            <Text fw={600}>{t.authorName}</Text>
            {customerName && (
              <Text size="sm" c="dimmed">
                for {customerName}
              </Text>
            )}
            <Text aria-label={`${t.rating} of 5 stars`} c="orange.9">
              {stars(t.rating)}
            </Text>
          </Group>
          <Group gap="xs">
            {t.containsProfanity && (
              <Badge color="red" variant="filled" data-testid="profanity-flag">
                Profanity masked
              </Badge>
            )}
            <Badge variant="light" color={t.isPublic ? "indigo" : "gray"}>
              {t.isPublic ? "Public" : "Private"}
            </Badge>
            <Badge variant="light" color={STATUS_COLOR[t.status]} data-testid="testimonial-status">
              {t.status}
            </Badge>
          </Group>
        </Group>
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="testimonial-content">
          {t.content}
        </Text>
        <Text size="xs" c="dimmed">
          Submitted {new Date(t.createdAt).toLocaleString()} by {t.createdBy}
          {t.approvedAt && ` · approved ${new Date(t.approvedAt).toLocaleString()} by ${t.approvedBy}`}
          {t.rejectedAt && ` · rejected ${new Date(t.rejectedAt).toLocaleString()} by ${t.rejectedBy}`}
        </Text>
        {t.rejectionReason && <Text size="sm">Reason: {t.rejectionReason}</Text>}
        {t.status === "Pending" && <Moderation testimonial={t} onDecided={onDecided} />}
      </Stack>
    </Card>
  );
}

function Moderation({ testimonial: t, onDecided }: { testimonial: Testimonial; onDecided: (notice: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const [makePublic, setMakePublic] = useState(t.isPublic);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const refresh = () => queryClient.invalidateQueries(trpc.testimonials.pathFilter());
  const approve = useMutation({
    ...trpc.testimonials.approve.mutationOptions(),
    onSuccess: async (done) => {
      onDecided(`Approved the testimonial by ${done.authorName}${done.isPublic ? "; it is on the public website" : " (not public)"}; the customer is thanked by email if they accept email.`);
      await refresh();
    },
  });
  const reject = useMutation({
    ...trpc.testimonials.reject.mutationOptions(),
    onSuccess: async (done) => {
      onDecided(`Rejected the testimonial by ${done.authorName}.`);
      await refresh();
    },
  });
  const cannot = missing(session?.roles ?? [], "testimonial:approve");
  // Without the privilege the actions stay in view, disabled, with the matrix's reason.
  if (cannot)
    return (
      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="moderation-unavailable">
          Awaiting approval. {cannot}
        </Text>
        <Group gap="xs">
          <GuardedButton reason={cannot} color="red" onClick={() => undefined}>
            Reject…
          </GuardedButton>
          <GuardedButton reason={cannot} onClick={() => undefined}>
            Approve
          </GuardedButton>
        </Group>
      </Group>
    );
  const ref = { customerId: t.customerId, testimonialId: t.id, version: t.version };
  const parsed = ZRejectTestimonialInput.safeParse({ ...ref, reason });
  const problem = approve.error ? problemOf(approve.error) : reject.error ? problemOf(reject.error) : null;
  const errors = fieldErrors(parsed, reject.error ? problem : null, reject.variables, { ...ref, reason });
  const reasonError = errors.reason ?? (reason.trim().length < 3 ? "must be at least 3 characters" : undefined);
  const onReject = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    approve.reset();
    if (parsed.success && reason.trim().length >= 3) reject.mutate(parsed.data);
  };
  return (
    <Stack gap="xs">
      {problem && !problem.fieldErrors.reason && (
        <Alert color="red" data-testid="moderation-problem">
          {problem.message}
        </Alert>
      )}
      {rejecting ? (
        <form onSubmit={onReject} noValidate aria-label={`Reject the testimonial by ${t.authorName}`}>
          <Stack gap="xs">
            <Textarea label="Rejection reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={submitted ? reasonError : undefined} autosize minRows={2} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRejecting(false)}>
                Cancel
              </Button>
              <Button type="submit" color="red" loading={reject.isPending}>
                Reject
              </Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Group justify="space-between">
          <Checkbox label="Show on the public website" checked={makePublic} onChange={(e) => setMakePublic(e.currentTarget.checked)} />
          <Group gap="xs">
            <Button variant="light" color="red" onClick={() => setRejecting(true)}>
              Reject…
            </Button>
            <Button
              loading={approve.isPending}
              onClick={() => {
                reject.reset();
                approve.mutate({ ...ref, isPublic: makePublic });
              }}
            >
              Approve
            </Button>
          </Group>
        </Group>
      )}
    </Stack>
  );
}
