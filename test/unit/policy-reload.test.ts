/** The policy file at start and on SIGHUP: a bad file refuses the start, and on reload keeps the policy in force. */
import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPolicy, type PolicyLog } from '../../src/policy/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ym-policy-reload-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Line {
  level: 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

function recordingLog(): PolicyLog & { lines: Line[]; next(level: Line['level']): Promise<Line> } {
  const lines: Line[] = [];
  const events = new EventEmitter();
  const add = (level: Line['level']) => (fields: object, message: string) => {
    const line = { level, fields, message };
    lines.push(line);
    events.emit(level, line);
  };
  return {
    lines,
    info: add('info'),
    warn: add('warn'),
    error: add('error'),
    next: async (level) => ((await once(events, level)) as [Line])[0],
  };
}

describe('startPolicy', () => {
  it('without a file: the defaults, and one line saying any host may be targeted', async () => {
    const log = recordingLog();
    const started = await startPolicy(undefined, { artifactsDir: dir, log, signals: new EventEmitter() });
    expect(started.ok && started.source.forRepo('a/b').origin).toStrictEqual({ kind: 'defaults' });

    expect(log.lines).toStrictEqual([
      {
        level: 'warn',
        fields: { policy: 'defaults' },
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
        message: expect.stringMatching(/no YARDMASTER_POLICY: every repository may target any host/),
      },
    ]);
  });

  it('refuses to start with a bad file, naming each problem by line', async () => {
    const file = join(dir, 'bad.yml');
    await writeFile(file, 'repos:\n  - match: "acme/*"\n    hosts: ["10.0.0.0/99"]\n    executor: [local]\n');
    const started = await startPolicy(file, { artifactsDir: dir, log: recordingLog(), signals: new EventEmitter() });
    expect(started).toStrictEqual({
      ok: false,
      problems: [
        `YARDMASTER_POLICY ${file} has problems:`,
        'line 3, column 13, repos[0].hosts[0]: expected a prefix length from 0 to 32 after the /',
        'line 4, column 5, repos[0].executor: unknown field; did you mean executors?',
      ],
    });
  });

  it('re-reads the file on SIGHUP; a bad file keeps the old policy and logs its errors by line', async () => {
    const file = join(dir, 'policy.yml');
    await writeFile(file, 'repos:\n  - match: "acme/*"\n    hosts: ["10.0.0.0/8"]\n');
    const signals = new EventEmitter();
    const log = recordingLog();
    const started = await startPolicy(file, { artifactsDir: dir, log, signals });
    if (!started.ok) throw new Error(started.problems.join('\n'));
    expect(started.source.forRepo('acme/shop').executors).toStrictEqual(['ssh']);

    await writeFile(file, 'repos:\n  - match: "acme/*"\n    hosts: ["10.0.0.0/8"]\n    executors: [ssh, local]\n');
    const reloaded = log.next('info');
    signals.emit('SIGHUP');
    expect((await reloaded).message).toBe('operator policy reloaded');
    expect(started.source.forRepo('acme/shop').executors).toStrictEqual(['ssh', 'local']);

    await writeFile(file, 'repos:\n  - match: "acme/*"\n    hosts: "everything"\n');
    const refused = log.next('error');
    signals.emit('SIGHUP');
    const line = await refused;
    expect(line.message).toMatch(/not reloaded: the file has problems; the previous policy stays in force/);
    expect(line.fields).toStrictEqual({
      policy: file,
      problems: ['line 3, column 5, repos[0].hosts: expected a list of CIDR blocks, addresses or host name globs'],
    });
    expect(started.source.forRepo('acme/shop').executors).toStrictEqual(['ssh', 'local']);

    started.stop();
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });
});
