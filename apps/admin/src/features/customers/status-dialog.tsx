import { Alert, Button, Group, Modal, Stack, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";

export type StatusAction = "deactivate" | "reactivate";

/** Deactivate or reactivate with the reason the API records in the audit trail (and the customer's statusReason). */
export function StatusDialog({ customer, action, onClose, onDone }: { customer: { id: string; version: number }; action: StatusAction; onClose: () => void; onDone?: (result: { id: string; version: number }) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const options = action === "deactivate" ? trpc.customers.deactivate.mutationOptions() : trpc.customers.reactivate.mutationOptions();
  const change = useMutation({
    ...options,
    onSuccess: async (result) => {
      onDone?.(result);
      onClose();
      await queryClient.invalidateQueries(trpc.customers.pathFilter());
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ id: customer.id, version: customer.version, reason });
  };
  const problem = change.error ? problemOf(change.error) : null;
  return (
    <Modal opened onClose={onClose} title={action === "deactivate" ? "Deactivate customer" : "Reactivate customer"}>
      <form onSubmit={submit}>
        <Stack>
          <Textarea label="Reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={problem?.fieldErrors.reason?.join(", ")} autosize minRows={2} />
          {problem && !problem.fieldErrors.reason && <Alert color="red">{problem.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color={action === "deactivate" ? "red" : undefined} loading={change.isPending} disabled={!reason.trim()}>
              {action === "deactivate" ? "Deactivate" : "Reactivate"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
