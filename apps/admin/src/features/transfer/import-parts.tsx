import { Alert, Button, Paper, Select, SimpleGrid, Table, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import type { Problem } from "../../problem";
import { restDownload, restProblemOf } from "../../rest";
import { TableHead } from "../../ui/table-head";
import type { ChosenMappings, MappingSpec, MappingState } from "./import-mapping";
import type { ImportStatus } from "./import-progress";

/** The pieces the customer import wizard and the contact import page share. */

/**
 * An upload's or import's problem with its field messages; the mapping's show beside their fields
 * instead, unless the screen has no mapping fields (`withMappings`: columns the browser could not read).
 */
export function ImportProblem({ problem, title, withMappings = false }: { problem: Problem | null; title: string; withMappings?: boolean }) {
  if (!problem) return null;
  const fields = Object.entries(problem.fieldErrors).filter(([k]) => withMappings || !k.startsWith("mappings."));
  return (
    <Alert color="red" title={title} data-testid="import-problem">
      {problem.message}
      {fields.map(([k, m]) => (
        <Text key={k} size="sm">
          {k}: {m.join(", ")}
        </Text>
      ))}
    </Alert>
  );
}

/** One select per field: the column it reads (picked, or matched by name), with the mapping's messages beside it. */
export function MappingFields<F extends string>({
  spec,
  columns,
  chosen,
  state,
  errors,
  onChange,
}: {
  spec: MappingSpec<F>;
  columns: readonly string[];
  chosen: ChosenMappings<F>;
  state: MappingState<F>;
  errors: Partial<Record<F, string>>;
  onChange: (chosen: ChosenMappings<F>) => void;
}) {
  const choices = columns.map((c) => ({ value: c, label: c }));
  return (
    <Paper withBorder p="md">
      <Text size="sm" mb="xs">
        Pick the file column for each {spec.what} field. A field left empty reads the column of the same name, if the file has one.
      </Text>
      <SimpleGrid cols={{ base: 2, md: 4 }} data-testid="import-mapping">
        {spec.fields.map((field) => (
          <Select
            key={field}
            label={field}
            required={spec.required.includes(field)}
            placeholder="Not imported"
            data={choices}
            value={state.effective[field] ?? null}
            onChange={(v) => onChange({ ...chosen, [field]: v ?? undefined })}
            description={state.byName.has(field) ? "matched by name" : undefined}
            error={errors[field]}
            clearable={!state.byName.has(field)}
            clearButtonProps={{ "aria-label": `Clear ${field}` }}
            searchable
          />
        ))}
      </SimpleGrid>
    </Paper>
  );
}

/** The first 100 row errors the status carries; the full list is the CSV report. */
export function RowErrors({ status }: { status: ImportStatus }) {
  if (status.errors.length === 0) return <Text size="sm">No row errors.</Text>;
  return (
    <Table striped withTableBorder data-testid="import-row-errors">
      <TableHead columns={["Row", "Field", "Reason"]} />
      <Table.Tbody>
        {status.errors.map((e, i) => (
          <Table.Tr key={`${e.row}-${e.field}-${i}`}>
            <Table.Td>{e.row}</Table.Td>
            <Table.Td>{e.field}</Table.Td>
            <Table.Td>{e.reason}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Every row error as CSV (REST: the download needs the bearer token), when there are any. */
export function ErrorReport({ status, name }: { status: ImportStatus; name: string }) {
  const download = useMutation({ mutationFn: () => restDownload(status.errorReportUrl, `${name}-import-${status.importId}-errors.csv`) });
  if (status.failed === 0) return null;
  return (
    <>
      <Button variant="light" onClick={() => download.mutate()} loading={download.isPending}>
        Download error report (CSV)
      </Button>
      {download.error != null && (
        <Alert color="red" title="The error report could not be downloaded">
          {restProblemOf(download.error).message}
        </Alert>
      )}
    </>
  );
}
