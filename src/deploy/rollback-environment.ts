/** `yardmaster rollback`: switch every host of an environment to the previous (or a named) release. */
import { hostname } from 'node:os';
import { z } from 'zod';
import type { EnvironmentConfig, ResolvedHost } from '../config/types.ts';
import type { Executor } from '../executors/types.ts';
import { runCommandList, runScript, stepFromExec, type HostIo } from './host-commands.ts';
import { checkScript, readHooksScript, rollbackScript, unlockScript } from './host-scripts.ts';
import { stateValue } from './host-state.ts';
import { inspectHost } from './inspect-host.ts';
import { RecentLines } from './output-lines.ts';
import { releaseLayout } from './release-layout.ts';
import { formatReleaseLogEntry } from './releases-log.ts';
import { previousGoodRelease } from './rollback-selection.ts';
import { newReleaseId } from './run-release.ts';
import { createMasker } from './secret-masker.ts';
import type { EngineOptions } from './types.ts';

/**
 * Where the post_deploy commands run after switching back come from.
 * - `host`: the hooks each release recorded on the host (`.yardmaster/plans/<version>.json`). Only for the offline
 *   CLI, which the operator runs against hosts they answer for: anything that can write as the deploy user can
 *   change those files.
 * - `approved`: the post_deploy commands of each version's approved plan (the server reads them from its database);
 *   a version with none there runs no hooks, and the host's report says so.
 */
export type RollbackHooks = { from: 'host' } | { from: 'approved'; postDeploy: ReadonlyMap<string, readonly string[]> };

export interface RollbackRequest {
  app: string;
  environment: string;
  environmentConfig: EnvironmentConfig;
  hosts: ResolvedHost[];
  /** A named release; absent = the previous good one on each host. */
  to?: string;
  hooks: RollbackHooks;
  secrets: Readonly<Record<string, string>>;
  commandTimeoutMs: number;
  breakLock?: boolean;
  signal?: AbortSignal;
  /** The rollback's id (default: a new one), e.g. to name its journal before it starts. */
  releaseId?: string;
}

export interface HostRollbackReport {
  host: string;
  from: string | null;
  to: string | null;
  ok: boolean;
  message: string;
  durationMs: number;
}

export interface RollbackResult {
  releaseId: string;
  app: string;
  environment: string;
  ok: boolean;
  hosts: HostRollbackReport[];
}

const hooksSchema = z.object({ post_deploy: z.array(z.string()) });

function recordedPostDeploy(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const parsed = hooksSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.post_deploy : [];
  } catch {
    return [];
  }
}

async function postDeployHooks(
  hooks: RollbackHooks,
  io: HostIo,
  memory: { recent: RecentLines },
  layout: ReturnType<typeof releaseLayout>,
  to: string,
): Promise<{ commands: readonly string[]; note: string }> {
  if (hooks.from === 'approved') {
    const commands = hooks.postDeploy.get(to);
    return commands === undefined
      ? { commands: [], note: ` (no approved plan of ${to} is known: no post_deploy run)` }
      : { commands, note: '' };
  }
  const read = await runScript(io, memory, 'rollback', readHooksScript(layout, to));
  return { commands: recordedPostDeploy(stateValue(read.state, 'hooks')), note: '' };
}

