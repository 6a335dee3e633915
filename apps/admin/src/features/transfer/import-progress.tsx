import { Alert, Group, Progress, Stack, Text } from "@mantine/core";
import { useEffect } from "react";
import { useImportStatus, type ImportStatus, type Kind } from "../../live/use-job-progress";
import { problemOf } from "../../problem";

export type { ImportStatus };

const running = (s: ImportStatus | undefined) => !s || s.status === "Queued" || s.status === "Processing";

/**
 * An import's progress while the worker runs it, and its final counts: pushed by the API's
 * live.importProgress subscription (server-sent events), polling only while that connection fails.
 */
export function ImportProgress({ kind, importId, onSettled }: { kind: Kind; importId: string; onSettled?: (status: ImportStatus) => void }) {
  const status = useImportStatus(kind, importId);
  const data = status.data;
  const done = data !== undefined && !running(data);
  useEffect(() => {
    if (done) onSettled?.(data);
    // Once per import: when it stops running.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [done, importId]);

  if (status.error) {
    return (
      <Alert color="red" title="The import's progress could not be read">
        {problemOf(status.error).message}
      </Alert>
    );
  }
  const total = data?.totalRows ?? 0;
  const processed = data?.processedRows ?? 0;
  const percent = total ? Math.round((processed / total) * 100) : 0;
  return (
    <Stack gap="xs" data-testid="import-progress" data-status={data?.status ?? "Loading"} data-processed={processed}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {data?.dryRun ? "Dry run" : "Import"}: {data?.status ?? "starting"}
        </Text>
        <Text size="sm" aria-live="polite">
          {processed.toLocaleString()} of {total.toLocaleString()} rows ({percent}%)
        </Text>
      </Group>
      {/* The section is the progressbar: the name goes on it (axe: aria-progressbar-name). */}
      <Progress.Root size="lg">
        <Progress.Section value={percent} animated={!done} color={data?.status === "Failed" ? "red" : undefined} aria-label={`${data?.dryRun ? "Dry run" : "Import"} progress`} />
      </Progress.Root>
      {data && done && (
        <Text size="sm" data-testid="import-counts">
          {data.dryRun ? "Would create" : "Created"} {data.imported.toLocaleString()}, {data.dryRun ? "would update" : "updated"} {data.updated.toLocaleString()}, refused {data.failed.toLocaleString()}.
        </Text>
      )}
      {data?.status === "Failed" && (
        <Alert color="red" title="The import failed">
          {data.failureReason ?? "The worker stopped it."}
        </Alert>
      )}
    </Stack>
  );
}
