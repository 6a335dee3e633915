import { Alert, Anchor, Button, Group, Modal, Progress, SegmentedControl, Stack, Text } from "@mantine/core";
import type { FormEvent, ReactNode } from "react";
import type { Problem } from "../../problem";
import { FormActions } from "../../ui/form-actions";
import { useExportStatus, type ExportStatus, type Kind } from "../../live/use-job-progress";
import { problemOf } from "../../problem";

/** The pieces the customer and the contact export dialogs share. */

export type Format = "CSV" | "Excel" | "JSON";

const FORMATS: { value: Format; label: string }[] = [
  { value: "CSV", label: "CSV" },
  { value: "Excel", label: "Excel (.xlsx)" },
  { value: "JSON", label: "JSON" },
];
const EXTENSION: Record<Format, string> = { CSV: ".csv", Excel: ".xlsx", JSON: ".json" };
const NOUN: Record<Kind, string> = { Customer: "customers", Contact: "contacts" };
const running = (s: ExportStatus | undefined) => s?.status === "Queued" || s?.status === "Processing";

/** The format to write, labelled for screen readers. */
export function ExportFormat({ value, onChange }: { value: Format; onChange: (format: Format) => void }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id="export-format-label">
        Format
      </Text>
      <SegmentedControl data={FORMATS} value={value} onChange={(v) => onChange(v as Format)} aria-labelledby="export-format-label" />
    </Stack>
  );
}

/** The export's progress while the worker writes the file, then its signed download link (no bearer token needed). */
export function ExportProgress({ kind, exportId, first }: { kind: Kind; exportId: string; first: ExportStatus }) {
  const status = useExportStatus(kind, exportId, first);
  const s = status.data;
  if (status.error)
    return (
      <Alert color="red" title="The export's status could not be read">
        {problemOf(status.error).message}
      </Alert>
    );
  return (
    <Stack gap="xs" data-testid="export-progress" data-status={s.status}>
      <Text size="sm" aria-live="polite">
        Export: {s.status}
        {s.recordCount !== null ? `, ${s.recordCount.toLocaleString()} ${NOUN[kind]}` : ""}
      </Text>
      {running(s) && (
        <Progress.Root size="lg">
          <Progress.Section value={100} animated aria-label="Export progress" />
        </Progress.Root>
      )}
      {s.status === "Failed" && (
        <Alert color="red" title="The export failed">
          {s.failureReason ?? "The worker stopped it."}
        </Alert>
      )}
      {s.status === "Completed" && s.downloadUrl && (
        <Anchor href={s.downloadUrl} download={`${NOUN[kind]}${EXTENSION[s.format as Format] ?? ""}`} data-testid="export-download">
          Download the file ({s.format}), valid until {s.expiresAt ? new Date(s.expiresAt).toLocaleString() : "tomorrow"}
        </Anchor>
      )}
    </Stack>
  );
}

/**
 * An export dialog: the form (its fields are the children) with the refusal and the actions, then,
 * once submitted, the progress with "Another export" back to the form.
 */
export function ExportDialogFrame(p: {
  title: string;
  kind: Kind;
  opened: boolean;
  onClose: () => void;
  onSubmit: (e: FormEvent) => void;
  submitted: ExportStatus | undefined;
  onAgain: () => void;
  pending: boolean;
  problem: Problem | null;
  children: ReactNode;
}) {
  return (
    <Modal opened={p.opened} onClose={p.onClose} title={p.title} size="lg">
      {p.submitted ? (
        <Stack>
          <ExportProgress kind={p.kind} exportId={p.submitted.exportId} first={p.submitted} />
          <Group justify="flex-end">
            <Button variant="default" onClick={p.onAgain}>
              Another export
            </Button>
            <Button onClick={p.onClose}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={p.onSubmit}>
          <Stack>
            {p.children}
            {p.problem && (
              <Alert color="red" title="The export was refused" data-testid="export-problem">
                {p.problem.message}
              </Alert>
            )}
            <FormActions onCancel={p.onClose} pending={p.pending}>
              Export
            </FormActions>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
