import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import { SHA, issuesOf, planYaml } from './plan-fixtures.ts';

/** The formatted issues of a plan made of the required fields plus `extra` (from line 7). */
function problems(extra: string): string[] {
  return issuesOf(parsePlan(planYaml(extra)));
}

describe('plan validation: the message format', () => {
  it('names line, column and field of a bad batch size on line 7', () => {
    const text = [
      'app: checkout-api',
      'environment: production',
      'version: 2.4.1',
      `package: { url: https://artifacts.example.com/checkout-api-2.4.1.tar.gz, sha256: ${SHA} }`,
      'strategy:',
      '  mode: batches',
      '  batch_size: 0%',
      '  canary: 1',
    ].join('\n');
    expect(issuesOf(parsePlan(text))).toStrictEqual([
      'line 7, column 3, strategy.batch_size: expected a count or a percentage like 25%',
    ]);
  });

  it('returns structured issues, not only text', () => {
    const result = parsePlan(planYaml('keep_releases: 1'));
    expect(result).toStrictEqual({
      ok: false,
      issues: [{ line: 7, column: 1, path: 'keep_releases', message: 'expected at least 2' }],
    });
  });

  it('reports every problem at once, in source order', () => {
    expect(problems('keep_releases: 1\ntransfer: ftp\ncommand_timeout: 30')).toStrictEqual([
      'line 7, column 1, keep_releases: expected at least 2',
      'line 8, column 1, transfer: expected one of stream, sftp, scp, pull',
      'line 9, column 1, command_timeout: expected a duration like 30s or 2m',
    ]);
  });
});

describe('plan validation: required and unknown fields', () => {
  it('says which required field is missing, pointing at the enclosing map', () => {
    const text = 'app: checkout-api\nenvironment: production\nversion: 2.4.1\n';
    expect(issuesOf(parsePlan(text))).toStrictEqual(['line 1, column 1, package: missing required field']);
  });

  it('points at the key of the enclosing map for a missing nested field', () => {
    const text = 'app: a\nenvironment: b\nversion: "1"\npackage:\n  url: https://x.example/a.tgz\n';
    expect(issuesOf(parsePlan(text))).toStrictEqual(['line 4, column 1, package.sha256: missing required field']);
  });

  it('rejects unknown fields and suggests the close known one', () => {
    expect(problems('keep_release: 3\nstrategy: { mode: batches, batchSize: 2 }\nbanana: 1')).toStrictEqual([
      'line 7, column 1, keep_release: unknown field; did you mean keep_releases?',
      'line 8, column 28, strategy.batchSize: unknown field; did you mean batch_size?',
      'line 9, column 1, banana: unknown field',
    ]);
  });

  it('rejects fields that belong to another strategy mode', () => {
    expect(problems('strategy: { mode: parallel, canary: 2 }')).toStrictEqual([
      'line 7, column 29, strategy.canary: only applies to mode: batches (this strategy is parallel)',
    ]);
    expect(problems('strategy:\n  batch_size: 2')).toStrictEqual([
      'line 8, column 3, strategy.batch_size: only applies to mode: batches (this strategy is serial)',
    ]);
  });

  it('requires a batch size for mode batches', () => {
    expect(problems('strategy: { mode: batches }')).toStrictEqual([
      'line 7, column 1, strategy.batch_size: missing required field (mode: batches needs a batch_size like 2 or 25%)',
    ]);
  });

  it('says an empty document is empty', () => {
    expect(issuesOf(parsePlan(''))).toStrictEqual([
      'line 1, column 1: the document is empty; expected a plan: a map with app, environment, version and package',
    ]);
  });

  it('rejects a document that is not a map', () => {
    expect(issuesOf(parsePlan('- app: x'))).toStrictEqual([
      'line 1, column 1: expected a plan: a map with app, environment, version and package',
    ]);
  });
});

describe('plan validation: versions and names', () => {
  it.each(['1.0;touch /tmp/x', '$(id)', '`id`', '1.0 && id', 'a/b', '..', '.', 'x'.repeat(65), "'quoted'"])(
    'rejects the version %j',
    (version) => {
      const text = planYaml().replace('version: 2.4.1', `version: ${JSON.stringify(version)}`);
      const [issue, ...rest] = issuesOf(parsePlan(text));
      expect(rest).toStrictEqual([]);
      expect(issue).toMatch(/^line 3, column 1, version: /);
    },
  );

  it('explains the version alphabet', () => {
    const text = planYaml().replace('version: 2.4.1', 'version: 1.0;touch /tmp/x');
    expect(issuesOf(parsePlan(text))).toStrictEqual([
      "line 3, column 1, version: expected a version of 1 to 64 letters, digits, '.', '_' or '-', like 2.4.1",
    ]);
  });

  it('asks for quotes around a numeric version, which YAML would otherwise change', () => {
    const text = planYaml().replace('version: 2.4.1', 'version: 2.10');
    expect(issuesOf(parsePlan(text))).toStrictEqual([
      'line 3, column 1, version: expected a version as a string; quote numeric versions, e.g. "2.4"',
    ]);
  });

  it('rejects shell metacharacters in rollback_version too', () => {
    expect(problems('rollback_version: "$(id)"')).toStrictEqual([
      "line 7, column 1, rollback_version: expected a version of 1 to 64 letters, digits, '.', '_' or '-', like 2.4.1",
    ]);
  });

  it.each(['-app', 'my app', 'a;b', '.hidden', 'x'.repeat(64), ''])('rejects the app name %j', (name) => {
    const text = planYaml().replace('app: checkout-api', `app: ${JSON.stringify(name)}`);
    expect(issuesOf(parsePlan(text))).toStrictEqual([
      "line 1, column 1, app: expected a name of letters, digits, '.', '_' or '-' that starts with a letter or digit (at most 63 characters)",
    ]);
  });

  it('rejects bad host names in the plan with the item position', () => {
    expect(problems('hosts: [web, "a b"]')).toStrictEqual([
      "line 7, column 14, hosts[1]: expected a name of letters, digits, '.', '_' or '-' that starts with a letter or digit (at most 63 characters)",
    ]);
    expect(problems('hosts: []')).toStrictEqual(['line 7, column 1, hosts: expected at least one name']);
  });
});

