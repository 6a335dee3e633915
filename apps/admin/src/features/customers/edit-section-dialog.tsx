import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient, type MutationFunction } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { FormActions } from "../../ui/form-actions";

export type Customer = RouterOutputs["customers"]["get"];
type Value = string | boolean | string[];
export type SectionForm = Record<string, Value>;

/** One editable section of the record: its fields as the form holds them, and the save's input for the fields changed. */
export type Section<F extends SectionForm, I> = {
  title: string;
  labels: { [K in keyof F]: string };
  formOf: (c: Customer) => F;
  inputOf: (on: Customer, changed: (keyof F)[], form: F) => I;
};

const same = (a: Value | undefined, b: Value | undefined) => JSON.stringify(a) === JSON.stringify(b);
const shown = (v: Value | undefined) => (typeof v === "boolean" ? (v ? "Yes" : "No") : Array.isArray(v) ? v.join(", ") || "none" : v || "empty");

/** What the form's inputs spread: value, change handler and the API's message for the field. */
export type Fields<F extends SectionForm> = {
  form: F;
  text: (k: keyof F & string) => { label: string; value: string; onChange: (e: { currentTarget: { value: string } }) => void; error: string | undefined };
  check: (k: keyof F & string) => { label: string; checked: boolean; onChange: (e: { currentTarget: { checked: boolean } }) => void; error: string | undefined };
  list: (k: keyof F & string) => { label: string; value: string[]; onChange: (v: string[]) => void; error: string | undefined };
  set: (patch: Partial<F>) => void;
};

/**
 * Edits a section with optimistic concurrency: the save carries the version this form was opened
 * on; a 409 (someone saved in between) opens the conflict dialog with what they changed in this
 * section, to reload or re-apply. Nothing typed is lost on a failed save. The API's field errors
 * are matched by their last path segment ("contactInfo.billingAddress.zipCode" → zipCode).
 */
export function SectionEditDialog<F extends SectionForm, I>({
  customer,
  section,
  save: mutationFn,
  onClose,
  onSaved,
  children,
}: {
  customer: Customer;
  section: Section<F, NoInfer<I>>;
  save: MutationFunction<{ warnings: string[] }, I> | undefined;
  onClose: () => void;
  onSaved: (warnings: string[]) => void;
  children: (fields: Fields<F>) => ReactNode;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { labels, formOf } = section;
  const [base, setBase] = useState(customer);
  const [form, setForm] = useState<F>(formOf(customer));
  const [conflict, setConflict] = useState<Customer | null>(null);
  const save = useMutation({
    mutationFn,
    onSuccess: async (result) => {
      await queryClient.invalidateQueries(trpc.customers.pathFilter());
      onSaved(result.warnings);
      onClose();
    },
    onError: async (error) => {
      if (problemOf(error).status === 409) setConflict(await queryClient.fetchQuery({ ...trpc.customers.get.queryOptions({ id: customer.id }), staleTime: 0 }));
    },
  });
  const keys = Object.keys(labels) as (keyof F & string)[];
  const changed = keys.filter((k) => !same(form[k], formOf(base)[k]));
  const send = (on: Customer) => save.mutate(section.inputOf(on, changed, form));
  const problem = save.error ? problemOf(save.error) : null;
  const errors: Record<string, string> = {};
  for (const [path, messages] of Object.entries(problem?.fieldErrors ?? {})) errors[path.split(".").at(-1) ?? path] = messages.join(", ");
  const set = (patch: Partial<F>) => setForm({ ...form, ...patch });
  const fields: Fields<F> = {
    form,
    set,
    text: (k) => ({ label: labels[k], value: String(form[k]), onChange: (e) => set({ [k]: e.currentTarget.value } as Partial<F>), error: errors[k] }),
    check: (k) => ({ label: labels[k], checked: form[k] === true, onChange: (e) => set({ [k]: e.currentTarget.checked } as Partial<F>), error: errors[k] }),
    list: (k) => ({ label: labels[k], value: form[k] as string[], onChange: (v) => set({ [k]: v } as Partial<F>), error: errors[k] }),
  };
  const unplaced = problem && problem.status !== 409 && !keys.some((k) => errors[k]);
  const theirs = conflict ? keys.filter((k) => !same(formOf(conflict)[k], formOf(base)[k])) : [];
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send(base);
  };
  return (
    <>
      <Modal opened={!conflict} onClose={onClose} title={section.title} size="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            {children(fields)}
            {problem && problem.status !== 409 && (
              <Alert color="red" data-testid="edit-problem">
                {unplaced ? problem.message : "Please correct the fields marked above."}
              </Alert>
            )}
            <FormActions onCancel={onClose} pending={save.isPending} disabled={changed.length === 0}>
              Save
            </FormActions>
          </Stack>
        </form>
      </Modal>
      <Modal opened={conflict !== null} onClose={() => setConflict(null)} title="Someone else changed this customer">
        {conflict && (
          <Stack>
            <Text size="sm">
              Version {base.version} you opened is now version {conflict.version}. {theirs.length ? "They changed:" : "They changed fields outside this form."}
            </Text>
            {theirs.map((k) => (
              <Text size="sm" key={k} data-testid="conflict-change">
                {labels[k]}: “{shown(formOf(base)[k])}” → “{shown(formOf(conflict)[k])}”
              </Text>
            ))}
            <Text size="sm">Your changes: {changed.map((k) => labels[k]).join(", ")}.</Text>
            <Group justify="flex-end">
              <Button
                variant="default"
                onClick={async () => {
                  await queryClient.invalidateQueries(trpc.customers.pathFilter());
                  onClose();
                }}
              >
                Reload (discard my changes)
              </Button>
              <Button
                onClick={() => {
                  setBase(conflict);
                  setConflict(null);
                  send(conflict);
                }}
              >
                Re-apply my changes
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
