import { ZRatingOverrideInput } from "@clientele/api/rating-schemas";
import { ZSetOverrideInput } from "@clientele/api/value-schemas";
import { CUSTOMER_SEGMENTS, type CustomerSegment } from "@clientele/domain";
import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { fieldErrors } from "../../ui/field-errors";
import { FormActions } from "../../ui/form-actions";
import { invalidateCustomerValue } from "./value-queries";

const OVERRIDE_RATINGS = ["Excellent", "Good", "Fair", "Poor"] as const;
type OverrideRating = (typeof OVERRIDE_RATINGS)[number];

/** A stale version (409): the values are read again, so the dialog's next try carries the current version. */
const rereadOnConflict = (error: unknown, queryClient: QueryClient, trpc: ReturnType<typeof useTRPC>) => (problemOf(error).status === 409 ? invalidateCustomerValue(queryClient, trpc) : undefined);

/** A problem not tied to one of the form's fields (403, 404, 409 stale version …), worded by problem.ts. */
function FormProblem({ error, fields, testId }: { error: unknown; fields: readonly string[]; testId: string }) {
  if (!error) return null;
  const problem = problemOf(error);
  if (fields.some((f) => problem.fieldErrors[f])) return null;
  return (
    <Alert color="red" data-testid={testId}>
      {problem.message}
      {problem.status === 409 && " The customer changed meanwhile: its values were read again; check them and try again."}
    </Alert>
  );
}

/**
 * Puts the customer in a segment by hand. The reason is the API's rule (required, checked there):
 * an empty one comes back as its 400 field message, shown under the field.
 */
export function SegmentOverrideDialog({ customerId, current, version, onClose, onDone }: { customerId: string; current: CustomerSegment; version: number; onClose: () => void; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [segment, setSegment] = useState<CustomerSegment>(current);
  const [reason, setReason] = useState("");
  const save = useMutation({
    ...trpc.transactions.setSegmentOverride.mutationOptions(),
    onSuccess: async (v) => {
      await invalidateCustomerValue(queryClient, trpc);
      onDone(`Segment overridden: ${v.segment} until the override is cleared.`);
    },
    onError: (e) => rereadOnConflict(e, queryClient, trpc),
  });
  const input = { customerId, segment, reason: reason.trim() === "" ? undefined : reason, version };
  const parsed = ZSetOverrideInput.safeParse(input);
  const errors = fieldErrors(parsed, save.error ? problemOf(save.error) : null, save.variables, input);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (parsed.success) save.mutate(input);
  };
  return (
    <Modal opened onClose={onClose} title="Override segment">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Select label="Segment" data={[...CUSTOMER_SEGMENTS]} value={segment} allowDeselect={false} onChange={(v) => v && setSegment(v as CustomerSegment)} error={errors.segment} />
          <Textarea label="Reason" description="Required: why this customer is put in this segment by hand" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={errors.reason} autosize minRows={2} />
          <FormProblem error={save.error} fields={["segment", "reason"]} testId="segment-override-problem" />
          <FormActions onCancel={onClose} pending={save.isPending}>
            Override segment
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}

/** Overrides the calculated rating (managers); the reason is required by the API, as above. */
export function RatingOverrideDialog({ customerId, current, onClose, onDone }: { customerId: string; current: string; onClose: () => void; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [rating, setRating] = useState<OverrideRating>((OVERRIDE_RATINGS as readonly string[]).includes(current) ? (current as OverrideRating) : "Good");
  const [reason, setReason] = useState("");
  const save = useMutation({
    ...trpc.rating.override.mutationOptions(),
    onSuccess: async (r) => {
      await invalidateCustomerValue(queryClient, trpc);
      onDone(`Rating overridden: ${r.rating} (calculated: ${r.calculatedRating}).`);
    },
  });
  const input = { customerId, rating, reason };
  const parsed = ZRatingOverrideInput.safeParse(input);
  const errors = fieldErrors(parsed, save.error ? problemOf(save.error) : null, save.variables, input);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (parsed.success) save.mutate(input);
  };
  return (
    <Modal opened onClose={onClose} title="Override rating">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Select label="Rating" data={[...OVERRIDE_RATINGS]} value={rating} allowDeselect={false} onChange={(v) => v && setRating(v as OverrideRating)} error={errors.rating} />
          <Textarea label="Reason" description="Required: why the calculated rating is overridden" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={errors.reason} autosize minRows={2} />
          <FormProblem error={save.error} fields={["rating", "reason"]} testId="rating-override-problem" />
          <FormActions onCancel={onClose} pending={save.isPending}>
            Override rating
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}

/** Confirms clearing an override (segment or rating): the rule decides again. */
export function ClearOverrideDialog({ kind, customerId, version, onClose, onDone }: { kind: "segment" | "rating"; customerId: string; version: number; onClose: () => void; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const after = async (message: string) => {
    await invalidateCustomerValue(queryClient, trpc);
    onDone(message);
  };
  const segment = useMutation({
    ...trpc.transactions.clearSegmentOverride.mutationOptions(),
    onSuccess: (v) => after(`Segment override cleared: the tier rule gives ${v.segment}.`),
    onError: (e) => rereadOnConflict(e, queryClient, trpc),
  });
  const rating = useMutation({ ...trpc.rating.clearOverride.mutationOptions(), onSuccess: (r) => after(`Rating override cleared: the calculated rating ${r.rating} shows again.`) });
  const m = kind === "segment" ? segment : rating;
  const clear = () => (kind === "segment" ? segment.mutate({ customerId, version }) : rating.mutate({ customerId }));
  return (
    <Modal opened onClose={onClose} title={`Clear the ${kind} override`}>
      <Stack>
        <Text size="sm">{kind === "segment" ? "The lifetime value's tier rule decides the segment again." : "The rating calculated from payments, attendance, complaints and testimonials shows again."}</Text>
        <FormProblem error={m.error} fields={[]} testId="clear-override-problem" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={m.isPending} onClick={clear}>
            Clear override
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