describe('plan validation: package', () => {
  function packageProblems(url: string, sha = SHA): string[] {
    const text = planYaml()
      .replace('https://artifacts.example.com/checkout-api-2.4.1.tar.gz', JSON.stringify(url))
      .replace(SHA, sha);
    return issuesOf(parsePlan(text));
  }

  it('rejects a sha256 that is not 64 hex digits', () => {
    expect(packageProblems('https://a.example/x.tgz', 'abc123')).toStrictEqual([
      'line 6, column 3, package.sha256: expected a sha256 digest of 64 hex digits',
    ]);
    expect(packageProblems('https://a.example/x.tgz', 'g'.repeat(64))).toStrictEqual([
      'line 6, column 3, package.sha256: expected a sha256 digest of 64 hex digits',
    ]);
  });

  it.each([
    ['http://', 'not a valid URL'],
    [
      'ftp://artifacts.example.com/a.tgz',
      'unsupported URL scheme "ftp:"; expected https://, file:// or a path in the artifact store',
    ],
    ['s3://bucket/a.tgz', 'unsupported URL scheme "s3:"; expected https://, file:// or a path in the artifact store'],
    [
      'https://user:secret@artifacts.example.com/a.tgz',
      'must not contain a user name or password; give credentials to the server instead',
    ],
    ['file://server/share/a.tgz', 'a file:// URL must name a local path'],
    ['../outside/a.tgz', 'a path in the artifact store must not contain ".." segments'],
    ['builds/../../etc/passwd', 'a path in the artifact store must not contain ".." segments'],
    ['a.tgz\nrm -rf /', 'must not contain control characters (such as a newline)'],
    ['', 'expected a package URL or path, got an empty string'],
  ])('rejects the package location %j', (url, message) => {
    expect(packageProblems(url)).toStrictEqual([`line 5, column 3, package.url: ${message}`]);
  });
});

describe('plan validation: strategy, durations and numbers', () => {
  it('lists the strategy modes', () => {
    expect(problems('strategy: { mode: rolling }')).toStrictEqual([
      'line 7, column 13, strategy.mode: expected one of serial, parallel, batches',
    ]);
  });

  it.each(['101%', '0', '-1', '2.5', 'half', '~'])('rejects the batch size %s', (size) => {
    expect(problems(`strategy: { mode: batches, batch_size: ${size} }`)).toStrictEqual([
      expect.stringMatching(/^line 7, column 28, strategy\.batch_size: expected a count or a percentage like 25%/),
    ]);
  });

  it('rejects a bare number as a duration', () => {
    expect(problems('strategy: { mode: batches, batch_size: 1, pause: 30 }')).toStrictEqual([
      'line 7, column 43, strategy.pause: expected a duration like 30s or 2m',
    ]);
  });

  it('rejects durations without a known unit', () => {
    expect(problems('command_timeout: 5 minutes')).toStrictEqual([
      'line 7, column 1, command_timeout: expected a duration like 30s or 2m',
    ]);
  });

  it('rejects a zero command timeout and negative or fractional counts', () => {
    expect(problems('command_timeout: 0s')).toStrictEqual([
      'line 7, column 1, command_timeout: expected a duration of at least 1ms',
    ]);
    expect(problems('strategy: { mode: batches, batch_size: 1, canary: -1, max_failures: 1.5 }')).toStrictEqual([
      'line 7, column 43, strategy.canary: expected at least 0',
      'line 7, column 55, strategy.max_failures: expected a whole number',
    ]);
    expect(problems('strategy: { mode: parallel, concurrency: 0 }')).toStrictEqual([
      'line 7, column 29, strategy.concurrency: expected at least 1',
    ]);
  });

  it('rejects a wrongly typed strategy', () => {
    expect(problems('strategy: batches')).toStrictEqual(['line 7, column 1, strategy: expected a map of fields']);
  });
});

