/**
 * The rows a release journal makes besides the recorder's: the app and environment it ran in (so the environments
 * page lists them), its releases row from start to end, and the audit rows of its start and end by `cli:<user>`.
 */
import { and, eq, sql } from 'drizzle-orm';
import {
  appendAudit,
  apps,
  auditLog,
  environments,
  hostRuns,
  releases,
  stageEvents,
  stageOutput,
} from '../db/index.ts';
import type { Db, Tx } from '../db/types.ts';
import type { JournalBegin, JournalEnd } from '../journal/index.ts';
import { toJsonRecord } from '../workorders/service/index.ts';

/** The audit action of a journal's start or end: `cli.release.started`, `cli.rollback.finished`, … */
const actionOf = (begin: JournalBegin, phase: 'started' | 'finished'): string => `cli.${begin.kind}.${phase}`;

/** Appends the audit row unless this release already has one with this action (a journal imported again). */
async function auditOnce(tx: Tx, begin: JournalBegin, phase: 'started' | 'finished', entry: AuditDetails) {
  const action = actionOf(begin, phase);
  const [existing] = await tx
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), sql`${auditLog.data}->>'releaseId' = ${begin.releaseId}`))
    .limit(1);
  if (existing !== undefined) return;
  await appendAudit(tx, {
    actor: begin.actor,
    action,
    repo: begin.repo,
    reason: entry.reason,
    data: { releaseId: begin.releaseId, app: begin.app, environment: begin.environment, ...entry.data },
  });
}

interface AuditDetails {
  reason: string;
  data: Record<string, unknown>;
}

/**
 * Starts importing a journal: the app and environment, the releases row `running` since the journal began, and the
 * start's audit row. A first attempt drops rows an interrupted import of the same journal left.
 */
export async function beginJournalRelease(db: Db, begin: JournalBegin): Promise<void> {
  const { attempt } = begin;
  await db.transaction(async (tx) => {
    await tx
      .insert(apps)
      .values({ repoFullName: begin.repo, name: begin.app, deployTo: begin.deployTo })
      .onConflictDoUpdate({
        target: [apps.repoFullName, apps.name],
        set: { deployTo: begin.deployTo, syncedAt: sql`now()` },
      });
    await tx
      .insert(environments)
      .values({
        repoFullName: begin.repo,
        app: begin.app,
        name: begin.environment,
        production: begin.production,
        hosts: begin.hosts,
      })
      .onConflictDoUpdate({
        target: [environments.repoFullName, environments.app, environments.name],
        set: { production: begin.production, hosts: begin.hosts, syncedAt: sql`now()` },
      });
    if (attempt === 1) {
      await tx.delete(stageOutput).where(eq(stageOutput.releaseId, begin.releaseId));
      await tx.delete(stageEvents).where(eq(stageEvents.releaseId, begin.releaseId));
      await tx.delete(hostRuns).where(eq(hostRuns.releaseId, begin.releaseId));
    }
    const startedAt = new Date(begin.at);
    await tx
      .insert(releases)
      .values({
        releaseId: begin.releaseId,
        repoFullName: begin.repo,
        app: begin.app,
        environment: begin.environment,
        version: begin.version,
        status: 'running',
        startedAt,
      })
      .onConflictDoUpdate({
        target: releases.releaseId,
        set: { status: 'running', finishedAt: null, ...(attempt === 1 ? { startedAt, result: null } : {}) },
      });
    const verb = begin.kind === 'release' ? `release of ${begin.version}` : `rollback to ${begin.version}`;
    await auditOnce(tx, begin, 'started', {
      reason: `${verb} to ${begin.environment} started on ${begin.hosts.length} host(s)`,
      data: { version: begin.version, attempt, hosts: begin.hosts },
    });
  });
}

/** What the end of a journal says: the status, the version the hosts now run, and a sentence for the audit. */
function endSummary(end: JournalEnd): { status: 'succeeded' | 'partial' | 'failed' | 'aborted'; reason: string } {
  if (end.kind === 'release') {
    const { result } = end;
    const released = result.hosts.filter((host) => host.outcome === 'released' || host.outcome === 'unchanged');
    const failed =
      result.failedHost === undefined ? '' : `; ${result.failedHost.host} failed in ${result.failedHost.stage}`;
    return {
      status: result.status,
      reason: `${result.status}: ${released.length} of ${result.hosts.length} host(s)${failed}`,
    };
  }
  const failed = end.result.hosts.filter((host) => !host.ok);
  return {
    status: end.result.ok ? 'succeeded' : 'failed',
    reason: end.result.ok
      ? `rolled back ${end.result.hosts.length} host(s)`
      : `rollback failed on ${failed.map((host) => `${host.host} (${host.message})`).join(', ')}`,
  };
}

/** Ends the release as the journal says; a rollback also records each host's run with the version it went to. */
export async function finishJournalRelease(db: Db, begin: JournalBegin, end: JournalEnd): Promise<void> {
  const { attempt } = begin;
  const { status, reason } = endSummary(end);
  await db.transaction(async (tx) => {
    if (end.kind === 'rollback') {
      for (const host of end.result.hosts) {
        await tx
          .insert(hostRuns)
          .values({
            releaseId: begin.releaseId,
            host: host.host,
            attempt,
            outcome: host.ok ? 'rolled_back' : 'failed',
            previousVersion: host.to,
            failure: host.ok ? null : { message: host.message },
            durationMs: host.durationMs,
          })
          .onConflictDoNothing();
      }
    }
    // Host runs are written as the journal is read: an import after the fact would date them by the import.
    await tx
      .update(hostRuns)
      .set({ finishedAt: sql`least(${hostRuns.finishedAt}, ${end.at}::timestamptz)` })
      .where(and(eq(hostRuns.releaseId, begin.releaseId), eq(hostRuns.attempt, attempt)));
    const versions = end.kind === 'rollback' ? [...new Set(end.result.hosts.flatMap((host) => host.to ?? []))] : [];
    await tx
      .update(releases)
      .set({
        status,
        finishedAt: new Date(end.at),
        result: toJsonRecord(end.kind === 'rollback' ? { kind: 'rollback', ...end.result } : end.result),
        ...(versions.length === 1 && versions[0] !== undefined ? { version: versions[0] } : {}),
      })
      .where(eq(releases.releaseId, begin.releaseId));
    await auditOnce(tx, begin, 'finished', { reason, data: { status, attempt } });
  });
}

/** Ends a release whose journal stopped without an end (its process was killed): `aborted`, and says so. */
export async function abandonJournalRelease(db: Db, begin: JournalBegin): Promise<void> {
  const { attempt } = begin;
  const reason = `the CLI process (pid ${begin.pid} on ${begin.hostname}) ended before the ${begin.kind} did`;
  await db.transaction(async (tx) => {
    await tx
      .update(releases)
      .set({ status: 'aborted', finishedAt: sql`now()`, result: { error: reason } })
      .where(and(eq(releases.releaseId, begin.releaseId), eq(releases.status, 'running')));
    await auditOnce(tx, begin, 'finished', { reason, data: { status: 'aborted', attempt } });
  });
}
