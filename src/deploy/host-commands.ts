/** Runs built-in stage scripts and plan commands on one host, turning output into masked events. */
import type { Readable } from 'node:stream';
import type { ExecResult } from '../executors/types.ts';
import { commandScript, type CommandContext } from './command-env.ts';
import type { HostRunContext } from './host-context.ts';
import { asShellCommand } from './host-scripts.ts';
import { parseHostState, type HostStateLines } from './host-state.ts';
import { clipText } from './clip-text.ts';
import { createLineCollector, type RecentLines } from './output-lines.ts';
import type { StageName } from './types.ts';

export type StepResult = { ok: true } | { ok: false; exitCode: number | null; message: string; aborted: boolean };

export interface ScriptRun {
  exec: ExecResult;
  state: HostStateLines;
  lastStderr: string;
}

type OutputStage = StageName | 'rollback';

/** The slice of a host's context that running things on it needs (a release, or a standalone rollback). */
export type HostIo = Pick<HostRunContext, 'executor' | 'mask' | 'emit' | 'releaseId' | 'target' | 'signal'> & {
  plan: { commandTimeoutMs: number };
};

/** Where recent output lines are kept for failure reports. */
export interface OutputMemory {
  recent: RecentLines;
}

/** Longest output line quoted in a failure message (it reaches comments, check runs and Slack). */
const MESSAGE_LINE_CHARS = 500;

/** The shape every failure message takes, naming why a step stopped. */
export function describeExit(exec: ExecResult, what: string, lastLine: string): string {
  const tail = lastLine ? `: ${clipText(lastLine, MESSAGE_LINE_CHARS)}` : '';
  if (exec.aborted) return `${what} interrupted by abort`;
  if (exec.timedOut) return `${what} timed out${tail}`;
  if (exec.exitCode === null) return `${what} killed by ${exec.signal ?? 'a signal'}${tail}`;
  return `${what} exited ${exec.exitCode}${tail}`;
}

export function stepFromExec(exec: ExecResult, what: string, lastLine: string): StepResult {
  if (exec.exitCode === 0 && !exec.aborted && !exec.timedOut) return { ok: true };
  return { ok: false, exitCode: exec.exitCode, message: describeExit(exec, what, lastLine), aborted: exec.aborted };
}

function outputSink(ctx: HostIo, state: OutputMemory, stage: OutputStage, stream: 'stdout' | 'stderr') {
  let last = '';
  const collector = createLineCollector(ctx.mask, (line) => {
    last = line;
    state.recent.add(line);
    ctx.emit({ type: 'output', releaseId: ctx.releaseId, host: ctx.target.entry.name, stage, stream, line });
  });
  return { collector, last: () => last };
}

/** Runs a built-in script (values already quoted), reporting `@ym` state lines separately from output. */
export async function runScript(
  ctx: HostIo,
  state: OutputMemory,
  stage: OutputStage,
  script: string,
  stdin?: Readable | string,
): Promise<ScriptRun> {
  // Lines of bounded size, like any output: a host printing one endless line cannot grow this without bound.
  const stdoutLines: string[] = [];
  const stdout = createLineCollector(
    (text) => text,
    (line) => stdoutLines.push(line),
  );
  const stderr = outputSink(ctx, state, stage, 'stderr');
  const exec = await ctx.executor.exec(asShellCommand(script), {
    ...(stdin ? { stdin } : {}),
    onStdout: (chunk) => {
      stdout.push(chunk);
    },
    onStderr: (chunk) => {
      stderr.collector.push(chunk);
    },
    signal: ctx.signal,
    timeoutMs: ctx.plan.commandTimeoutMs,
  });
  stdout.flush();
  stderr.collector.flush();
  const parsed = parseHostState(stdoutLines.join('\n'));
  for (const line of parsed.other) {
    const masked = ctx.mask(line);
    state.recent.add(masked);
    ctx.emit({
      type: 'output',
      releaseId: ctx.releaseId,
      host: ctx.target.entry.name,
      stage,
      stream: 'stdout',
      line: masked,
    });
  }
  return { exec, state: parsed, lastStderr: stderr.last() };
}

/** Runs one plan command via `sh -s` (script on stdin, so secrets stay out of argv), streaming its output. */
export async function runCommand(
  ctx: HostIo,
  state: OutputMemory,
  stage: OutputStage,
  command: string,
  cwd: string,
  env: CommandContext,
  signal: AbortSignal = ctx.signal,
): Promise<{ exec: ExecResult; lastLine: string }> {
  const stdout = outputSink(ctx, state, stage, 'stdout');
  const stderr = outputSink(ctx, state, stage, 'stderr');
  const exec = await ctx.executor.exec('sh -s', {
    stdin: commandScript(env, command, cwd),
    onStdout: (chunk) => {
      stdout.collector.push(chunk);
    },
    onStderr: (chunk) => {
      stderr.collector.push(chunk);
    },
    signal,
    timeoutMs: ctx.plan.commandTimeoutMs,
  });
  stdout.collector.flush();
  stderr.collector.flush();
  return { exec, lastLine: stderr.last() || stdout.last() };
}

/** Runs a stage's plan commands in order; the first failure stops the list. */
export async function runCommandList(
  ctx: HostIo,
  state: OutputMemory,
  stage: OutputStage,
  commands: readonly string[],
  cwd: string,
  env: CommandContext,
): Promise<StepResult> {
  for (const [index, command] of commands.entries()) {
    const { exec, lastLine } = await runCommand(ctx, state, stage, command, cwd, env);
    const step = stepFromExec(
      exec,
      `${stage} command ${index + 1} (${clipText(ctx.mask(command), MESSAGE_LINE_CHARS)})`,
      lastLine,
    );
    if (!step.ok) return step;
  }
  return { ok: true };
}
