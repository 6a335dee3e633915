import { Alert, Center, Loader, Text, type MantineSize } from "@mantine/core";
import { problemOf } from "../problem";

/**
 * A list's loading, error and empty states: a labelled loader while the first answer is pending, the
 * problem's message under `errorTitle` when the query failed, and `emptyText` when it answered with no rows.
 * The rows themselves stay with the caller.
 */
export function ListStatus({
  query,
  loadingLabel,
  errorTitle,
  isEmpty = false,
  emptyText,
  loaderSize = "sm",
  padding = "md",
}: {
  query: { isPending: boolean; error: unknown };
  loadingLabel: string;
  errorTitle: string;
  isEmpty?: boolean;
  emptyText?: string;
  loaderSize?: MantineSize;
  padding?: MantineSize;
}) {
  return (
    <>
      {query.isPending && (
        <Center p={padding}>
          <Loader size={loaderSize} aria-label={loadingLabel} />
        </Center>
      )}
      {query.error != null && (
        <Alert color="red" title={errorTitle}>
          {problemOf(query.error).message}
        </Alert>
      )}
      {isEmpty && emptyText !== undefined && <Text size="sm">{emptyText}</Text>}
    </>
  );
}
