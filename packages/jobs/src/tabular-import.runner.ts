import {
  advanceImport,
  appendEvents,
  findImport,
  finishImport,
  inTransaction,
  insertImportErrors,
  markImportStarted,
  type ContactImport,
  type TransferKind,
  type Trx,
} from "@clientele/db";
import type { Actor, DomainEvent, RowError } from "@clientele/domain";
import { readRecords, type TabularData, type TabularFormat } from "@clientele/files";
import type { JobDeps } from "./job-deps";
import { PermanentJobError } from "./queues";

export type ImportSummary = {
  importId: string;
  status: ContactImport["status"];
  totalRows: number;
  processedRows: number;
  imported: number;
  updated: number;
  failed: number;
};

/** Spreadsheet line numbers (the header is line 1); JSON records are numbered from 1. */
export const lineOf = (format: string, index: number) => (format === "JSON" ? index + 1 : index + 2);

/** Thrown inside a chunk when another run moved the checkpoint (or the rows) first: roll back and stop. */
export class CheckpointMoved extends Error {}

export type ChunkOutcome = { imported: number; updated: number; errors: RowError[]; afterCommit?: () => Promise<void> };

/** What a kind of import adds to the shared runner: how to prepare the file's rows and apply a chunk. */
export type ImportSpec<P, Q = undefined> = {
  kind: TransferKind;
  /** Rows per transaction: big enough for multi-row inserts, small enough to checkpoint often. */
  chunkRows: number;
  /**
   * A chunk's transaction may start while the previous chunk's is still running (on another
   * connection), so the database works on two at once. Only for kinds whose chunks read nothing
   * the previous chunk writes (their decisions were taken by prepare against the state before the
   * import, and their reads lock the rows they change): a chunk's snapshot may predate the
   * previous chunk's commit.
   */
  overlapChunks?: boolean;
  maxRecords?: number;
  maxBytes?: number;
  /** Decides, for every row, what it is (deterministic, so a resumed run reaches the same verdicts). */
  prepare: (deps: JobDeps, imp: ContactImport, data: TabularData) => Promise<P[]>;
  /**
   * Work on a chunk that needs no transaction (validation, building statements): the runner does
   * it for the next chunk while the current one commits, and hands the result to applyChunk.
   */
  plan?: (imp: ContactImport, rows: P[], actor: Actor, now: Date) => Promise<Q>;
  /** Applies one chunk in its transaction (writes nothing on a dry run). */
  applyChunk: (trx: Trx, imp: ContactImport, rows: P[], actor: Actor, now: Date, planned: Q | undefined) => Promise<ChunkOutcome>;
  completedEvent: (imp: ContactImport, at: Date) => DomainEvent;
};

/**
 * Runs (or resumes) an import of any kind. Each chunk commits its rows, events, row errors and
 * the new checkpoint together, so a run killed at any point resumes after the last committed
 * chunk and never writes a row twice; a second runner racing on the same import loses the
 * checkpoint compare-and-set and stops.
 */
