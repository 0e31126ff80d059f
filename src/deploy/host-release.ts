/** The nine stages of one release on one host. Rollback is decided by the rollout, not here. */
import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import { posix } from 'node:path';
import type { Executor } from '../executors/types.ts';
import type { CommandContext } from './command-env.ts';
import { runCommand, runCommandList, runScript, stepFromExec, type StepResult } from './host-commands.ts';
import type { HostRunContext, HostRunOutcome, HostRunState, PackageDelivery, PullSource } from './host-context.ts';
import { checkScript, doneScript, pullScript, switchScript, unpackScript } from './host-scripts.ts';
import { stateValue, stateValues } from './host-state.ts';
import { runProbe } from './probe.ts';
import { versionFromLinkTarget } from './release-layout.ts';
import { formatReleaseLogEntry, lastGoodVersion, parseReleaseLog } from './releases-log.ts';
import { sleep } from './sleep.ts';
import { runStage, skipStages } from './stage-runner.ts';
import { DOWNLOADERS, requiredCommands } from './stage-tools.ts';
import { STAGES, type StageName } from './types.ts';

/**
 * Read size of the streamed package: the default 64 KiB meant a thread-pool read and a wake-up of the event loop
 * per two ssh packets for every host; 512 KiB fills sixteen packets per read (the channel window is 2 MiB).
 */
const STREAM_READ_BYTES = 512 * 1024;

/** The variables plan commands see for `version` with `previous` as the one it replaces. */
export function commandContext(ctx: HostRunContext, version: string, previous: string | null): CommandContext {
  return {
    app: ctx.plan.app,
    environment: ctx.plan.environment,
    version,
    releaseDir: ctx.layout.releaseDir(version),
    previousVersion: previous,
    deployTo: ctx.layout.deployTo,
    sharedDir: ctx.layout.shared,
    env: ctx.environment.env,
    secrets: ctx.secrets,
  };
}

function lockOwnerJson(ctx: HostRunContext): string {
  return JSON.stringify({
    release: ctx.releaseId,
    version: ctx.plan.version,
    actor: ctx.actor,
    controller: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
  });
}

/** The commands the check requires, the free space it wants, and the downloaders it looks for (pull). */
function checkNeeds(delivery: PackageDelivery): {
  neededKb: number;
  requiredCommands: readonly string[];
  downloaders?: readonly string[];
} {
  if (delivery.transfer === 'pull') {
    // The size is unknown until the host has the package: the fetch checks the space to unpack it then.
    return { neededKb: 1024, requiredCommands: requiredCommands('pull', delivery.pull.gzip), downloaders: DOWNLOADERS };
  }
  const { pkg } = delivery;
  return {
    neededKb: Math.ceil((pkg.size * 3) / 1024) + 1024,
    requiredCommands: requiredCommands('push', pkg.gzip),
  };
}

async function checkStage(ctx: HostRunContext, state: HostRunState, onUnchanged: () => void): Promise<StepResult> {
  const run = await runScript(
    ctx,
    state,
    'check',
    checkScript({
      layout: ctx.layout,
      version: ctx.plan.version,
      ...(ctx.plan.rollbackVersion === undefined ? {} : { rollbackVersion: ctx.plan.rollbackVersion }),
      ...checkNeeds(ctx.delivery),
      releaseId: ctx.releaseId,
      lockOwnerJson: lockOwnerJson(ctx),
      breakLock: ctx.breakLock,
    }),
  );
  const step = stepFromExec(run.exec, 'base environment check', run.lastStderr);
  if (!step.ok) return step;
  state.lockHeld = true;
  const downloader = stateValue(run.state, 'downloader');
  if (downloader === 'curl' || downloader === 'wget') state.downloader = downloader;
  state.previous = versionFromLinkTarget(stateValue(run.state, 'current') ?? '');
  state.hasRollbackVersion = stateValue(run.state, 'has_rollback') === '1';
  state.log = parseReleaseLog(stateValues(run.state, 'log'));
  if (state.previous === ctx.plan.version && !ctx.force) {
    onUnchanged();
    return { ok: true };
  }
  return runCommandList(
    ctx,
    state,
    'check',
    ctx.plan.commands.check,
    ctx.layout.deployTo,
    commandContext(ctx, ctx.plan.version, state.previous),
  );
}

/** `transfer: pull`: the host downloads the package with the downloader its check found, verifies and unpacks it. */
async function pullStage(ctx: HostRunContext, state: HostRunState, pull: PullSource): Promise<StepResult> {
  const downloader = state.downloader;
  if (downloader === undefined)
    return { ok: false, exitCode: null, message: 'no downloader was found at the check stage', aborted: false };
  const script = pullScript({
    layout: ctx.layout,
    version: ctx.plan.version,
    releaseId: ctx.releaseId,
    sha256: pull.sha256,
    downloader,
    scheme: pull.scheme,
    maxSeconds: Math.max(1, Math.ceil(ctx.plan.commandTimeoutMs / 1000)),
  });
  const run = await runScript(ctx, state, 'fetch', script, `${pull.url}\n`);
  return stepFromExec(run.exec, `downloading the package with ${downloader} and unpacking it`, run.lastStderr);
}

