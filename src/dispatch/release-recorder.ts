/**
 * Persists a release's engine events while it runs: stage starts and results (stage_events), each host's run
 * (host_runs) and, before the engine touches a host, what that host ran until then. Events arrive synchronously from
 * the engine; writes are chained in order and awaited by `flush()` before the release is finished.
 */
import { eq, sql } from 'drizzle-orm';
import { hostRuns, releases, stageEvents, stageOutput } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import type { HostReport, ReleaseEvent } from '../deploy/types.ts';
import { toJsonRecord } from '../workorders/service/index.ts';

export interface ReleaseRecorder {
  /** The engine's event sink: records, then forwards. */
  sink: (event: ReleaseEvent) => void;
  /**
   * Records what `host` ran before this attempt touched it (a host_runs row with outcome `untouched` until the engine
   * reports the host). Awaited before the engine gets the host's connection, so a worker killed at any later point
   * leaves the version to return to in the database.
   */
  observe: (host: string, previousVersion: string | null) => Promise<void>;
  /** Waits for every write so far; rejects with the first failed write. */
  flush(): Promise<void>;
}

export interface RecorderOptions {
  releaseId: string;
  attempt: number;
  forward: (event: ReleaseEvent) => void;
}

function failureOf(report: HostReport): Record<string, unknown> | null {
  if (report.failure === undefined && report.rollbackError === undefined && report.rolledBackTo === undefined)
    return null;
  return toJsonRecord({
    ...(report.failure ?? {}),
    ...(report.rolledBackTo === undefined ? {} : { rolledBackTo: report.rolledBackTo }),
    ...(report.rollbackError === undefined ? {} : { rollbackError: report.rollbackError }),
  });
}

/** Output lines kept per host and stage (the dashboard shows them; the rest of a chatty stage is counted, not kept). */
export const OUTPUT_LINES_KEPT = 1_000;
/** Output bytes (UTF-8) kept per host and stage: 1,000 lines of 64 KiB would still be 64 MiB. */
export const OUTPUT_BYTES_KEPT = 1024 * 1024;

type OutputEvent = Extract<ReleaseEvent, { type: 'output' }>;

/** What one host's stage printed: kept so far, and dropped once a limit was reached. */
interface OutputTally {
  lines: number;
  bytes: number;
  droppedLines: number;
  droppedBytes: number;
  /** The count of dropped output has been written (the stage ended). */
  summarized: boolean;
}

// PostgreSQL text cannot hold NUL; a command printing one must not make the release's records fail.
const storable = (line: string): string => line.replaceAll('\u0000', '\uFFFD');

