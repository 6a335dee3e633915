import { SUSPENSION_REASONS, type Privilege, type SuspensionReason } from "@clientele/domain";
import { Alert, Modal, Select, Stack, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { FormActions } from "../../ui/form-actions";

export type StatusAction = "deactivate" | "reactivate" | "suspend" | "unsuspend" | "archive";

/** Each action's button and dialog title, the privilege it needs (the API checks the same), and whether it is a warning colour. */
export const STATUS_ACTIONS: Record<StatusAction, { label: string; title: string; privilege: Privilege; danger: boolean }> = {
  deactivate: { label: "Deactivate", title: "Deactivate customer", privilege: "customer:delete", danger: true },
  reactivate: { label: "Reactivate", title: "Reactivate customer", privilege: "customer:update", danger: false },
  suspend: { label: "Suspend", title: "Suspend customer", privilege: "customer:suspend", danger: true },
  unsuspend: { label: "Restore", title: "Restore suspended customer", privilege: "customer:suspend", danger: false },
  archive: { label: "Archive", title: "Archive customer (cannot be changed afterwards)", privilege: "customer:delete", danger: true },
};

/**
 * A status change with the reason the API records in the audit trail (and the customer's
 * statusReason): free text, except a suspension, whose reason is one of the domain's with an optional note.
 */
export function StatusDialog({ customer, action, onClose, onDone }: { customer: { id: string; version: number }; action: StatusAction; onClose: () => void; onDone?: (result: { id: string; version: number }) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [suspension, setSuspension] = useState<SuspensionReason | null>(null);
  const onSuccess = async (result: { id: string; version: number }) => {
    onDone?.(result);
    onClose();
    await queryClient.invalidateQueries(trpc.customers.pathFilter());
  };
  // One mutation per procedure (their inputs differ); only the dialog's own action is ever called.
  const deactivate = useMutation({ ...trpc.customers.deactivate.mutationOptions(), onSuccess });
  const reactivate = useMutation({ ...trpc.customers.reactivate.mutationOptions(), onSuccess });
  const unsuspend = useMutation({ ...trpc.customers.unsuspend.mutationOptions(), onSuccess });
  const archive = useMutation({ ...trpc.customers.archive.mutationOptions(), onSuccess });
  const suspend = useMutation({ ...trpc.customers.suspend.mutationOptions(), onSuccess });
  const change = { deactivate, reactivate, unsuspend, archive, suspend }[action];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const base = { id: customer.id, version: customer.version };
    if (action === "suspend") {
      if (suspension) suspend.mutate({ ...base, reason: suspension, note: reason.trim() || null });
    } else ({ deactivate, reactivate, unsuspend, archive })[action].mutate({ ...base, reason });
  };
  const problem = change.error ? problemOf(change.error) : null;
  const { label, title, danger } = STATUS_ACTIONS[action];
  const reasonError = problem?.fieldErrors[action === "suspend" ? "note" : "reason"]?.join(", ");
  return (
    <Modal opened onClose={onClose} title={title}>
      <form onSubmit={submit}>
        <Stack>
          {action === "suspend" && (
            <Select label="Reason" required data={[...SUSPENSION_REASONS]} value={suspension} onChange={(v) => setSuspension(v as SuspensionReason | null)} error={problem?.fieldErrors.reason?.join(", ")} />
          )}
          <Textarea
            label={action === "suspend" ? "Note" : "Reason"}
            required={action !== "suspend"}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={reasonError}
            autosize
            minRows={2}
          />
          {problem && !reasonError && !(action === "suspend" && problem.fieldErrors.reason) && <Alert color="red">{problem.message}</Alert>}
          <FormActions onCancel={onClose} pending={change.isPending} color={danger ? "red" : undefined} disabled={action === "suspend" ? !suspension : !reason.trim()}>
            {label}
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}
