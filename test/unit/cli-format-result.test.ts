/** The CLI's summaries say how many hosts a rollback failed on, and name the retry command they are given. */
import { describe, expect, it } from 'vitest';
import { formatReleaseResult, formatRollbackResult, shellWord } from '../../src/cli/format-result.ts';
import type { HostRollbackReport } from '../../src/deploy/index.ts';

const host = (name: string, ok: boolean): HostRollbackReport => ({
  host: name,
  from: '2',
  to: '1',
  ok,
  message: ok ? 'rolled back from 2 to 1' : 'release 1 is not on this host',
  durationMs: 1,
});

const rollback = (...hosts: HostRollbackReport[]) => ({
  releaseId: 'r',
  app: 'shop',
  environment: 'prod',
  ok: hosts.every((entry) => entry.ok),
  hosts,
});

describe('formatRollbackResult', () => {
  it('says done, failed on some hosts (how many), or failed on every host', () => {
    expect(formatRollbackResult(rollback(host('a', true), host('b', true)))).toMatch(
      /^rollback of shop in prod: done\n/,
    );
    expect(formatRollbackResult(rollback(host('a', true), host('b', false)))).toMatch(
      /^rollback of shop in prod: FAILED on 1 of 2 hosts\n/,
    );
    expect(formatRollbackResult(rollback(host('a', false), host('b', false)))).toMatch(
      /^rollback of shop in prod: FAILED on every host\n/,
    );
  });
});

describe('formatReleaseResult', () => {
  it('names the retry command it is given', () => {
    const text = formatReleaseResult(
      {
        releaseId: 'r',
        app: 'shop',
        environment: 'prod',
        version: '2',
        status: 'failed',
        durationMs: 1,
        hosts: [{ host: 'a', outcome: 'failed', previousVersion: '1', durationMs: 1 }],
      },
      `npx yardmaster retry --config ${shellWord('/tmp/my config.yml')} plan.yml`,
    );
    expect(text).toContain("retry the failed hosts with: npx yardmaster retry --config '/tmp/my config.yml' plan.yml");
  });
});