export function createReleaseRecorder(db: Db, options: RecorderOptions): ReleaseRecorder {
  const { releaseId, attempt } = options;
  let chain: Promise<void> = Promise.resolve();
  let firstError: Error | undefined;
  // Output lines go in batches: one insert for whatever arrived while the previous writes ran.
  let pendingOutput: (typeof stageOutput.$inferInsert)[] = [];
  const tallies = new Map<string, OutputTally>();
  const keyOf = (host: string, stage: string): string => `${host}\u0000${stage}`;

  /** Buffers the line (or counts it as dropped); true when the buffer was empty, so a write must be queued for it. */
  const keepOutput = (event: OutputEvent): boolean => {
    const key = keyOf(event.host, event.stage);
    const tally = tallies.get(key) ?? { lines: 0, bytes: 0, droppedLines: 0, droppedBytes: 0, summarized: false };
    tallies.set(key, tally);
    const size = Buffer.byteLength(event.line, 'utf8');
    // Once something was dropped, everything after it is too: what is kept is the stage's beginning, without holes.
    if (tally.droppedLines === 0 && tally.lines < OUTPUT_LINES_KEPT && tally.bytes + size <= OUTPUT_BYTES_KEPT) {
      tally.lines += 1;
      tally.bytes += size;
      pendingOutput.push({
        releaseId,
        host: event.host,
        stage: event.stage,
        stream: event.stream,
        line: storable(event.line),
      });
      return pendingOutput.length === 1;
    }
    tally.droppedLines += 1;
    tally.droppedBytes += size;
    if (tally.droppedLines > 1) return false;
    pendingOutput.push({
      releaseId,
      host: event.host,
      stage: event.stage,
      stream: 'stderr',
      line: `… more output of this stage is not kept (only the first ${OUTPUT_LINES_KEPT} lines and ${OUTPUT_BYTES_KEPT} bytes are)`,
    });
    return pendingOutput.length === 1;
  };
  /** Buffers the count of what a host's stage printed past the limits, once, when the stage ended. */
  const summarize = (host: string, stage: string): boolean => {
    const tally = tallies.get(keyOf(host, stage));
    if (tally === undefined || tally.droppedLines === 0 || tally.summarized) return false;
    tally.summarized = true;
    pendingOutput.push({
      releaseId,
      host,
      stage,
      stream: 'stderr',
      line: `… ${tally.droppedLines} more line${tally.droppedLines === 1 ? '' : 's'} (${tally.droppedBytes} bytes) of this stage were not kept`,
    });
    return pendingOutput.length === 1;
  };
  const writeOutput = async (): Promise<void> => {
    const batch = pendingOutput;
    pendingOutput = [];
    if (batch.length > 0) await db.insert(stageOutput).values(batch);
  };

  const write = async (event: ReleaseEvent): Promise<void> => {
    switch (event.type) {
      case 'release.started':
        await db.update(releases).set({ batches: event.batches }).where(eq(releases.releaseId, releaseId));
        return;
      case 'stage.started':
        await db.insert(stageEvents).values({ releaseId, host: event.host, stage: event.stage, result: 'started' });
        return;
      case 'stage.finished':
        await db.insert(stageEvents).values({
          releaseId,
          host: event.host,
          stage: event.stage,
          result: event.result,
          durationMs: event.durationMs,
          exitCode: event.exitCode ?? null,
          message: event.message ?? null,
        });
        return;
      case 'rollback.started':
        await db.insert(stageEvents).values({
          releaseId,
          host: event.host,
          stage: 'rollback',
          result: 'started',
          message: `to ${event.to ?? 'nothing'}`,
        });
        return;
      case 'rollback.finished':
        await db.insert(stageEvents).values({
          releaseId,
          host: event.host,
          stage: 'rollback',
          result: event.ok ? 'ok' : 'failed',
          message: event.message ?? `to ${event.to ?? 'nothing'}`,
        });
        return;
      case 'host.finished': {
        const { report } = event;
        await db
          .insert(hostRuns)
          .values({
            releaseId,
            host: event.host,
            attempt,
            outcome: report.outcome,
            previousVersion: report.previousVersion,
            failure: failureOf(report),
            durationMs: report.durationMs,
          })
          .onConflictDoUpdate({
            target: [hostRuns.releaseId, hostRuns.host, hostRuns.attempt],
            set: {
              outcome: sql`excluded.outcome`,
              // What was observed before the engine touched the host wins over the engine's own view.
              previousVersion: sql`coalesce(${hostRuns.previousVersion}, excluded.previous_version)`,
              failure: sql`excluded.failure`,
              durationMs: sql`excluded.duration_ms`,
              finishedAt: sql`now()`,
            },
          });
        return;
      }
      default:
        return;
    }
  };

  const enqueue = (step: () => Promise<void>): void => {
    chain = chain.then(step).catch((error: unknown) => {
      firstError ??= error instanceof Error ? error : new Error('a release record write failed', { cause: error });
    });
  };

  return {
    sink(event) {
      if (event.type === 'output') {
        if (keepOutput(event)) enqueue(writeOutput);
      } else {
        if (event.type === 'stage.finished' && summarize(event.host, event.stage)) enqueue(writeOutput);
        if (event.type === 'rollback.finished' && summarize(event.host, 'rollback')) enqueue(writeOutput);
        enqueue(() => write(event));
      }
      options.forward(event);
    },
    async observe(host, previousVersion) {
      await db
        .insert(hostRuns)
        .values({ releaseId, host, attempt, outcome: 'untouched', previousVersion, durationMs: 0 })
        .onConflictDoNothing();
    },
    async flush() {
      // Stages that never reported their end (the release stopped inside them) still say what was dropped.
      let queued = false;
      for (const key of tallies.keys()) {
        const [host = '', stage = ''] = key.split('\u0000');
        if (summarize(host, stage)) queued = true;
      }
      if (queued) enqueue(writeOutput);
      await chain;
      if (firstError !== undefined) throw firstError;
    },
  };
}
