/**
 * A release's engine events as rows: the batch layout on the release, stage starts and results (stage_events), and
 * each host's run (host_runs), including what a host ran before the engine touched it.
 */
import { eq, sql } from 'drizzle-orm';
import { hostRuns, releases, stageEvents } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import type { HostReport, ReleaseEvent } from '../deploy/types.ts';
import { toJsonRecord } from '../workorders/service/index.ts';

/** Which release attempt the rows belong to. */
export interface RecordedAttempt {
  releaseId: string;
  attempt: number;
}

type StageEventRow = typeof stageEvents.$inferInsert;
type HostFinished = Extract<ReleaseEvent, { type: 'host.finished' }>;

function failureOf(report: HostReport): Record<string, unknown> | null {
  if (report.failure === undefined && report.rollbackError === undefined && report.rolledBackTo === undefined)
    return null;
  return toJsonRecord({
    ...(report.failure ?? {}),
    ...(report.rolledBackTo === undefined ? {} : { rolledBackTo: report.rolledBackTo }),
    ...(report.rollbackError === undefined ? {} : { rollbackError: report.rollbackError }),
  });
}

/** The stage_events row a stage or rollback event makes, or undefined for other events. */
function stageEventRow(releaseId: string, event: ReleaseEvent): StageEventRow | undefined {
  switch (event.type) {
    case 'stage.started':
      return { releaseId, host: event.host, stage: event.stage, result: 'started' };
    case 'stage.finished':
      return {
        releaseId,
        host: event.host,
        stage: event.stage,
        result: event.result,
        durationMs: event.durationMs,
        exitCode: event.exitCode ?? null,
        message: event.message ?? null,
      };
    case 'rollback.started':
      return {
        releaseId,
        host: event.host,
        stage: 'rollback',
        result: 'started',
        message: `to ${event.to ?? 'nothing'}`,
      };
    case 'rollback.finished':
      return {
        releaseId,
        host: event.host,
        stage: 'rollback',
        result: event.ok ? 'ok' : 'failed',
        message: event.message ?? `to ${event.to ?? 'nothing'}`,
      };
    default:
      return undefined;
  }
}

/** A host's run as the engine reported it; what was observed before the engine touched the host is kept. */
async function upsertHostRun(db: Db, { releaseId, attempt }: RecordedAttempt, event: HostFinished): Promise<void> {
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
}

/** Writes what `event` records (nothing for events without a row, output included: see recorder-output.ts). */
export async function writeReleaseEvent(db: Db, recorded: RecordedAttempt, event: ReleaseEvent): Promise<void> {
  if (event.type === 'release.started') {
    await db.update(releases).set({ batches: event.batches }).where(eq(releases.releaseId, recorded.releaseId));
    return;
  }
  if (event.type === 'host.finished') {
    await upsertHostRun(db, recorded, event);
    return;
  }
  const row = stageEventRow(recorded.releaseId, event);
  if (row !== undefined) await db.insert(stageEvents).values(row);
}

/** A host_runs row with outcome `untouched` and the version the host ran, unless the attempt has one already. */
export async function observeHost(
  db: Db,
  { releaseId, attempt }: RecordedAttempt,
  host: string,
  previousVersion: string | null,
): Promise<void> {
  await db
    .insert(hostRuns)
    .values({ releaseId, host, attempt, outcome: 'untouched', previousVersion, durationMs: 0 })
    .onConflictDoNothing();
}
