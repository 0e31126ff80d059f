import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import { SHA, issuesOf, valueOf } from './plan-fixtures.ts';

/** A plan whose package comes from `url`, with `transfer` on line 7. */
function planWith(url: string, transfer: string): string {
  return [
    'app: checkout-api',
    'environment: production',
    'version: 2.4.1',
    'package:',
    `  url: ${url}`,
    `  sha256: ${SHA}`,
    `transfer: ${transfer}`,
  ].join('\n');
}

const REFUSAL = 'pull needs an https:// package URL that the hosts download themselves; package.url is';

describe('plan validation: transfer: pull', () => {
  it('accepts an https:// and an http:// package URL', () => {
    expect(valueOf(parsePlan(planWith('https://artifacts.example.com/a-2.4.1.tar.gz', 'pull'))).transfer).toBe('pull');
    expect(valueOf(parsePlan(planWith('http://artifacts.example.com/a-2.4.1.tar.gz', 'pull'))).transfer).toBe('pull');
  });

  it('refuses a file:// URL, naming the field and its line', () => {
    expect(issuesOf(parsePlan(planWith('file:///srv/artifacts/a-2.4.1.tar.gz', 'pull')))).toStrictEqual([
      `line 7, column 1, transfer: ${REFUSAL} a file:// URL, which only the controller can read (use stream, sftp or scp for it)`,
    ]);
  });

  it('refuses a path in the artifact store and an absolute path', () => {
    for (const url of ['checkout-api/a-2.4.1.tar.gz', '/srv/artifacts/a-2.4.1.tar.gz']) {
      expect(issuesOf(parsePlan(planWith(url, 'pull')))).toStrictEqual([
        `line 7, column 1, transfer: ${REFUSAL} a path on the controller, which only the controller can read (use stream, sftp or scp for it)`,
      ]);
    }
  });

  it('keeps file:// URLs for the pushed transfers', () => {
    for (const transfer of ['stream', 'sftp', 'scp']) {
      expect(valueOf(parsePlan(planWith('file:///srv/artifacts/a.tar.gz', transfer))).transfer).toBe(transfer);
    }
  });

  it('reports a bad sha256 by itself rather than the pull refusal on top', () => {
    const text = planWith('file:///srv/a.tar.gz', 'pull').replace(SHA, 'nope');
    expect(issuesOf(parsePlan(text))).toStrictEqual([
      'line 6, column 3, package.sha256: expected a sha256 digest of 64 hex digits',
    ]);
  });
});