export async function runTabularImport<P, Q = undefined>(deps: JobDeps, payload: { importId: string; tenantId: string }, spec: ImportSpec<P, Q>): Promise<ImportSummary> {
  let imp = await findImport(deps.db, payload.tenantId, payload.importId, spec.kind);
  if (!imp) throw new PermanentJobError(`import ${payload.importId} not found`);
  if (imp.status !== "Completed" && imp.status !== "Failed") {
    await markImportStarted(deps.db, imp.id, deps.now());
    const actor: Actor = { userId: imp.createdBy, tenantId: imp.tenantId, roles: [] };
    let prepared: P[];
    try {
      const data = await readRecords(await deps.storage.readBuffer(imp.fileKey), { format: imp.format as TabularFormat, maxRecords: spec.maxRecords, maxBytes: spec.maxBytes });
      prepared = await spec.prepare(deps, imp, data);
    } catch (error) {
      if (!(error instanceof PermanentJobError) && (error as { name?: string }).name !== "FileRejectedError") throw error;
      await finishImport(deps.db, imp.id, "Failed", deps.now(), (error as Error).message.slice(0, 500));
      throw new PermanentJobError((error as Error).message);
    }
    const rowsFrom = (from: number) => prepared.slice(from, Math.min(from + spec.chunkRows, prepared.length));
    // Planned on a later turn of the event loop, so the planning interleaves with the running chunk's statements.
    const planFrom = (from: number): Promise<Q | undefined> => {
      const planned = spec.plan && from < prepared.length ? new Promise((r) => setImmediate(r)).then(() => spec.plan!(imp!, rowsFrom(from), actor, deps.now())) : Promise.resolve(undefined);
      planned.catch(() => undefined);
      return planned;
    };
    /**
     * One chunk's transaction. With overlapChunks it starts once the previous chunk has written
     * its rows, while that one moves the checkpoint and commits: it moves the checkpoint only once
     * the previous one has (that UPDATE then waits on the checkpoint row until the previous
     * commits), so committed chunks are always a prefix of the file and a chunk whose predecessor
     * failed loses its compare-and-set. Starting no earlier matters: a chunk holding its locks
     * while it waits here for the previous one, which waited in turn on one of those locks, would
     * be a deadlock InnoDB cannot see (it sees one transaction idle), broken only by the lock wait
     * timeout.
     */
    const applyFrom = (from: number, to: number, planned: Q | undefined, previousAdvanced: Promise<void> | undefined) => {
      let advanced!: () => void;
      const advancedNow = new Promise<void>((r) => (advanced = r));
      let written!: () => void;
      const writtenNow = new Promise<void>((r) => (written = r));
      const done = (async () => {
        const outcome = await inTransaction(deps.db, async (trx) => {
          const out = await spec.applyChunk(trx, imp!, rowsFrom(from), actor, deps.now(), planned);
          await insertImportErrors(trx, imp!.id, out.errors);
          written();
          const failed = new Set(out.errors.map((e) => e.row)).size;
          await previousAdvanced;
          const moved = await advanceImport(trx, imp!.id, from, to, { imported: out.imported, updated: out.updated, failed });
          advanced();
          if (!moved) throw new CheckpointMoved();
          return out;
        });
        await outcome.afterCommit?.();
      })().finally(() => {
        written();
        advanced();
      });
      // Awaited later (after the next chunk has started): a failure must not count as unhandled meanwhile.
      done.catch(() => undefined);
      return { done, advanced: advancedNow, written: writtenNow };
    };
    let next = planFrom(imp.processedRows);
    let inFlight: ReturnType<typeof applyFrom> | undefined;
    try {
      for (let from = imp.processedRows; from < prepared.length; from += spec.chunkRows) {
        const to = Math.min(from + spec.chunkRows, prepared.length);
        const planned = await next;
        next = planFrom(to);
        const previous = inFlight;
        await previous?.written;
        inFlight = applyFrom(from, to, planned, previous?.advanced);
        if (previous) await previous.done;
        if (!spec.overlapChunks) {
          const current = inFlight;
          inFlight = undefined;
          await current.done;
        }
      }
      const last = inFlight;
      inFlight = undefined;
      await last?.done;
    } catch (error) {
      // The chunk started after a failed one settles first (it loses its compare-and-set, or commits after a committed one).
      await inFlight?.done.catch(() => undefined);
      if (error instanceof CheckpointMoved) {
        deps.log.warn({ importId: imp.id }, "another run advanced this import; stopping");
        return summarize((await findImport(deps.db, imp.tenantId, imp.id, spec.kind))!);
      }
      throw error;
    }
    await inTransaction(deps.db, async (trx) => {
      const done = (await findImport(trx, imp!.tenantId, imp!.id, spec.kind))!;
      if (done.status === "Completed") return;
      const at = deps.now();
      await finishImport(trx, done.id, "Completed", at);
      await appendEvents(trx, [spec.completedEvent(done, at)], { tenantId: done.tenantId, actor: done.createdBy, version: 1, occurredAt: at });
    });
    imp = (await findImport(deps.db, imp.tenantId, imp.id, spec.kind))!;
  }
  return summarize(imp);
}

function summarize(imp: ContactImport): ImportSummary {
  return {
    importId: imp.id,
    status: imp.status,
    totalRows: imp.totalRows,
    processedRows: imp.processedRows,
    imported: imp.importedCount,
    updated: imp.updatedCount,
    failed: imp.failedCount,
  };
}
