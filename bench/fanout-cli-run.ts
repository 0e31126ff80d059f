/**
 * One release by the real CLI for `bench:fanout`: `node bin/yardmaster.js deploy --config <file> --identity <key>
 * <plan>` as a child process, timed from spawn to exit, as a user sees it (its CPU time: bench/fanout-cpu.ts).
 * With `--json`, each event line is timestamped as it arrives, which shows where the process's time went
 * (start-up, hosts, the end).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const BIN = fileURLToPath(new URL('../bin/yardmaster.js', import.meta.url));
export interface CliRun {
  /** The config naming the hosts, and the plan. */
  config: string;
  plan: string;
  identity: string;
  /** The bench's temp dir: HOME, cache and compile cache of the CLI live there. */
  work: string;
  /** `--json` and timestamped events (a breakdown run), else the plain lines a pipe gets. */
  json: boolean;
  /** `--cpu-prof` into this directory. */
  cpuProfDir?: string;
}

/** Where a `--json` run's time went, ms from spawn (arrival of the event's line in the bench). */
export interface CliTimeline {
  releaseStarted: number;
  firstHostStarted: number;
  lastHostFinished: number;
  releaseFinished: number;
  /** Per stage name: every host's stage duration as the engine measured it (skipped stages left out). */
  stages: Map<string, number[]>;
  /** Per host: host.started → host.finished as the engine measured it. */
  hostMs: number[];
}

export interface CliSample {
  wallMs: number;
  timeline?: CliTimeline;
}

const eventSchema = z.looseObject({
  type: z.string(),
  stage: z.string().optional(),
  result: z.unknown().optional(),
  durationMs: z.number().optional(),
  report: z.looseObject({ durationMs: z.number() }).optional(),
});

function timelineOf(lines: readonly { at: number; text: string }[]): CliTimeline {
  const timeline: CliTimeline = {
    releaseStarted: Number.NaN,
    firstHostStarted: Number.NaN,
    lastHostFinished: Number.NaN,
    releaseFinished: Number.NaN,
    stages: new Map(),
    hostMs: [],
  };
  for (const { at, text } of lines) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      continue;
    }
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) continue;
    const event = parsed.data;
    if (event.type === 'release.started') timeline.releaseStarted = at;
    else if (event.type === 'host.started' && Number.isNaN(timeline.firstHostStarted)) timeline.firstHostStarted = at;
    else if (event.type === 'host.finished') {
      timeline.lastHostFinished = at;
      if (event.report !== undefined) timeline.hostMs.push(event.report.durationMs);
    } else if (event.type === 'release.finished') timeline.releaseFinished = at;
    else if (event.type === 'stage.finished' && event.result !== 'skipped' && event.stage !== undefined) {
      const list = timeline.stages.get(event.stage) ?? [];
      list.push(event.durationMs ?? Number.NaN);
      timeline.stages.set(event.stage, list);
    }
  }
  return timeline;
}

/** Runs the CLI once; rejects unless it exits 0 (the release succeeded on every host). */
export function runCli(run: CliRun): Promise<CliSample> {
  const nodeArgs = run.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', run.cpuProfDir];
  const args = [
    ...nodeArgs,
    BIN,
    'deploy',
    '--config',
    run.config,
    '--identity',
    run.identity,
    ...(run.json ? ['--json'] : []),
    run.plan,
  ];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: run.work,
    USER: 'bench',
    YARDMASTER_CACHE_DIR: `${run.work}/cache`,
    NODE_COMPILE_CACHE: `${run.work}/compile-cache`,
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: run.work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: { at: number; text: string }[] = [];
    let partial = '';
    let stderr = '';
    let exitedAt = Number.NaN;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!run.json) return;
      const at = performance.now() - started;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ at, text });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', () => {
      exitedAt = performance.now();
    });
    child.once('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`yardmaster deploy exited ${String(code ?? signal)}:\n${stderr.trim()}`));
        return;
      }
      resolve({ wallMs: exitedAt - started, ...(run.json ? { timeline: timelineOf(lines) } : {}) });
    });
  });
}