async function fetchStage(ctx: HostRunContext, state: HostRunState): Promise<StepResult> {
  const { delivery } = ctx;
  if (delivery.transfer === 'pull') return pullStage(ctx, state, delivery.pull);
  const { pkg } = delivery;
  const base = { layout: ctx.layout, version: ctx.plan.version, releaseId: ctx.releaseId, gzip: pkg.gzip };
  if (delivery.transfer === 'stream') {
    const run = await runScript(
      ctx,
      state,
      'fetch',
      unpackScript(base),
      createReadStream(pkg.path, { highWaterMark: STREAM_READ_BYTES }),
    );
    return stepFromExec(run.exec, 'unpacking the package', run.lastStderr);
  }
  const uploaded = posix.join(ctx.layout.stateDir, `upload-${ctx.releaseId.slice(0, 12)}.pkg`);
  await ctx.executor.putFile(pkg.path, uploaded, { method: delivery.transfer, signal: ctx.signal });
  const run = await runScript(
    ctx,
    state,
    'fetch',
    unpackScript({ ...base, uploaded: { path: uploaded, sha256: pkg.sha256 } }),
  );
  return stepFromExec(run.exec, 'unpacking the package', run.lastStderr);
}

async function switchStage(ctx: HostRunContext, state: HostRunState): Promise<StepResult> {
  // Until the host answers we cannot know whether `mv` ran, so count it as switched; a rollback to the
  // previous release is harmless if it did not.
  state.switched = true;
  const run = await runScript(ctx, state, 'switch', switchScript(ctx.layout, ctx.plan.version, ctx.releaseId));
  const step = stepFromExec(run.exec, 'switching current', run.lastStderr);
  if (!step.ok && !step.aborted && run.exec.exitCode !== null && !run.exec.timedOut) state.switched = false;
  if (step.ok && stateValue(run.state, 'current') !== ctx.layout.linkTarget(ctx.plan.version)) {
    return {
      ok: false,
      exitCode: null,
      message: `current does not point at ${ctx.layout.linkTarget(ctx.plan.version)} after the switch`,
      aborted: false,
    };
  }
  return step;
}

async function healthStage(ctx: HostRunContext, state: HostRunState): Promise<StepResult | 'skipped'> {
  const health = ctx.plan.commands.health;
  if (!health) return 'skipped';
  const env = commandContext(ctx, ctx.plan.version, state.previous);
  const cwd = ctx.layout.releaseDir(ctx.plan.version);
  const attempts = health.retries + 1;
  let last: { detail: string; exitCode: number | null } = { detail: '', exitCode: null };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await runProbe(
      health.probe,
      ctx.executor,
      async (command, signal) => {
        const { exec, lastLine } = await runCommand(ctx, state, 'health', command, cwd, env, signal);
        return { exitCode: exec.exitCode, lastLine };
      },
      ctx.signal,
    );
    if (result.ok) return { ok: true };
    last = { detail: result.detail, exitCode: result.exitCode };
    if (ctx.signal.aborted)
      return { ok: false, exitCode: null, message: 'health check interrupted by abort', aborted: true };
    if (attempt < attempts) await sleep(health.intervalMs, ctx.signal);
  }
  return {
    ok: false,
    exitCode: last.exitCode,
    message: `health check failed after ${attempts} attempts: ${last.detail}`,
    aborted: false,
  };
}

async function monitorStage(ctx: HostRunContext, state: HostRunState): Promise<StepResult | 'skipped'> {
  const monitor = ctx.plan.commands.monitor;
  if (!monitor) return 'skipped';
  const env = commandContext(ctx, ctx.plan.version, state.previous);
  const cwd = ctx.layout.releaseDir(ctx.plan.version);
  const deadline = performance.now() + monitor.durationMs;
  let checks = 0;
  do {
    const result = await runProbe(
      monitor.probe,
      ctx.executor,
      async (command, signal) => {
        const { exec, lastLine } = await runCommand(ctx, state, 'monitor', command, cwd, env, signal);
        return { exitCode: exec.exitCode, lastLine };
      },
      ctx.signal,
    );
    checks++;
    if (ctx.signal.aborted)
      return { ok: false, exitCode: null, message: 'monitor interrupted by abort', aborted: true };
    if (!result.ok)
      return {
        ok: false,
        exitCode: result.exitCode,
        message: `monitor check ${checks} failed: ${result.detail}`,
        aborted: false,
      };
  } while (performance.now() + monitor.intervalMs < deadline && (await sleep(monitor.intervalMs, ctx.signal)));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- an abort during the last sleep sets it
  if (ctx.signal.aborted) return { ok: false, exitCode: null, message: 'monitor interrupted by abort', aborted: true };
  return { ok: true };
}

