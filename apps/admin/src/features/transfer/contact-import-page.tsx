import { Alert, Anchor, Button, Checkbox, FileInput, Group, Paper, Select, Stack, Stepper, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { importStatusOptions, type ImportStatus } from "../../live/use-job-progress";
import { missing } from "../../privileges";
import { problemOf, type Problem } from "../../problem";
import { restProblemOf, restUpload } from "../../rest";
import { contactImportRoute } from "../../router";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { Notice } from "../../ui/notice";
import { readFileColumns, type FileColumns } from "./file-columns";
import { CONTACT_MAPPING, IMPORT_FORMATS, mappingErrorsOf, mappingState, mappingsToSend, type ChosenMappings } from "./import-mapping";
import { ErrorReport, ImportProblem, MappingFields, RowErrors } from "./import-parts";
import { ImportProgress } from "./import-progress";

type Mode = "create" | "upsert";

const UNREAD: Record<FileColumns["format"], string> = { Excel: "an Excel workbook", CSV: "no header row found", JSON: "not an array of objects", "not a table": "it is not CSV, Excel or JSON text" };
type Run = { id: string; dryRun: boolean; settled: ImportStatus | null };

/** A refused upload in the user's terms: what a 413 or 415 means, then the API's own detail. */
function uploadRefusal(p: Problem): string {
  if (p.status === 413) return `The file is larger than a contact import takes: ${p.message}`;
  if (p.status === 415) return `The import reads only ${IMPORT_FORMATS.label} files: ${p.message}`;
  return p.message;
}

/** A problem with the file itself (too large, not a table, unreadable): shown beside the file. */
const isFileProblem = (p: Problem) => p.status === 413 || p.status === 415 || p.fieldErrors.file !== undefined;

/** The customer the rows without one go to (the Contacts tab's), named as its page names it. */
function DefaultCustomer({ customerId }: { customerId: string | undefined }) {
  const trpc = useTRPC();
  const customer = useQuery({ ...trpc.customers.get.queryOptions({ id: customerId ?? "" }), enabled: customerId !== undefined });
  if (!customerId)
    return <Text size="sm">Every row names its customer: map a customerId or customerNumber column. To import one customer&apos;s contacts, start from that customer&apos;s Contacts tab.</Text>;
  if (customer.error)
    return (
      <Alert color="red" title="The customer could not be loaded">
        {problemOf(customer.error).message}
      </Alert>
    );
  const name = customer.data ? `${customer.data.profile.companyName} (${customer.data.customerNumber})` : "this customer";
  return (
    <Text size="sm" data-testid="contact-import-customer">
      Rows that name no customer (no customerId or customerNumber cell) are added to {name}.
    </Text>
  );
}

/**
 * Contact import: a file (its columns read here, as the API has no contact preview), the column
 * mapping, a dry run or the import itself, then the counts, the first row errors and the CSV report.
 */
export function ContactImportPage() {
  const { customerId } = contactImportRoute.useSearch();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const [step, setStep] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [columns, setColumns] = useState<FileColumns | null>(null);
  const [mode, setMode] = useState<Mode>("create");
  const [dryRun, setDryRun] = useState(true);
  const [chosen, setChosen] = useState<ChosenMappings<(typeof CONTACT_MAPPING.fields)[number]>>({});
  const [run, setRun] = useState<Run | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const known = columns?.columns ?? null;
  const state = mappingState(known ?? [], chosen, CONTACT_MAPPING);

  const read = useMutation({
    mutationFn: readFileColumns,
    onSuccess: (c) => {
      setColumns(c);
      setChosen({});
      setStep(1);
    },
  });

  // The upload answers the import's first status (a small file's last): it seeds the status query ImportProgress reads.
  const submit = useMutation({
    mutationFn: (asDryRun: boolean) => {
      const form = new FormData();
      form.set("file", file!, file!.name);
      // Columns the browser could not read: the API maps them by name and says which required one is missing.
      if (known) form.set("mappings", mappingsToSend(state));
      form.set("mode", mode);
      form.set("dryRun", String(asDryRun));
      if (customerId) form.set("defaultCustomerId", customerId);
      return restUpload<ImportStatus>("/customers/contacts/import", form);
    },
    onSuccess: (status) => {
      queryClient.setQueryData(importStatusOptions(trpc, "Contact", status.importId).queryKey, status);
      setRun({ id: status.importId, dryRun: status.dryRun, settled: null });
      setStep(2);
    },
    onError: (error) => {
      // A problem with the file itself belongs beside the file, one with a mapping beside its field.
      const p = restProblemOf(error);
      if (isFileProblem(p)) setStep(0);
      else if (Object.keys(p.fieldErrors).some((k) => k.startsWith("mappings."))) setStep(1);
    },
  });

  const cannot = missing(session?.roles ?? [], "customer:update");
  if (cannot)
    return (
      <Alert color="yellow" title="You cannot import contacts">
        {cannot}
      </Alert>
    );

  const problem = submit.error ? restProblemOf(submit.error) : null;
  // The browser failing to read the file is a problem with the file too.
  const fileProblem = read.error ? restProblemOf(read.error) : problem && isFileProblem(problem) ? problem : null;
  const fieldErrors = { ...mappingErrorsOf(problem?.fieldErrors ?? {}, CONTACT_MAPPING), ...state.errors };
  const blocked = known !== null && Object.keys(state.errors).length > 0;

  const restart = () => {
    setStep(0);
    setFile(null);
    setColumns(null);
    setRun(null);
    read.reset();
    submit.reset();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Import contacts
        </Title>
        {customerId ? (
          <Anchor renderRoot={(props) => <Link {...props} to="/customers/$customerId" params={{ customerId }} />}>
            Back to the customer
          </Anchor>
        ) : (
          <Anchor component={Link} to="/customers">
            Back to customers
          </Anchor>
        )}
      </Group>
      <DefaultCustomer customerId={customerId} />
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="import-notice" />
      <Stepper active={step} allowNextStepsSelect={false} onStepClick={(s) => s < step && setStep(s)}>
        <Stepper.Step label="Upload" description="CSV, Excel or JSON">
          <Paper withBorder p="md">
            <Stack>
              <FileInput
                label="File to import"
                description={`${IMPORT_FORMATS.label}, with a header row.`}
                accept={IMPORT_FORMATS.accept}
                value={file}
                onChange={(f) => {
                  setFile(f);
                  read.reset();
                  submit.reset();
                }}
                error={fileProblem ? (fileProblem.fieldErrors.file?.join(", ") ?? uploadRefusal(fileProblem)) : undefined}
                clearable
                clearButtonProps={{ "aria-label": "Clear the file" }}
                w={480}
              />
              {fileProblem && (
                <Alert color="red" title="The file cannot be imported" data-testid="import-problem">
                  {uploadRefusal(fileProblem)}
                </Alert>
              )}
              <Group>
                <Button onClick={() => file && read.mutate(file)} disabled={!file} loading={read.isPending}>
                  Read file
                </Button>
              </Group>
            </Stack>
          </Paper>
        </Stepper.Step>

        <Stepper.Step label="Map columns" description="Mode and dry run">
          {columns && (
            <Stack>
              <Text size="sm" data-testid="import-file-summary">
                {file?.name}: {columns.format}
                {known ? `, columns ${known.join(", ")}.` : "."}
              </Text>
              <Select
                label="Mode"
                data={[
                  { value: "create", label: "Create: every row is a new contact" },
                  { value: "upsert", label: "Upsert: a row whose email a contact of its customer has updates that contact" },
                ]}
                value={mode}
                onChange={(v) => setMode(v === "upsert" ? "upsert" : "create")}
                allowDeselect={false}
                w={560}
              />
              {known ? (
                <MappingFields spec={CONTACT_MAPPING} columns={known} chosen={chosen} state={state} errors={fieldErrors} onChange={setChosen} />
              ) : (
                <Alert color="blue" title="Columns map by name" data-testid="import-unmapped">
                  The browser cannot read this file&apos;s columns ({UNREAD[columns.format]}), so it is sent without mappings: columns named like the
                  contact fields ({CONTACT_MAPPING.fields.join(", ")}) are read, and a missing required one is named below. Save it as CSV to map other column names.
                </Alert>
              )}
              <Checkbox label="Dry run: check and count every row, write nothing" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
              {problem && !fileProblem && <ImportProblem problem={problem} title="The import was refused" withMappings={!known} />}
              <Group>
                <Button variant="default" onClick={restart}>
                  Choose another file
                </Button>
                <Button onClick={() => submit.mutate(dryRun)} loading={submit.isPending} disabled={blocked}>
                  {dryRun ? "Start dry run" : "Import contacts"}
                </Button>
              </Group>
            </Stack>
          )}
        </Stepper.Step>

        <Stepper.Step label={run?.dryRun ? "Dry run" : "Import"} description="Counts and row errors">
          {run && (
            <Stack>
              <ImportProgress
                kind="Contact"
                importId={run.id}
                onSettled={(s) => {
                  setRun({ ...run, settled: s });
                  if (!s.dryRun) {
                    setNotice(s.status === "Completed" ? `Import finished: ${s.imported.toLocaleString()} created, ${s.updated.toLocaleString()} updated, ${s.failed.toLocaleString()} refused.` : null);
                    void queryClient.invalidateQueries(trpc.contacts.pathFilter());
                  }
                }}
              />
              {run.settled && (
                <>
                  {run.settled.failed > 0 && <RowErrors status={run.settled} />}
                  {problem && <ImportProblem problem={problem} title="The import was refused" />}
                  <Group>
                    <ErrorReport status={run.settled} name="contact" />
                    {run.settled.dryRun && (
                      <>
                        <Button variant="default" onClick={() => setStep(1)}>
                          Back to mapping
                        </Button>
                        <Button onClick={() => submit.mutate(false)} loading={submit.isPending} disabled={run.settled.status !== "Completed"}>
                          Import {(run.settled.imported + run.settled.updated).toLocaleString()} rows
                        </Button>
                      </>
                    )}
                    <Button variant="default" onClick={restart}>
                      Import another file
                    </Button>
                  </Group>
                </>
              )}
            </Stack>
          )}
        </Stepper.Step>
      </Stepper>
    </Stack>
  );
}
