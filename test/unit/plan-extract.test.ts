import { describe, expect, it } from 'vitest';
import { laneBlockOf } from '../../src/github/handle-lane-comment.ts';
import { extractPlanBlock, findPlanBlocks, topLevelFences } from '../../src/plan/extract-plan.ts';
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
    expect(extractPlanBlock(comment(PLAN_LINES))).toStrictEqual({
      yaml: PLAN_LINES.join('\n'),
      startLine: 13,
      indent: 0,
    });
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
    expect(extractPlanBlock('Plan:\n\n   ```yaml\n   app: x\n   package:\n     url: y\n   ```')).toStrictEqual({
      yaml: 'app: x\npackage:\n  url: y',
      startLine: 4,
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

/** A plan block's lines, fenced. */
function fenced(lines: readonly string[], open = '```yaml', close = '```'): string[] {
  return [open, ...lines, close];
}

describe('findPlanBlocks: only what GitHub shows as a code block is a plan', () => {
  const plan = ['app: shop', 'version: 1'];

  it('ignores a plan inside an HTML comment and takes the visible one below it, at its own line', () => {
    const markdown = ['<!--', ...fenced(['app: hidden']), '-->', '', 'Plan:', ...fenced(plan)].join('\n');
    expect(findPlanBlocks(markdown)).toStrictEqual({
      kind: 'one',
      block: { yaml: plan.join('\n'), startLine: 9, indent: 0 },
    });
  });

  it('ignores plans in an HTML comment that spans blank lines, or is never closed', () => {
    expect(findPlanBlocks(['<!-- hidden', '', ...fenced(plan), '', '-->'].join('\n'))).toStrictEqual({ kind: 'none' });
    expect(findPlanBlocks(['<!--', '', ...fenced(plan)].join('\n'))).toStrictEqual({ kind: 'none' });
  });

  it('ignores a plan inside an HTML block (<details> without a blank line), which GitHub shows as plain text', () => {
    expect(
      findPlanBlocks(['<details>', '<summary>plan</summary>', ...fenced(plan), '</details>'].join('\n')),
    ).toStrictEqual({ kind: 'none' });
    expect(findPlanBlocks(['<pre>', ...fenced(plan), '</pre>'].join('\n'))).toStrictEqual({ kind: 'none' });
  });

  it('takes a plan after a blank line inside <details>: GitHub renders it there as a code block', () => {
    const markdown = ['<details>', '<summary>plan</summary>', '', ...fenced(plan), '', '</details>'].join('\n');
    expect(findPlanBlocks(markdown)).toStrictEqual({
      kind: 'one',
      block: { yaml: plan.join('\n'), startLine: 5, indent: 0 },
    });
  });

  it('a fence in inline HTML that a paragraph opens is shown, so it is the plan', () => {
    // `<!--` inside a paragraph is text when the fence below interrupts the paragraph: GitHub shows the block.
    expect(findPlanBlocks(['Plan <!--', ...fenced(plan), '-->'].join('\n'))).toMatchObject({
      kind: 'one',
      block: { startLine: 3 },
    });
  });

  it('ignores indented code (four spaces or a tab), whose fence is text', () => {
    expect(
      findPlanBlocks(
        fenced(plan)
          .map((line) => `    ${line}`)
          .join('\n'),
      ),
    ).toStrictEqual({ kind: 'none' });
    expect(
      findPlanBlocks(
        fenced(plan)
          .map((line) => `\t${line}`)
          .join('\n'),
      ),
    ).toStrictEqual({ kind: 'none' });
  });

  it('takes tilde fences and longer fences, which only a fence of the same kind and at least that length closes', () => {
    expect(findPlanBlocks(fenced(plan, '~~~yml', '~~~').join('\n'))).toMatchObject({
      kind: 'one',
      block: { yaml: plan.join('\n') },
    });
    expect(findPlanBlocks(['~~~~yaml', ...plan, '~~~', '```', '~~~~'].join('\n'))).toMatchObject({
      kind: 'one',
      block: { yaml: [...plan, '~~~', '```'].join('\n') },
    });
    expect(findPlanBlocks(['`````yardmaster', ...plan, '````', '`````'].join('\n'))).toMatchObject({
      kind: 'one',
      block: { yaml: [...plan, '````'].join('\n') },
    });
  });

  it('ignores a plan quoted in a blockquote (a quote reply is not a plan of whoever quotes)', () => {
    const quoted = fenced(plan).map((line) => `> ${line}`);
    expect(findPlanBlocks(quoted.join('\n'))).toStrictEqual({ kind: 'none' });
    expect(findPlanBlocks(['> - item', ...fenced(plan).map((line) => `>   ${line}`)].join('\n'))).toStrictEqual({
      kind: 'none',
    });
    // …and the quoting reply's own plan, at the top level, is the one.
    expect(findPlanBlocks([...quoted, '', 'Mine:', ...fenced(plan)].join('\n'))).toMatchObject({
      kind: 'one',
      block: { startLine: 8 },
    });
  });

  it('refuses a plan inside a list item, naming its line', () => {
    const markdown = ['1. plan:', ...fenced(plan).map((line) => `   ${line}`)].join('\n');
    expect(findPlanBlocks(markdown)).toStrictEqual({ kind: 'in-list', line: 2 });
    expect(extractPlanBlock(markdown)).toBeUndefined();
    expect(parsePlanFromComment(markdown)).toStrictEqual({
      ok: false,
      reason: 'plan-in-list',
      message:
        'the plan block on line 2 is inside a list item; put it at the top level of the comment, not indented under a list',
    });
  });

  it('refuses more than one plan block, naming every line', () => {
    const markdown = [...fenced(plan), '', ...fenced(plan, '```yardmaster'), '', ...fenced(plan, '~~~yml', '~~~')].join(
      '\n',
    );
    expect(findPlanBlocks(markdown)).toStrictEqual({ kind: 'several', lines: [1, 6, 11] });
    expect(parsePlanFromComment(markdown)).toStrictEqual({
      ok: false,
      reason: 'several-plans',
      message:
        'the comment holds more than one plan block (lines 1, 6 and 11); post exactly one, so approvers know which runs',
    });
  });

  it('counts a plan in a list item beside a top-level one as a second plan', () => {
    const markdown = [...fenced(plan), '', '- also:', ...fenced(plan).map((line) => `  ${line}`)].join('\n');
    expect(findPlanBlocks(markdown)).toStrictEqual({ kind: 'several', lines: [1, 7] });
  });

  it('does not count YAML that is not a plan, nor a hidden second plan', () => {
    const markdown = [...fenced(['steps: [build]']), '<!--', ...fenced(plan), '-->', '', ...fenced(plan)].join('\n');
    expect(findPlanBlocks(markdown)).toMatchObject({ kind: 'one', block: { startLine: 12 } });
  });

  it('keeps lines right with CRLF line endings and an HTML comment before the plan', () => {
    const markdown = ['<!-- note -->', '', ...fenced(['app: shop', 'environment: "bad name"'])].join('\r\n');
    const result = parsePlanFromComment(markdown);
    if (result.ok || result.reason !== 'invalid') throw new Error('expected an invalid plan');
    expect(result.issues.map((issue) => [issue.line, issue.column, issue.path])).toStrictEqual([
      [4, 1, 'version'],
      [4, 1, 'package'],
      [5, 1, 'environment'],
    ]);
  });
});

describe('topLevelFences and lane specs', () => {
  it('lists the fenced blocks GitHub shows at the top level, with their lines', () => {
    const markdown = [
      '```sh',
      'make',
      '```',
      '<!--',
      '```yaml',
      'hidden: 1',
      '```',
      '-->',
      '> ```js',
      '> quoted()',
      '> ```',
      '~~~Yardmaster-Lane x',
      'services: {}\r',
      '~~~',
      '    ```indented',
      '    ```',
    ].join('\n');
    expect(topLevelFences(markdown)).toStrictEqual([
      { language: 'sh', text: 'make', line: 1 },
      { language: 'Yardmaster-Lane', text: 'services: {}', line: 12 },
    ]);
  });

  it('reads a lane spec only where GitHub shows it', () => {
    const spec = ['```yardmaster-lane', 'services: { A: baseline }', '```'];
    expect(laneBlockOf(['Lane:', '', ...spec].join('\n'))).toBe('services: { A: baseline }');
    expect(laneBlockOf(['<!--', ...spec, '-->'].join('\n'))).toBeUndefined();
    expect(laneBlockOf(spec.map((line) => `> ${line}`).join('\n'))).toBeUndefined();
  });
});
