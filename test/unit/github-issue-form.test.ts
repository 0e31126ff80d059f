import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { stageOutput } from '../../src/github/check-run-output.ts';
import { parseWorkOrderForm } from '../../src/github/issue-form.ts';

const RENDERED = [
  '### Requirement',
  '',
  'Ship checkout 2.4.1',
  'with the new tax rules.',
  '',
  '### Scheduled time',
  '',
  '2026-11-24T02:00:00Z',
  '',
  '### Plan author',
  '',
  '@carol',
  '',
  '### Deployer',
  '',
  'dave',
  '',
  '### Result acceptor',
  '',
  '_No response_',
].join('\n');

describe('the work-order issue form', () => {
  it('reads the fields as GitHub renders them', () => {
    expect(parseWorkOrderForm(RENDERED)).toEqual({
      form: {
        requirement: 'Ship checkout 2.4.1\nwith the new tax rules.',
        scheduledAt: new Date('2026-11-24T02:00:00Z'),
        planAuthor: 'carol',
        deployer: 'dave',
      },
      problems: [],
    });
  });

  it('reports a scheduled time that is no date, and reads a body without the form as empty', () => {
    const result = parseWorkOrderForm(RENDERED.replace('2026-11-24T02:00:00Z', 'tomorrow night'));
    expect(result.form.scheduledAt).toBeUndefined();
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    expect(result.problems).toEqual([{ field: 'Scheduled time', message: expect.stringContaining('tomorrow night') }]);
    expect(parseWorkOrderForm('Please deploy.\r\n')).toEqual({ form: {}, problems: [] });
  });

  it('matches the shipped issue form: every field the bot reads is there, with the same label', () => {
    const form = z
      .object({
        labels: z.array(z.string()),
        body: z.array(z.object({ type: z.string(), attributes: z.object({ label: z.string() }) })),
      })
      .parse(parse(readFileSync(new URL('../../docs/examples/work-order.yml', import.meta.url), 'utf8')));
    expect(form.labels).toEqual(['work-order']);
    expect(form.body.map((field) => field.attributes.label)).toEqual([
      'Requirement',
      'Scheduled time',
      'Plan author',
      'Deployer',
      'Result acceptor',
    ]);
  });
});

describe('check-run output', () => {
  it('tabulates hosts and escapes what would break the table', () => {
    const output = stageOutput(
      'health',
      new Map([
        [
          'web-1',
          { result: 'ok' as const, durationMs: 1500, exitCode: 0, message: undefined, lines: ['a | b', '<script>'] },
        ],
        [
          'web-2',
          { result: 'failed' as const, durationMs: 20, exitCode: 7, message: 'expected 200, got 503', lines: ['503'] },
        ],
      ]),
    );
    expect(output.title).toBe('health: failed on web-2');
    expect(output.summary).toContain('| web-1 | ✅ ok | 1.5 s | <code>a \\| b<br>&lt;script&gt;</code> |');
    expect(output.summary).toContain('| web-2 | ❌ failed | 20 ms |');
    expect(output.text).toContain('### web-2 failed (exit 7)');
    expect(output.text).toContain('expected 200, got 503');
  });
});