describe('plan validation: commands and probes', () => {
  it('wants lists of non-empty strings', () => {
    expect(problems('commands:\n  check: { run: x }\n  pre_deploy: ["npm ci", ""]\n  post_deploy: [1]')).toStrictEqual([
      'line 8, column 3, commands.check: expected a list of strings',
      'line 9, column 26, commands.pre_deploy[1]: must not be empty',
      'line 10, column 17, commands.post_deploy[0]: expected a command as a string',
    ]);
  });

  it('says an empty value is empty', () => {
    expect(problems('commands:\n  check:')).toStrictEqual([
      'line 8, column 3, commands.check: expected a list of strings (the value is empty)',
    ]);
  });

  it('wants exactly one of http or command', () => {
    expect(problems('commands:\n  health: { retries: 3 }')).toStrictEqual([
      'line 8, column 3, commands.health: expected one of http or command',
    ]);
    expect(problems('commands:\n  health: { http: "http://127.0.0.1/", command: "true" }')).toStrictEqual([
      'line 8, column 3, commands.health: give either http or command, not both',
    ]);
  });

  it('accepts only http(s) probe URLs', () => {
    expect(problems('commands:\n  health: { http: "ftp://127.0.0.1/" }')).toStrictEqual([
      'line 8, column 13, commands.health.http: expected an http:// or https:// URL',
    ]);
    expect(problems('commands:\n  health: { http: "localhost:8080" }')).toStrictEqual([
      'line 8, column 13, commands.health.http: expected an http:// or https:// URL',
    ]);
  });

  it('allows expect_status only with http, within 100..599', () => {
    expect(problems('commands:\n  health: { command: "true", expect_status: 200 }')).toStrictEqual([
      'line 8, column 30, commands.health.expect_status: only applies to an http check',
    ]);
    expect(problems('commands:\n  health: { http: "http://127.0.0.1/", expect_status: 700 }')).toStrictEqual([
      'line 8, column 40, commands.health.expect_status: expected at most 599',
    ]);
  });

  it('requires a monitor duration and rejects monitor retries', () => {
    expect(problems('commands:\n  monitor: { http: "http://127.0.0.1/", retries: 2 }')).toStrictEqual([
      'line 8, column 3, commands.monitor.duration: missing required field',
      'line 8, column 41, commands.monitor.retries: unknown field',
    ]);
  });

  it('rejects a zero probe interval', () => {
    expect(problems('commands:\n  health: { command: "true", interval: 0s }')).toStrictEqual([
      'line 8, column 30, commands.health.interval: expected a duration of at least 1ms',
    ]);
  });
});

describe('plan validation: schedule, keep_releases, transfer', () => {
  it.each([
    '2026-11-24T02:00:00',
    '2026-11-24',
    'tomorrow',
    '2026-02-30T00:00:00Z',
    '2026-11-24T25:00:00Z',
    '2026-11-24T02:00+01',
  ])('rejects the schedule %s', (schedule) => {
    expect(problems(`schedule: ${schedule}`)).toStrictEqual([
      'line 7, column 1, schedule: expected a date-time with a time zone, like 2026-11-24T02:00:00Z',
    ]);
  });

  it('rejects keep_releases below 2 and non-integers', () => {
    expect(problems('keep_releases: 1')).toStrictEqual(['line 7, column 1, keep_releases: expected at least 2']);
    expect(problems('keep_releases: "3"')).toStrictEqual(['line 7, column 1, keep_releases: expected a whole number']);
  });

  it('accepts the four transfer methods', () => {
    for (const transfer of ['stream', 'sftp', 'scp', 'pull']) {
      const result = parsePlan(planYaml(`transfer: ${transfer}`));
      expect(result.ok && result.value.transfer).toBe(transfer);
    }
  });
});

describe('plan validation: YAML syntax and hostile input', () => {
  it('reports syntax errors with their line and column', () => {
    const issues = issuesOf(parsePlan('app: x\nenvironment: [a, b\nversion: 1\n'));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('reports a duplicate key where it is repeated', () => {
    expect(issuesOf(parsePlan(`${planYaml()}\napp: other`))).toStrictEqual([
      'line 8, column 1: this key appears twice in the same map',
    ]);
  });

  it('refuses an alias bomb without throwing', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    expect(issuesOf(parsePlan(bomb))).toStrictEqual([
      'line 1, column 1: YAML error: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it.each(['42', '"just a string"', '[1, 2]', 'null', '\u0000\u0001', '{{{', 'app: [', '? [a]\n: b'])(
    'never throws on %j',
    (text) => {
      const result = parsePlan(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        for (const issue of result.issues) expect(issue.message).not.toMatch(/\n\s+at /);
      }
    },
  );

  it('refuses __proto__ keys, which zod would skip silently', () => {
    expect(problems('commands:\n  __proto__: { check: [x] }')).toStrictEqual([
      'line 8, column 3, commands.__proto__: __proto__ cannot be used as a key',
    ]);
    const untouched: Record<string, unknown> = {};
    expect(untouched.check).toBeUndefined();
  });

  it('does not leak zod wording', () => {
    const result = parsePlan('app: 1\nenvironment: true\nversion: [1]\npackage: x');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      for (const issue of result.issues) expect(issue.message).not.toMatch(/Invalid input|received/);
    }
  });
});
