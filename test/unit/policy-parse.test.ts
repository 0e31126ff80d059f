/** The policy file: validated like plans and configs, every problem named with its line, column and field. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssues } from '../../src/plan/format-issues.ts';
import { loadPolicyFile, parsePolicy } from '../../src/policy/index.ts';

function problems(yaml: string): string[] {
  const parsed = parsePolicy(yaml);
  return parsed.ok ? [] : formatIssues(parsed.issues).split('\n');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ym-policy-parse-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('parsePolicy', () => {
  it('reads the documented example with defaults applied', () => {
    const parsed = parsePolicy(
      [
        'repos:',
        '  - match: "acme/*"',
        '    hosts: ["10.20.0.0/16", "*.prod.acme.internal", "127.0.0.1"]',
        '    ssh_identity: /run/secrets/acme-deploy-key',
        '    executors: [ssh]',
        '    artifacts: ["https://artifacts.acme.com/", "file:///srv/artifacts/"]',
        '    max_lane_ttl: 72h',
        '    max_lane_instances: 20',
        '    allow_custom_commands: false',
        '  - match: "acme-labs/sandbox"',
        '    hosts: []',
        '',
      ].join('\n'),
    );
    expect(parsed).toStrictEqual({
      ok: true,
      value: {
        repos: [
          {
            match: 'acme/*',
            hosts: ['10.20.0.0/16', '*.prod.acme.internal', '127.0.0.1'],
            sshIdentity: '/run/secrets/acme-deploy-key',
            executors: ['ssh'],
            artifacts: ['https://artifacts.acme.com/', 'file:///srv/artifacts/'],
            maxLaneTtlMs: 72 * 3_600_000,
            maxLaneInstances: 20,
            allowCustomCommands: false,
          },
          {
            match: 'acme-labs/sandbox',
            hosts: [],
            executors: ['ssh'],
            maxLaneTtlMs: 72 * 3_600_000,
            maxLaneInstances: 20,
            allowCustomCommands: true,
          },
        ],
      },
    });
  });

  it('names the line, column and field of every problem', () => {
    expect(
      problems(
        [
          'repos:',
          '  - match: "acme"',
          '    hosts: ["10.0.0.0/33", "bad host!", "::1/200"]',
          '    executors: [ssh, docker]',
          '    artifacts: ["ftp://x/", "file:///srv/../etc/", "https://u:p@x/"]',
          '    max_lane_ttl: forever',
          '    max_lane_instances: -1',
          '    sudo: true',
          '    allow_custom_commands: "no"',
          '',
        ].join('\n'),
      ),
    ).toStrictEqual([
      'line 2, column 5, repos[0].match: expected an owner/name glob like "acme/*" or "acme/shop"',
      'line 3, column 13, repos[0].hosts[0]: expected a prefix length from 0 to 32 after the /',
      'line 3, column 28, repos[0].hosts[1]: expected a CIDR block, an IP address or a host name glob (like *.prod.example.com)',
      'line 3, column 41, repos[0].hosts[2]: expected a prefix length from 0 to 128 after the /',
      'line 4, column 22, repos[0].executors[1]: expected ssh or local',
      'line 5, column 17, repos[0].artifacts[0]: unsupported URL scheme "ftp:"; expected https://, http:// or file://',
      'line 5, column 29, repos[0].artifacts[1]: a file:// prefix must name a local directory without ".." segments, like "file:///srv/artifacts/"',
      'line 5, column 52, repos[0].artifacts[2]: a prefix must not contain credentials, a query or a fragment',
      'line 6, column 5, repos[0].max_lane_ttl: expected a duration like 72h or 30m',
      'line 7, column 5, repos[0].max_lane_instances: expected a whole number from 0 to 10000',
      'line 8, column 5, repos[0].sudo: unknown field',
      'line 9, column 5, repos[0].allow_custom_commands: expected true or false',
    ]);
  });

  it('requires match and hosts, and reports YAML syntax errors by line', () => {
    expect(problems('repos:\n  - executors: [ssh]\n')).toStrictEqual([
      'line 2, column 5, repos[0].match: missing required field',
      'line 2, column 5, repos[0].hosts: missing required field',
    ]);
    expect(problems('repos:\n  - match: "a/b"\n   hosts: []\n')[0]).toMatch(/^line 3, column \d+: /);
    expect(problems('')).toStrictEqual([expect.stringMatching(/^line 1, column 1: the document is empty/)]);
  });
});

describe('loadPolicyFile', () => {
  it('refuses an ssh_identity that cannot be read, at its line', async () => {
    const file = join(dir, 'policy.yml');
    await writeFile(file, 'repos:\n  - match: "acme/*"\n    hosts: ["*"]\n    ssh_identity: /nonexistent/key\n');
    const loaded = await loadPolicyFile(file);
    expect(loaded.ok ? [] : formatIssues(loaded.issues)).toBe(
      'line 4, column 5, repos[0].ssh_identity: cannot read the key file /nonexistent/key',
    );
  });

  it('says when the file itself cannot be read', async () => {
    const loaded = await loadPolicyFile(join(dir, 'missing.yml'));
    expect(loaded.ok ? '' : formatIssues(loaded.issues)).toBe(
      `cannot read the policy file ${join(dir, 'missing.yml')} (ENOENT)`,
    );
  });
});
