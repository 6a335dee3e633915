import type { RouterInputs, RouterOutputs } from "@clientele/sdk";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRef, useState } from "react";
import { useTRPC } from "../trpc";
import { useResubscribe, type LiveItem } from "./live";

type Kind = RouterInputs["live"]["importProgress"]["kind"];
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
 * e.g. to update a cached status query (see useCustomerImportStatus).
 */
export function useJobProgress(job: ImportJob, o?: { onProgress?: (p: ImportProgress) => void }): JobProgress<ImportProgress>;
export function useJobProgress(job: ExportJob, o?: { onProgress?: (p: ExportProgress) => void }): JobProgress<ExportProgress>;
export function useJobProgress(job: ImportJob | ExportJob, o: { onProgress?: (p: never) => void } = {}): JobProgress<ImportProgress | ExportProgress> {
  const trpc = useTRPC();
  const [progress, setProgress] = useState<ImportProgress | ExportProgress>();
  const onProgress = useRef(o.onProgress);
  onProgress.current = o.onProgress;
  const done = progress !== undefined && finished(progress.status);
  const take = (p: ImportProgress | ExportProgress) => {
    setProgress(p);
    onProgress.current?.(p as never);
  };
  // Both are called on every render (hooks); only the one for this job is enabled.
  const imports = useSubscription(
    trpc.live.importProgress.subscriptionOptions(job.type === "import" ? { kind: job.kind, importId: job.importId } : { kind: "Customer", importId: "" }, {
      enabled: job.type === "import" && !done,
      onData: (item) => take(item.data),
    }),
  );
  const exports = useSubscription(
    trpc.live.exportProgress.subscriptionOptions(job.type === "export" ? { kind: job.kind, exportId: job.exportId } : { kind: "Customer", exportId: "" }, {
      enabled: job.type === "export" && !done,
      onData: (item) => take(item.data),
    }),
  );
  const sub = job.type === "import" ? imports : exports;
  useResubscribe(sub);
  return { progress, done, connection: sub.status, error: sub.error };
}

/**
 * A customer import's status query (customers.bulkImportStatus) kept current by live progress
 * rather than by polling: read once, then each pushed state is written into the cached answer,
 * and the end reads it again (for the final row errors). Should the live connection fail, it
 * falls back to polling. Returns the query, so it replaces a polled useQuery one for one.
 */
export function useCustomerImportStatus(importId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = trpc.customers.bulkImportStatus.queryOptions({ importId });
  const live = useJobProgress(
    { type: "import", kind: "Customer", importId },
    {
      onProgress: (p) => {
        queryClient.setQueryData(options.queryKey, (old) => old && { ...old, ...p });
        if (finished(p.status)) void queryClient.invalidateQueries({ queryKey: options.queryKey });
      },
    },
  );
  return useQuery({
    ...options,
    staleTime: 0,
    refetchInterval: (q) => (live.connection === "error" && !finished(q.state.data?.status ?? "Queued") ? 2000 : false),
  });
}
