import { ZSubmitTestimonialInput } from "@clientele/api/testimonial-schemas";
import { MAX_TESTIMONIAL_CHARS } from "@clientele/domain";
import { Alert, Card, Checkbox, Group, Select, Stack, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { fieldErrors } from "../../ui/field-errors";
import { FormActions } from "../../ui/form-actions";
import { GuardedButton } from "../../ui/guarded-button";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TestimonialCard } from "./testimonial-card";

/** The customer detail's Testimonials tab: the customer's testimonials (moderated here too) and submitting one. */
export function CustomerTestimonialsTab({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const session = useSession();
  const cannotSubmit = missing(session?.roles ?? [], "communication:send");
  const list = useQuery(trpc.testimonials.forCustomer.queryOptions({ customerId }));
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Testimonials
        </Title>
        {(cannotSubmit || !adding) && (
          <GuardedButton reason={cannotSubmit} onClick={() => setAdding(true)}>
            Submit testimonial
          </GuardedButton>
        )}
      </Group>
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="testimonial-notice" />
      {adding && (
        <SubmitTestimonialForm
          customerId={customerId}
          onClose={() => setAdding(false)}
          onSubmitted={(message) => {
            setAdding(false);
            setNotice(message);
          }}
        />
      )}
      <ListStatus
        query={list}
        loadingLabel="Loading testimonials"
        errorTitle="The testimonials could not be loaded"
        isEmpty={list.data?.items.length === 0}
        emptyText="No testimonials from this customer."
      />
      {list.data?.items.map((t) => <TestimonialCard key={t.id} testimonial={t} onDecided={setNotice} />)}
    </Stack>
  );
}

type Form = { content: string; rating: string; authorName: string; isPublic: boolean };

function SubmitTestimonialForm({ customerId, onClose, onSubmitted }: { customerId: string; onClose: () => void; onSubmitted: (notice: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>({ content: "", rating: "5", authorName: "", isPublic: true });
  const [submitted, setSubmitted] = useState(false);
  const submit = useMutation({
    ...trpc.testimonials.submit.mutationOptions(),
    onSuccess: async (t) => {
      await queryClient.invalidateQueries(trpc.testimonials.pathFilter());
      onSubmitted(`Testimonial submitted; it awaits approval${t.containsProfanity ? " (profanity was masked)" : ""} and marketing is notified.`);
    },
  });
  const input = { customerId, content: form.content, rating: Number(form.rating), authorName: form.authorName, isPublic: form.isPublic };
  const parsed = ZSubmitTestimonialInput.safeParse(input);
  const problem = submit.error ? problemOf(submit.error) : null;
  const errors = fieldErrors(parsed, problem, submit.variables, input);
  const shown = (k: "content" | "rating" | "authorName") => {
    if (!submitted) return undefined;
    if (errors[k]) return errors[k];
    return k !== "rating" && !form[k].trim() ? "is required" : undefined;
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success && form.content.trim() && form.authorName.trim()) submit.mutate(parsed.data);
  };
  const chars = [...form.content].length;
  return (
    <Card withBorder component="form" onSubmit={onSubmit} noValidate aria-label="Submit a testimonial">
      <Stack gap="xs">
        <Textarea
          label="Testimonial"
          description={`${chars} of ${MAX_TESTIMONIAL_CHARS} characters; profanity is masked`}
          required
          value={form.content}
          onChange={(e) => setForm({ ...form, content: e.currentTarget.value })}
          error={shown("content")}
          autosize
          minRows={3}
        />
        <Group grow align="flex-start">
          <TextInput label="Author name" required value={form.authorName} onChange={(e) => setForm({ ...form, authorName: e.currentTarget.value })} error={shown("authorName")} />
          <Select
            label="Rating"
            data={["5", "4", "3", "2", "1"].map((v) => ({ value: v, label: `${v} star${v === "1" ? "" : "s"}` }))}
            value={form.rating}
            allowDeselect={false}
            onChange={(v) => v && setForm({ ...form, rating: v })}
            error={shown("rating")}
          />
        </Group>
        <Checkbox label="The customer agrees to show it on the public website" checked={form.isPublic} onChange={(e) => setForm({ ...form, isPublic: e.currentTarget.checked })} />
        {problem && !["content", "rating", "authorName"].some((k) => problem.fieldErrors[k]) && (
          <Alert color="red" data-testid="submit-testimonial-problem">
            {problem.message}
          </Alert>
        )}
        <FormActions onCancel={onClose} pending={submit.isPending}>
          Submit testimonial
        </FormActions>
      </Stack>
    </Card>
  );
}