async function doneStage(ctx: HostRunContext, state: HostRunState): Promise<StepResult> {
  const { plan } = ctx;
  const logLine = formatReleaseLogEntry({
    version: plan.version,
    time: new Date().toISOString(),
    result: 'succeeded',
    release: ctx.releaseId,
    host: ctx.target.entry.name,
    previous: state.previous,
    work_order: ctx.workOrder,
    actor: ctx.actor,
  });
  const protectedVersions = [
    plan.version,
    state.previous,
    lastGoodVersion(state.log, plan.version),
    plan.rollbackVersion,
  ].filter((version): version is string => typeof version === 'string');
  const hooksJson = JSON.stringify({ version: plan.version, post_deploy: plan.commands.postDeploy });
  const run = await runScript(
    ctx,
    state,
    'done',
    doneScript({
      layout: ctx.layout,
      version: plan.version,
      logLine,
      hooksJson,
      keepReleases: plan.keepReleases,
      protectedVersions,
    }),
  );
  for (const pruned of stateValues(run.state, 'pruned')) {
    ctx.emit({
      type: 'output',
      releaseId: ctx.releaseId,
      host: ctx.target.entry.name,
      stage: 'done',
      stream: 'stdout',
      line: `pruned release ${pruned}`,
    });
  }
  return stepFromExec(run.exec, 'writing the release log', run.lastStderr);
}

/**
 * Runs the nine stages on one host. `connect` is called inside the check stage so that an unreachable host
 * or a refused host key is reported as a failed check. Returns the outcome and the executor (for rollback).
 */
export async function runHostRelease(
  base: Omit<HostRunContext, 'executor'>,
  state: HostRunState,
  connect: () => Promise<Executor>,
): Promise<{ outcome: HostRunOutcome; ctx: HostRunContext | null }> {
  const stageCtx = { ...base, hostName: base.target.entry.name };
  // Set inside the check stage's callback; a holder keeps TypeScript from narrowing them to their initial values.
  const found: { ctx: HostRunContext | null; unchanged: boolean } = { ctx: null, unchanged: false };
  const fail = (stage: StageName, step: StepResult): HostRunOutcome => {
    if (step.ok) throw new Error('not a failure');
    return step.aborted
      ? { kind: 'aborted', stage }
      : {
          kind: 'failed',
          failure: { stage, exitCode: step.exitCode, message: step.message, lastLines: state.recent.snapshot() },
        };
  };

  const check = await runStage(stageCtx, 'check', async () => {
    const connected: HostRunContext = { ...base, executor: await connect() };
    found.ctx = connected;
    return checkStage(connected, state, () => {
      found.unchanged = true;
    });
  });
  const live = found.ctx;
  if (!check.ok || live === null) return { outcome: fail('check', check), ctx: live };
  if (found.unchanged) {
    skipStages(stageCtx, STAGES.slice(1));
    return { outcome: { kind: 'unchanged' }, ctx: live };
  }

  const env = commandContext(live, base.plan.version, state.previous);
  const releaseDir = live.layout.releaseDir(base.plan.version);
  const commands = base.plan.commands;
  const steps: [StageName, () => Promise<StepResult | 'skipped'>][] = [
    ['fetch', () => fetchStage(live, state)],
    [
      'pre_deploy',
      async () =>
        commands.preDeploy.length === 0
          ? 'skipped'
          : runCommandList(live, state, 'pre_deploy', commands.preDeploy, releaseDir, env),
    ],
    ['switch', () => switchStage(live, state)],
    [
      'post_deploy',
      async () =>
        commands.postDeploy.length === 0
          ? 'skipped'
          : runCommandList(live, state, 'post_deploy', commands.postDeploy, releaseDir, env),
    ],
    ['health', () => healthStage(live, state)],
    [
      'release',
      async () =>
        commands.release.length === 0
          ? 'skipped'
          : runCommandList(live, state, 'release', commands.release, releaseDir, env),
    ],
    ['monitor', () => monitorStage(live, state)],
    ['done', () => doneStage(live, state)],
  ];
  for (const [stage, body] of steps) {
    if (base.signal.aborted) return { outcome: { kind: 'aborted', stage }, ctx: live };
    const step = await runStage(stageCtx, stage, body);
    if (!step.ok) return { outcome: fail(stage, step), ctx: live };
  }
  return { outcome: { kind: 'released' }, ctx: live };
}
