import { describe, expect, it } from 'vitest';
import type { HostReport, ReleaseEvent } from '../../src/deploy/types.ts';
import { jsonReporter } from '../../src/cli/reporters/json-reporter.ts';
import { liveReporter } from '../../src/cli/reporters/live-reporter.ts';
import { plainReporter } from '../../src/cli/reporters/plain-reporter.ts';

const releaseId = 'r1';
const failedReport: HostReport = {
  host: 'web-2',
  outcome: 'failed',
  previousVersion: '1.0.0',
  durationMs: 40,
  failure: { stage: 'health', exitCode: 1, message: 'health check failed after 2 attempts', lastLines: ['boom'] },
};
const events: ReleaseEvent[] = [
  {
    type: 'release.started',
    releaseId,
    app: 'shop',
    environment: 'prod',
    version: '2.0.0',
    batches: [['web-1'], ['web-2']],
    at: '2026-11-23T00:00:00Z',
  },
  { type: 'host.started', releaseId, host: 'web-1', batch: 0 },
  { type: 'stage.started', releaseId, host: 'web-1', stage: 'check' },
  { type: 'stage.finished', releaseId, host: 'web-1', stage: 'check', result: 'ok', durationMs: 12 },
  { type: 'stage.started', releaseId, host: 'web-1', stage: 'fetch' },
  { type: 'output', releaseId, host: 'web-1', stage: 'fetch', stream: 'stdout', line: 'unpacked 12 files' },
  { type: 'host.started', releaseId, host: 'web-2', batch: 1 },
  { type: 'stage.started', releaseId, host: 'web-2', stage: 'health' },
  { type: 'host.finished', releaseId, host: 'web-2', report: failedReport },
];

function collect(): { text: () => string; out: { write: (chunk: string) => void } } {
  let text = '';
  return {
    text: () => text,
    out: {
      write: (chunk) => {
        text += chunk;
      },
    },
  };
}

describe('reporters', () => {
  it('live view: one line per host with its stage, redrawn in place', () => {
    const sink = collect();
    const reporter = liveReporter(sink.out, () => 120);
    for (const event of events) reporter.onEvent(event);
    reporter.close();
    const screen = sink.text();
    expect(screen).toContain('shop 2.0.0 → prod (r1)');
    expect(screen).toMatch(/▸ web-1 █░{8} fetch .* unpacked 12 files/);
    expect(screen).toMatch(/✘ web-2 ░{9} failed .* health check failed after 2 attempts/);
    // one redraw: header + two host lines, each cleared before it is written
    // eslint-disable-next-line no-control-regex -- counts the terminal's erase-line escapes
    expect(screen.match(/\x1b\[2K/g)).toHaveLength(3);
    reporter.close();
    expect(sink.text()).toContain('\x1b[3A');
  });

  it('plain lines name host and stage; skipped stages are quiet; an outcome is printed once', () => {
    const sink = collect();
    const reporter = plainReporter(sink.out);
    for (const event of [
      ...events,
      { type: 'host.finished', releaseId, host: 'web-2', report: failedReport } as const,
      { type: 'stage.finished', releaseId, host: 'web-1', stage: 'monitor', result: 'skipped', durationMs: 0 } as const,
    ])
      reporter.onEvent(event);
    const lines = sink.text().trim().split('\n');
    expect(lines).toEqual([
      'release r1: shop 2.0.0 to prod, batches: web-1 | web-2',
      '[web-1] check ok (12 ms)',
      '[web-1] fetch | unpacked 12 files',
      '[web-2] failed (40 ms)',
    ]);
  });

  it('--json writes one parseable event per line', () => {
    const sink = collect();
    const reporter = jsonReporter(sink.out);
    for (const event of events) reporter.onEvent(event);
    const parsed = sink
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ReleaseEvent);
    expect(parsed).toEqual(events);
  });
});
