import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../src/plan/closest-match.ts';
import { formatIssue, formatIssues } from '../../src/plan/format-issues.ts';

describe('formatIssue', () => {
  it('writes line, column, path and message', () => {
    expect(formatIssue({ line: 7, column: 3, path: 'strategy.batch_size', message: 'expected a count' })).toBe(
      'line 7, column 3, strategy.batch_size: expected a count',
    );
  });

  it('leaves out an unknown position', () => {
    expect(formatIssue({ line: 0, column: 0, path: 'app', message: 'unknown app shop' })).toBe('app: unknown app shop');
  });

  it('leaves out an unknown column and an empty path', () => {
    expect(formatIssue({ line: 4, column: 0, path: '', message: 'bad' })).toBe('line 4: bad');
    expect(formatIssue({ line: 0, column: 0, path: '', message: 'cannot read' })).toBe('cannot read');
  });
});

describe('formatIssues', () => {
  it('puts one issue per line, in the order given', () => {
    expect(
      formatIssues([
        { line: 2, column: 1, path: 'b', message: 'second' },
        { line: 1, column: 1, path: 'a', message: 'first' },
      ]),
    ).toBe('line 2, column 1, b: second\nline 1, column 1, a: first');
  });

  it('is empty for no issues', () => {
    expect(formatIssues([])).toBe('');
  });
});

describe('closestMatch', () => {
  const fields = ['batch_size', 'canary', 'pause', 'max_failures', 'mode'];

  it('suggests across separator and case differences', () => {
    expect(closestMatch('batchSize', fields)).toBe('batch_size');
    expect(closestMatch('MAX-FAILURES', fields)).toBe('max_failures');
  });

  it('suggests for small typos, swaps included', () => {
    expect(closestMatch('canry', fields)).toBe('canary');
    expect(closestMatch('puase', fields)).toBe('pause');
  });

  it('stays quiet when nothing is close', () => {
    expect(closestMatch('banana', fields)).toBeUndefined();
    expect(closestMatch('x', fields)).toBeUndefined();
    expect(closestMatch('mode', [])).toBeUndefined();
  });
});
