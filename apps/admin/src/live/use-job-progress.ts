import type { RouterInputs, RouterOutputs } from "@clientele/sdk";
import { useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRef, useState } from "react";
import { useTRPC } from "../trpc";
import { useResubscribe, type LiveItem } from "./live";

export type Kind = RouterInputs["live"]["importProgress"]["kind"];
export type ImportProgress = LiveItem<RouterOutputs["live"]["importProgress"]>["data"];
export type ExportProgress = LiveItem<RouterOutputs["live"]["exportProgress"]>["data"];
export type ImportJob = { type: "import"; kind: Kind; importId: string };
export type ExportJob = { type: "export"; kind: Kind; exportId: string };

const finished = (status: string) => status !== "Queued" && status !== "Processing";

export type JobProgress<P> = {
  /** The job's latest state, or undefined until the first one arrives. */
  progress: P | undefined;
  /** The job ended (completed, failed, expired): no more updates come. */
  done: boolean;
  /** The live connection: "connecting" while it (re)connects, "error" when it could not (see useResubscribe). */
  connection: "idle" | "connecting" | "pending" | "error";
  error: unknown;
};

/**
 * An import's or export's progress as the worker makes it, pushed by the API (live.importProgress /
 * live.exportProgress over server-sent events) instead of polled. `onProgress` hears every state,
 * e.g. to update a cached status query (see useImportStatus).
 */
export function useJobProgress(job: ImportJob, o?: { onProgress?: (p: ImportProgress) => void }): JobProgress<ImportProgress>;
export function useJobProgress(job: ExportJob, o?: { onProgress?: (p: ExportProgress) => void }): JobProgress<ExportProgress>;
export function useJobProgress(job: ImportJob | ExportJob, o: { onProgress?: (p: never) => void } = {}): JobProgress<ImportProgress | ExportProgress> {
  const trpc = useTRPC();
  // Kept with the job it belongs to: a screen that moves on to another job (a dry run, then the
  // import) must not take the last one's end for the new one's.
  const key = job.type === "import" ? `import:${job.kind}:${job.importId}` : `export:${job.kind}:${job.exportId}`;
  const [latest, setLatest] = useState<{ key: string; progress: ImportProgress | ExportProgress }>();
  const progress = latest?.key === key ? latest.progress : undefined;
  const onProgress = useRef(o.onProgress);
  onProgress.current = o.onProgress;
  const done = progress !== undefined && finished(progress.status);
  const take = (p: ImportProgress | ExportProgress) => {
    setLatest({ key, progress: p });
    onProgress.current?.(p as never);
  };
  // Both are called on every render (hooks); only the one for this job is enabled.
  const imports = useSubscription(
    trpc.live.importProgress.subscriptionOptions(job.type === "import" ? { kind: job.kind, importId: job.importId } : { kind: "Customer", importId: "" }, {
      enabled: job.type === "import" && !done,
      // An item still arriving from the previous job's stream belongs to that job.
      onData: (item) => job.type === "import" && item.data.importId === job.importId && take(item.data),
    }),
  );
  const exports = useSubscription(
    trpc.live.exportProgress.subscriptionOptions(job.type === "export" ? { kind: job.kind, exportId: job.exportId } : { kind: "Customer", exportId: "" }, {
      enabled: job.type === "export" && !done,
      onData: (item) => job.type === "export" && item.data.exportId === job.exportId && take(item.data),
    }),
  );
  const sub = job.type === "import" ? imports : exports;
  useResubscribe(sub);
  return { progress, done, connection: sub.status, error: sub.error };
}

/**
 * Keeps a job's cached status query (`queryKey`) current from the live progress instead of polling:
 * each pushed state is written into the cached answer, and the end is read again rather than
 * pushed (only the status row holds the final row errors or the download link, and a screen that
 * acts once on "finished" must see them with it). Answers whether to poll: only while the live
 * connection fails.
 */
function useLiveStatus(job: ImportJob | ExportJob, queryKey: QueryKey): (status: string | undefined) => number | false {
  const queryClient = useQueryClient();
  const live = useJobProgress(job as ImportJob, {
    onProgress: (p) => {
      if (finished(p.status)) void queryClient.invalidateQueries({ queryKey });
      else queryClient.setQueryData(queryKey, (old: object | undefined) => old && { ...old, ...p });
    },
  });
  return (status) => (live.connection === "error" && !finished(status ?? "Queued") ? 2000 : false);
}

/** What the import screens read of an import's status: the contact import's shape, which the customer import's extends. */
export type ImportStatus = RouterOutputs["contactTransfer"]["importStatus"];
export type ExportStatus = RouterOutputs["contactTransfer"]["exportStatus"];

/** The status query of a kind's import (customers.bulkImportStatus, contactTransfer.importStatus): the one an upload's answer seeds. */
export function importStatusOptions(trpc: ReturnType<typeof useTRPC>, kind: Kind, importId: string) {
  const contact = trpc.contactTransfer.importStatus.queryOptions({ importId });
  // The customer's status has every field of the contact's (and its matchOn): read as the common shape.
  return kind === "Customer" ? (trpc.customers.bulkImportStatus.queryOptions({ importId }) as unknown as typeof contact) : contact;
}

/** An import's status query, kept current by live progress; replaces a polled useQuery one for one. */
export function useImportStatus(kind: Kind, importId: string) {
  const trpc = useTRPC();
  const options = importStatusOptions(trpc, kind, importId);
  const poll = useLiveStatus({ type: "import", kind, importId }, options.queryKey);
  return useQuery({ ...options, staleTime: 0, refetchInterval: (q) => poll(q.state.data?.status) });
}

/** An export's status query (customers.bulkExportStatus, contactTransfer.exportStatus), kept current by live progress, starting from the submit's answer. */
export function useExportStatus(kind: Kind, exportId: string, first: ExportStatus) {
  const trpc = useTRPC();
  const contact = trpc.contactTransfer.exportStatus.queryOptions({ exportId });
  const options = kind === "Customer" ? (trpc.customers.bulkExportStatus.queryOptions({ exportId }) as unknown as typeof contact) : contact;
  const poll = useLiveStatus({ type: "export", kind, exportId }, options.queryKey);
  return useQuery({ ...options, initialData: first, staleTime: 0, refetchInterval: (q) => poll(q.state.data?.status) });
}
