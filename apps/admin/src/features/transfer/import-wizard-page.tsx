import { MAX_CUSTOMER_IMPORT_BYTES, MAX_CUSTOMER_IMPORT_RECORDS } from "@clientele/domain";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Anchor, Button, FileInput, Group, Paper, Select, Stack, Stepper, Table, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { missing } from "../../privileges";
import { restProblemOf, restUpload } from "../../rest";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";
import { customerMapping, IMPORT_FORMATS, mappingErrorsOf, mappingState, mappingsToSend, previewRows, type ChosenMappings, type ImportOptions } from "./import-mapping";
import { ErrorReport, ImportProblem, MappingFields, RowErrors } from "./import-parts";
import { ImportProgress, type ImportStatus } from "./import-progress";

type Preview = RouterOutputs["customers"]["bulkImportPreview"];

const LIMITS = `${IMPORT_FORMATS.label}; at most ${MAX_CUSTOMER_IMPORT_BYTES / 1024 / 1024} MB and ${MAX_CUSTOMER_IMPORT_RECORDS.toLocaleString("en-US")} records, with a header row.`;

export function ImportWizardPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const [step, setStep] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [options, setOptions] = useState<ImportOptions>({ mode: "create", matchOn: "email" });
  const [chosen, setChosen] = useState<ChosenMappings>({});
  const [dryRun, setDryRun] = useState<{ id: string; settled: ImportStatus | null } | null>(null);
  const [run, setRun] = useState<{ id: string; settled: ImportStatus | null } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const spec = customerMapping(options);
  const state = mappingState(preview?.columns ?? [], chosen, spec);

  const read = useMutation({
    mutationFn: (f: File) => {
      const form = new FormData();
      form.set("file", f, f.name);
      return restUpload<Preview>("/customers/bulk/import/preview", form);
    },
    onSuccess: (p) => {
      setPreview(p);
      setChosen({});
      setStep(1);
    },
  });

  // The upload answers the import's first status: it seeds the status query ImportProgress then polls.
  const submit = useMutation({
    mutationFn: async (asDryRun: boolean) => {
      const form = new FormData();
      form.set("file", file!, file!.name);
      form.set("mappings", mappingsToSend(state));
      form.set("mode", options.mode);
      form.set("matchOn", options.matchOn);
      form.set("dryRun", String(asDryRun));
      return restUpload<RouterOutputs["customers"]["bulkImportStatus"]>("/customers/bulk/import", form);
    },
    onSuccess: (status, asDryRun) => {
      queryClient.setQueryData(trpc.customers.bulkImportStatus.queryKey({ importId: status.importId }), status);
      if (asDryRun) {
        setDryRun({ id: status.importId, settled: null });
        setStep(2);
      } else {
        setRun({ id: status.importId, settled: null });
        setStep(3);
      }
    },
  });

  const cannot = missing(session?.roles ?? [], "customer:create");
  if (cannot)
    return (
      <Alert color="yellow" title="You cannot import customers">
        {cannot}
      </Alert>
    );

  const submitProblem = submit.error ? restProblemOf(submit.error) : null;
  const fieldErrors = { ...mappingErrorsOf(submitProblem?.fieldErrors ?? {}, spec), ...state.errors };
  const sample = preview ? previewRows(preview.rows, state.effective) : null;

  const restart = () => {
    setStep(0);
    setFile(null);
    setPreview(null);
    setDryRun(null);
    setRun(null);
    read.reset();
    submit.reset();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Import customers
        </Title>
        <Anchor component={Link} to="/customers">
          Back to customers
        </Anchor>
      </Group>
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="import-notice" />
      <Stepper active={step} allowNextStepsSelect={false} onStepClick={(s) => s < step && !run && setStep(s)}>
        <Stepper.Step label="Upload" description="CSV, Excel or JSON">
          <Paper withBorder p="md">
            <Stack>
              <FileInput
                label="File to import"
                description={LIMITS}
                accept={IMPORT_FORMATS.accept}
                value={file}
                onChange={(f) => {
                  setFile(f);
                  read.reset();
                }}
                clearable
                clearButtonProps={{ "aria-label": "Clear the file" }}
                w={480}
              />
              <ImportProblem problem={read.error ? restProblemOf(read.error) : null} title="The file cannot be imported" />
              <Group>
                <Button onClick={() => file && read.mutate(file)} disabled={!file} loading={read.isPending}>
                  Read file
                </Button>
              </Group>
            </Stack>
          </Paper>
        </Stepper.Step>

        <Stepper.Step label="Map columns" description="Preview the first rows">
          {preview && sample && (
            <Stack>
              <Text size="sm" data-testid="import-file-summary">
                {file?.name}: {preview.format}, {preview.totalRows.toLocaleString()} records, columns {preview.columns.join(", ")}.
              </Text>
              <Group align="flex-end">
                <Select
                  label="Mode"
                  data={[
                    { value: "create", label: "Create: every row is a new customer" },
                    { value: "upsert", label: "Upsert: a matching row updates the customer" },
                  ]}
                  value={options.mode}
                  onChange={(v) => setOptions({ ...options, mode: v === "upsert" ? "upsert" : "create" })}
                  allowDeselect={false}
                  w={360}
                />
                {options.mode === "upsert" && (
                  <Select
                    label="Match customers by"
                    data={[
                      { value: "email", label: "Primary email" },
                      { value: "customerNumber", label: "Customer number" },
                    ]}
                    value={options.matchOn}
                    onChange={(v) => setOptions({ ...options, matchOn: v === "customerNumber" ? "customerNumber" : "email" })}
                    allowDeselect={false}
                    w={220}
                  />
                )}
              </Group>
              <MappingFields spec={spec} columns={preview.columns} chosen={chosen} state={state} errors={fieldErrors} onChange={setChosen} />
              <Title order={2} size="h4">
                Preview of the first {sample.rows.length} rows
              </Title>
              {sample.fields.length === 0 ? (
                <Text size="sm">No column is mapped yet.</Text>
              ) : (
                <div style={{ overflowX: "auto" }} role="region" aria-label="Preview of the first rows" tabIndex={0}>
                  <Table striped withTableBorder data-testid="import-preview">
                    <TableHead columns={sample.fields} />
                    <Table.Tbody>
                      {sample.rows.map((r, i) => (
                        <Table.Tr key={i}>
                          {sample.fields.map((f) => (
                            <Table.Td key={f}>{r[f]}</Table.Td>
                          ))}
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </div>
              )}
              <ImportProblem problem={submitProblem} title="The import was refused" />
              <Group>
                <Button variant="default" onClick={restart}>
                  Choose another file
                </Button>
                <Button onClick={() => submit.mutate(true)} loading={submit.isPending} disabled={Object.keys(state.errors).length > 0}>
                  Dry run
                </Button>
              </Group>
            </Stack>
          )}
        </Stepper.Step>

        <Stepper.Step label="Dry run" description="Row errors, nothing written">
          {dryRun && (
            <Stack>
              <ImportProgress kind="Customer" importId={dryRun.id} onSettled={(s) => setDryRun({ id: dryRun.id, settled: s })} />
              {dryRun.settled && (
                <>
                  <RowErrors status={dryRun.settled} />
                  <ImportProblem problem={submitProblem} title="The import was refused" />
                  <Group>
                    <Button variant="default" onClick={() => setStep(1)}>
                      Back to mapping
                    </Button>
                    <ErrorReport status={dryRun.settled} name="customer" />
                    <Button onClick={() => submit.mutate(false)} loading={submit.isPending} disabled={dryRun.settled.status !== "Completed"}>
                      Import {(dryRun.settled.imported + dryRun.settled.updated).toLocaleString()} rows
                    </Button>
                  </Group>
                </>
              )}
            </Stack>
          )}
        </Stepper.Step>

        <Stepper.Step label="Import" description="Progress and error report">
          {run && (
            <Stack>
              <ImportProgress
                kind="Customer"
                importId={run.id}
                onSettled={(s) => {
                  setRun({ id: run.id, settled: s });
                  setNotice(s.status === "Completed" ? `Import finished: ${s.imported.toLocaleString()} created, ${s.updated.toLocaleString()} updated, ${s.failed.toLocaleString()} refused.` : null);
                  void queryClient.invalidateQueries(trpc.customers.search.pathFilter());
                }}
              />
              {run.settled && <ImportResult status={run.settled} onAnother={restart} />}
            </Stack>
          )}
        </Stepper.Step>
      </Stepper>
    </Stack>
  );
}

function ImportResult({ status, onAnother }: { status: ImportStatus; onAnother: () => void }) {
  return (
    <Stack>
      {status.failed > 0 && <RowErrors status={status} />}
      <Group>
        <ErrorReport status={status} name="customer" />
        <Button component={Link} to="/customers" variant="default">
          Go to customers
        </Button>
        <Button variant="default" onClick={onAnother}>
          Import another file
        </Button>
      </Group>
    </Stack>
  );
}
