import { CUSTOMER_EXPORT_FIELDS, CUSTOMER_SEGMENTS, CUSTOMER_STATUSES, CUSTOMER_TYPES, DEFAULT_CUSTOMER_EXPORT_FIELDS } from "@clientele/domain";
import type { RouterInputs, RouterOutputs } from "@clientele/sdk";
import { Alert, Anchor, Button, Group, Modal, MultiSelect, Progress, SegmentedControl, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useCustomerExportStatus } from "../../live/use-job-progress";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { FormActions } from "../../ui/form-actions";

export type ExportFilters = NonNullable<RouterInputs["customers"]["bulkExport"]["filters"]>;
type ExportStatus = RouterOutputs["customers"]["bulkExportStatus"];
type Format = "CSV" | "Excel" | "JSON";

const FIELD_CHOICES = Object.entries(CUSTOMER_EXPORT_FIELDS).map(([value, label]) => ({ value, label }));
const FORMATS: { value: Format; label: string }[] = [
  { value: "CSV", label: "CSV" },
  { value: "Excel", label: "Excel (.xlsx)" },
  { value: "JSON", label: "JSON" },
];
const EXTENSION: Record<Format, string> = { CSV: ".csv", Excel: ".xlsx", JSON: ".json" };
const running = (s: ExportStatus | undefined) => s?.status === "Queued" || s?.status === "Processing";

/** The export's progress while the worker writes the file, then its signed download link (no bearer token needed). */
function ExportProgress({ exportId, first }: { exportId: string; first: ExportStatus }) {
  const status = useCustomerExportStatus(exportId, first);
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
        {s.recordCount !== null ? `, ${s.recordCount.toLocaleString()} customers` : ""}
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
        <Anchor href={s.downloadUrl} download={`customers${EXTENSION[s.format as Format] ?? ""}`} data-testid="export-download">
          Download the file ({s.format}), valid until {s.expiresAt ? new Date(s.expiresAt).toLocaleString() : "tomorrow"}
        </Anchor>
      )}
    </Stack>
  );
}

/** Export the customers: the list's filters by default, the fields and the format to write. */
export function ExportDialog({ opened, onClose, filters }: { opened: boolean; onClose: () => void; filters: ExportFilters }) {
  const trpc = useTRPC();
  const [query, setQuery] = useState(filters.query ?? "");
  const [type, setType] = useState<string[]>(filters.type ?? []);
  const [segment, setSegment] = useState<string[]>(filters.segment ?? []);
  const [status, setStatus] = useState<string[]>(filters.status ?? []);
  const [tags, setTags] = useState<string[]>(filters.tags ?? []);
  const [fields, setFields] = useState<string[]>(DEFAULT_CUSTOMER_EXPORT_FIELDS);
  const [format, setFormat] = useState<Format>("CSV");
  const submit = useMutation(trpc.customers.bulkExport.mutationOptions());
  const problem = submit.error ? problemOf(submit.error) : null;
  const err = (key: string) => problem?.fieldErrors[key]?.join(", ");

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate({
      format,
      fields: fields as NonNullable<RouterInputs["customers"]["bulkExport"]["fields"]>,
      filters: {
        ...(query.trim() ? { query: query.trim() } : {}),
        ...(type.length ? { type: type as ExportFilters["type"] } : {}),
        ...(segment.length ? { segment: segment as ExportFilters["segment"] } : {}),
        ...(status.length ? { status: status as ExportFilters["status"] } : {}),
        ...(tags.length ? { tags } : {}),
      },
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Export customers" size="lg">
      {submit.data ? (
        <Stack>
          <ExportProgress exportId={submit.data.exportId} first={submit.data} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => submit.reset()}>
              Another export
            </Button>
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={onSubmit}>
          <Stack>
            <Text size="sm">The list&apos;s current filters are filled in; change them to export other customers.</Text>
            <TextInput label="Search text" value={query} onChange={(e) => setQuery(e.currentTarget.value)} error={err("filters.query")} />
            <Group grow>
              <MultiSelect label="Type" data={[...CUSTOMER_TYPES]} value={type} onChange={setType} clearable clearButtonProps={{ "aria-label": "Clear type" }} error={err("filters.type")} />
              <MultiSelect label="Segment" data={[...CUSTOMER_SEGMENTS]} value={segment} onChange={setSegment} clearable clearButtonProps={{ "aria-label": "Clear segment" }} error={err("filters.segment")} />
            </Group>
            <Group grow>
              <MultiSelect label="Status" data={[...CUSTOMER_STATUSES]} value={status} onChange={setStatus} clearable clearButtonProps={{ "aria-label": "Clear status" }} error={err("filters.status")} />
              <TagsInput label="Tags" placeholder="Enter to add" value={tags} onChange={setTags} clearable clearButtonProps={{ "aria-label": "Clear tags" }} error={err("filters.tags")} />
            </Group>
            <MultiSelect label="Fields" data={FIELD_CHOICES} value={fields} onChange={setFields} searchable error={err("fields")} />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="export-format-label">
                Format
              </Text>
              <SegmentedControl data={FORMATS} value={format} onChange={(v) => setFormat(v as Format)} aria-labelledby="export-format-label" />
            </Stack>
            {problem && (
              <Alert color="red" title="The export was refused" data-testid="export-problem">
                {problem.message}
              </Alert>
            )}
            <FormActions onCancel={onClose} pending={submit.isPending}>
              Export
            </FormActions>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
