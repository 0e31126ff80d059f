/**
 * Persists a release's engine events while it runs: stage starts and results (stage_events), each host's run
 * (host_runs) and, before the engine touches a host, what that host ran until then. Events arrive synchronously from
 * the engine; writes are chained in order and awaited by `flush()` before the release is finished.
 */
import { sql } from 'drizzle-orm';
import { hostRuns, stageEvents } from '../db/schema.ts';
import type { Db } from '../db/types.ts';
import type { HostReport, ReleaseEvent } from '../deploy/types.ts';
import { toJsonRecord } from '../workorders/service/plan-store.ts';

export interface ReleaseRecorder {
  /** The engine's event sink: records, then forwards. */
  sink(event: ReleaseEvent): void;
  /**
   * Records what `host` ran before this attempt touched it (a host_runs row with outcome `untouched` until the engine
   * reports the host). Awaited before the engine gets the host's connection, so a worker killed at any later point
   * leaves the version to return to in the database.
   */
  observe(host: string, previousVersion: string | null): Promise<void>;
  /** Waits for every write so far; rejects with the first failed write. */
  flush(): Promise<void>;
}

export interface RecorderOptions {
  releaseId: string;
  attempt: number;
  forward: (event: ReleaseEvent) => void;
}

function failureOf(report: HostReport): Record<string, unknown> | null {
  if (report.failure === undefined && report.rollbackError === undefined && report.rolledBackTo === undefined) return null;
  return toJsonRecord({
    ...(report.failure ?? {}),
    ...(report.rolledBackTo === undefined ? {} : { rolledBackTo: report.rolledBackTo }),
    ...(report.rollbackError === undefined ? {} : { rollbackError: report.rollbackError }),
  });
}

export function createReleaseRecorder(db: Db, options: RecorderOptions): ReleaseRecorder {
  const { releaseId, attempt } = options;
  let chain: Promise<void> = Promise.resolve();
  let firstError: unknown;

  const write = async (event: ReleaseEvent): Promise<void> => {
    switch (event.type) {
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
        await db.insert(stageEvents).values({ releaseId, host: event.host, stage: 'rollback', result: 'started', message: `to ${event.to ?? 'nothing'}` });
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

  return {
    sink(event) {
      chain = chain.then(() => write(event)).catch((error: unknown) => {
        firstError ??= error;
      });
      options.forward(event);
    },
    async observe(host, previousVersion) {
      await db
        .insert(hostRuns)
        .values({ releaseId, host, attempt, outcome: 'untouched', previousVersion, durationMs: 0 })
        .onConflictDoNothing();
    },
    async flush() {
      await chain;
      if (firstError !== undefined) throw firstError;
    },
  };
}
