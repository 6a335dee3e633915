import { CUSTOMER_EXPORT_FIELDS, CUSTOMER_SEGMENTS, CUSTOMER_STATUSES, CUSTOMER_TYPES, DEFAULT_CUSTOMER_EXPORT_FIELDS } from "@clientele/domain";
import type { RouterInputs } from "@clientele/sdk";
import { Group, MultiSelect, TagsInput, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { ExportDialogFrame, ExportFormat, type Format } from "./export-progress";

export type ExportFilters = NonNullable<RouterInputs["customers"]["bulkExport"]["filters"]>;

const FIELD_CHOICES = Object.entries(CUSTOMER_EXPORT_FIELDS).map(([value, label]) => ({ value, label }));

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
    <ExportDialogFrame title="Export customers" kind="Customer" opened={opened} onClose={onClose} onSubmit={onSubmit} submitted={submit.data} onAgain={() => submit.reset()} pending={submit.isPending} problem={problem}>
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
      <ExportFormat value={format} onChange={setFormat} />
    </ExportDialogFrame>
  );
}
