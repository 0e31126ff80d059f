import { describe, expect, it } from 'vitest';
import { extractPlanBlock } from '../../src/plan/extract-plan.ts';
import { formatIssues } from '../../src/plan/format-issues.ts';
import { parsePlanFromComment } from '../../src/plan/parse-plan-from-comment.ts';
import { SHA } from './plan-fixtures.ts';

const PLAN_LINES = [
  'app: checkout-api',
  'environment: production',
  'version: 2.4.1',
  'package:',
  '  url: https://artifacts.example.com/a.tgz',
  `  sha256: ${SHA}`,
];

/** A realistic work-order comment: prose, a shell block, an unrelated YAML block, then the plan on line 13. */
function comment(planLines: readonly string[], fence = '```yaml'): string {
  return [
    '### Release checkout-api 2.4.1', // 1
    '', // 2
    'Built by CI:', // 3
    '```bash', // 4
    'app: not-a-plan', // 5
    '```', // 6
    '```yaml', // 7
    'steps: [build]', // 8
    'app: also-not-a-plan', // 9
    '```', // 10
    'Plan:', // 11
    fence, // 12
    ...planLines, // 13…
    '```',
    '',
    'Thanks!',
  ].join('\n');
}

describe('extractPlanBlock', () => {
  it('finds the first yaml block whose first key is app, with the line it starts on', () => {
    expect(extractPlanBlock(comment(PLAN_LINES))).toStrictEqual({ yaml: PLAN_LINES.join('\n'), startLine: 13, indent: 0 });
  });

  it('takes a yardmaster block whatever its first key', () => {
    const markdown = ['```yardmaster', '# plan', 'version: 1', 'app: x', '```'].join('\n');
    expect(extractPlanBlock(markdown)).toStrictEqual({ yaml: '# plan\nversion: 1\napp: x', startLine: 2, indent: 0 });
  });

  it('skips comments, blank lines and --- before the first key of a yaml block', () => {
    const markdown = ['```yml', '', '# the plan', '---', 'app: x', '```'].join('\n');
    expect(extractPlanBlock(markdown)?.startLine).toBe(2);
  });

  it('accepts ~~~ fences, longer fences and info strings with extras', () => {
    expect(extractPlanBlock('~~~yaml\napp: x\n~~~')?.yaml).toBe('app: x');
    expect(extractPlanBlock('````YAML title="plan"\napp: x\n```\n````')?.yaml).toBe('app: x\n```');
  });

  it('handles CRLF line endings from GitHub issue forms', () => {
    expect(extractPlanBlock('Plan:\r\n```yaml\r\napp: x\r\nversion: "1"\r\n```\r\n')).toStrictEqual({
      yaml: 'app: x\nversion: "1"',
      startLine: 3,
      indent: 0,
    });
  });

  it('strips the indentation of an indented fence and records it', () => {
    expect(extractPlanBlock('1. plan:\n   ```yaml\n   app: x\n   package:\n     url: y\n   ```')).toStrictEqual({
      yaml: 'app: x\npackage:\n  url: y',
      startLine: 3,
      indent: 3,
    });
  });

  it('runs an unclosed fence to the end of the comment', () => {
    expect(extractPlanBlock('```yaml\napp: x\nversion: "1"')?.yaml).toBe('app: x\nversion: "1"');
  });

  it('finds nothing when no block qualifies', () => {
    expect(extractPlanBlock('no code here')).toBeUndefined();
    expect(extractPlanBlock('```yaml\nsteps: []\n```\n```json\n{"app": "x"}\n```')).toBeUndefined();
    expect(extractPlanBlock('inline ```yaml app: x``` is not a block')).toBeUndefined();
    expect(extractPlanBlock('> ```yaml\n> app: x\n> ```')).toBeUndefined();
  });
});

describe('parsePlanFromComment', () => {
  it('parses the plan of a comment', () => {
    const result = parsePlanFromComment(comment(PLAN_LINES));
    expect(result.ok).toBe(true);
    expect(result.ok && result.plan.version).toBe('2.4.1');
    expect(result.ok && result.block.startLine).toBe(13);
  });

  it('reports issues at comment lines', () => {
    const lines = [...PLAN_LINES, 'strategy:', '  mode: batches', '  batch_size: 0%'];
    const result = parsePlanFromComment(comment(lines));
    expect(result.ok).toBe(false);
    if (result.ok || result.reason !== 'invalid') throw new Error('expected an invalid plan');
    // batch_size is line 9 of the block, which starts on comment line 13.
    expect(formatIssues(result.issues)).toBe(
      'line 21, column 3, strategy.batch_size: expected a count or a percentage like 25%',
    );
  });

  it('shifts columns by the fence indentation', () => {
    const result = parsePlanFromComment('  ```yaml\n  app: checkout-api\n  environment: "bad name"\n  ```');
    if (result.ok || result.reason !== 'invalid') throw new Error('expected an invalid plan');
    expect(result.issues.map((issue) => [issue.line, issue.column, issue.path])).toStrictEqual([
      [2, 3, 'version'],
      [2, 3, 'package'],
      [3, 3, 'environment'],
    ]);
  });

  it('reports YAML syntax errors at comment lines too', () => {
    const result = parsePlanFromComment(comment(['app: x', 'environment: [a, b']));
    if (result.ok || result.reason !== 'invalid') throw new Error('expected an invalid plan');
    expect(result.issues[0]?.line).toBeGreaterThanOrEqual(13);
  });

  it('says when a comment holds no plan', () => {
    expect(parsePlanFromComment('LGTM, ship it')).toStrictEqual({ ok: false, reason: 'no-plan' });
  });
});