async function rollbackOne(
  request: RollbackRequest,
  target: ResolvedHost,
  io: HostIo,
  actor: string,
): Promise<Omit<HostRollbackReport, 'durationMs'>> {
  const host = target.entry.name;
  const layout = releaseLayout(target.deployTo);
  const memory = { recent: new RecentLines() };
  const inventory = await inspectHost(io, target.deployTo);
  const from = inventory.live;
  const to = request.to ?? previousGoodRelease(inventory.log, new Set(inventory.releases), from);
  if (to === null) return { host, from, to, ok: false, message: 'no earlier release to roll back to on this host' };
  if (!inventory.releases.includes(to))
    return { host, from, to, ok: false, message: `release ${to} is not on this host` };
  if (to === from) return { host, from, to, ok: true, message: `${to} is already live` };

  const lock = await runScript(
    io,
    memory,
    'check',
    checkScript({
      layout,
      version: to,
      neededKb: 0,
      requiredCommands: ['ln', 'mv', 'readlink'],
      releaseId: io.releaseId,
      lockOwnerJson: JSON.stringify({
        release: io.releaseId,
        version: to,
        actor,
        controller: hostname(),
        pid: process.pid,
        since: new Date().toISOString(),
      }),
      breakLock: request.breakLock ?? false,
    }),
  );
  const locked = stepFromExec(lock.exec, 'taking the host lock', lock.lastStderr);
  if (!locked.ok) return { host, from, to, ok: false, message: locked.message };
  try {
    io.emit({ type: 'rollback.started', releaseId: io.releaseId, host, to });
    const logLine = formatReleaseLogEntry({
      version: to,
      time: new Date().toISOString(),
      result: 'rollback',
      release: io.releaseId,
      host,
      previous: from,
      actor,
    });
    const switched = await runScript(io, memory, 'rollback', rollbackScript(layout, to, io.releaseId, logLine));
    const step = stepFromExec(switched.exec, 'switching back', switched.lastStderr);
    if (!step.ok) return { host, from, to, ok: false, message: step.message };
    const hooks = await postDeployHooks(request.hooks, io, memory, layout, to);
    const env = {
      app: request.app,
      environment: request.environment,
      version: to,
      releaseDir: layout.releaseDir(to),
      previousVersion: from,
      deployTo: layout.deployTo,
      sharedDir: layout.shared,
      env: request.environmentConfig.env,
      secrets: request.secrets,
    };
    const post = await runCommandList(io, memory, 'rollback', hooks.commands, layout.releaseDir(to), env);
    return post.ok
      ? { host, from, to, ok: true, message: `rolled back from ${from ?? 'nothing'} to ${to}${hooks.note}` }
      : { host, from, to, ok: false, message: `switched to ${to}, but ${post.message}` };
  } finally {
    await runScript(io, memory, 'done', unlockScript(layout, io.releaseId)).catch(() => undefined);
  }
}

/** Rolls back every host of the environment in parallel; each host reports on its own. */
export async function rollbackEnvironment(
  request: RollbackRequest,
  options: Pick<EngineOptions, 'connect' | 'onEvent' | 'actor'>,
): Promise<RollbackResult> {
  const releaseId = request.releaseId ?? newReleaseId();
  const emit =
    options.onEvent ??
    (() => {
      /* no listener: events are not kept */
    });
  const mask = createMasker(Object.values(request.secrets));
  const signal = request.signal ?? new AbortController().signal;
  const hosts = await Promise.all(
    request.hosts.map(async (target): Promise<HostRollbackReport> => {
      const started = performance.now();
      let executor: Executor | null = null;
      let report: Omit<HostRollbackReport, 'durationMs'>;
      try {
        executor = await options.connect(target.entry, signal);
        const io: HostIo = {
          executor,
          mask,
          emit,
          releaseId,
          target,
          signal,
          plan: { commandTimeoutMs: request.commandTimeoutMs },
        };
        report = await rollbackOne(request, target, io, options.actor ?? 'yardmaster');
      } catch (error) {
        report = {
          host: target.entry.name,
          from: null,
          to: null,
          ok: false,
          message: mask(error instanceof Error ? error.message : String(error)),
        };
      } finally {
        if (executor) await executor.close().catch(() => undefined);
      }
      if (report.to !== null || !report.ok) {
        emit({
          type: 'rollback.finished',
          releaseId,
          host: target.entry.name,
          to: report.to,
          ok: report.ok,
          message: report.message,
        });
      }
      return { ...report, durationMs: Math.round(performance.now() - started) };
    }),
  );
  return { releaseId, app: request.app, environment: request.environment, ok: hosts.every((host) => host.ok), hosts };
}
