/** Shared YAML texts and helpers for the plan and config unit tests. */
import { formatIssue } from '../../src/plan/format-issues.ts';
import type { ParseResult } from '../../src/plan/types.ts';

export const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** The four required fields on lines 1–6, then `extra` from line 7 on. */
export function planYaml(extra = ''): string {
  return [
    'app: checkout-api',
    'environment: production',
    'version: 2.4.1',
    'package:',
    '  url: https://artifacts.example.com/checkout-api-2.4.1.tar.gz',
    `  sha256: ${SHA}`,
    extra,
  ].join('\n');
}

/** The value of a successful result; fails the test with the formatted issues otherwise. */
export function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got:\n${result.issues.map(formatIssue).join('\n')}`);
  return result.value;
}

/** The formatted issues of a failed result; fails the test when it succeeded. */
export function issuesOf<T>(result: ParseResult<T>): string[] {
  if (result.ok) throw new Error('expected issues, but the text was accepted');
  return result.issues.map(formatIssue);
}
