import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import { planSchema } from '../../src/plan/plan-schema.ts';
import type { Plan } from '../../src/plan/types.ts';
import { SHA, planYaml, valueOf } from './plan-fixtures.ts';

const ARCHITECTURE_EXAMPLE = `
app: checkout-api            # an app from the repo config
environment: production      # an environment of that app
version: 2.4.1               # becomes releases/2.4.1
rollback_version: 2.4.0
package:
  url: https://artifacts.example.com/checkout-api-2.4.1.tar.gz
  sha256: ${SHA.toUpperCase()}
hosts: [canary, web]
strategy: { mode: batches, batch_size: 25%, canary: 1, pause: 30s, max_failures: 0 }
commands:
  check: ["test -x /usr/bin/node"]
  pre_deploy: ["npm ci --omit=dev"]
  post_deploy: ["systemctl reload checkout-api"]
  health: { http: "http://127.0.0.1:8080/healthz", expect_status: 200, retries: 10, interval: 2s }
  release: ["touch /etc/lb/enabled"]
  monitor: { duration: 60s, interval: 5s, http: "http://127.0.0.1:8080/healthz" }
schedule: 2026-11-24T02:00:00Z
keep_releases: 5
transfer: sftp
command_timeout: 15m
`;

describe('parsePlan', () => {
  it('turns the README example into a camelCase plan', () => {
    const expected: Plan = {
      app: 'checkout-api',
      environment: 'production',
      version: '2.4.1',
      rollbackVersion: '2.4.0',
      package: { url: 'https://artifacts.example.com/checkout-api-2.4.1.tar.gz', sha256: SHA },
      hosts: ['canary', 'web'],
      strategy: {
        mode: 'batches',
        batchSize: { kind: 'percent', percent: 25 },
        canary: 1,
        pauseMs: 30_000,
        maxFailures: 0,
      },
      commands: {
        check: ['test -x /usr/bin/node'],
        preDeploy: ['npm ci --omit=dev'],
        postDeploy: ['systemctl reload checkout-api'],
        release: ['touch /etc/lb/enabled'],
        health: {
          probe: { kind: 'http', url: 'http://127.0.0.1:8080/healthz', expectStatus: 200 },
          retries: 10,
          intervalMs: 2_000,
        },
        monitor: {
          probe: { kind: 'http', url: 'http://127.0.0.1:8080/healthz', expectStatus: 200 },
          durationMs: 60_000,
          intervalMs: 5_000,
        },
      },
      schedule: new Date('2026-11-24T02:00:00Z'),
      keepReleases: 5,
      transfer: 'sftp',
      commandTimeoutMs: 900_000,
    };
    expect(valueOf(parsePlan(ARCHITECTURE_EXAMPLE))).toStrictEqual(expected);
  });

  it('applies defaults when only the four required fields are given', () => {
    expect(valueOf(parsePlan(planYaml()))).toStrictEqual({
      app: 'checkout-api',
      environment: 'production',
      version: '2.4.1',
      package: { url: 'https://artifacts.example.com/checkout-api-2.4.1.tar.gz', sha256: SHA },
      strategy: { mode: 'serial', maxFailures: 0 },
      commands: { check: [], preDeploy: [], postDeploy: [], release: [] },
      keepReleases: 5,
      commandTimeoutMs: 600_000,
    } satisfies Plan);
  });

  it('defaults the strategy mode to serial and parallel concurrency to 20', () => {
    expect(valueOf(parsePlan(planYaml('strategy: { max_failures: 1 }'))).strategy).toStrictEqual({
      mode: 'serial',
      maxFailures: 1,
    });
    expect(valueOf(parsePlan(planYaml('strategy: { mode: parallel }'))).strategy).toStrictEqual({
      mode: 'parallel',
      concurrency: 20,
      maxFailures: 0,
    });
    expect(valueOf(parsePlan(planYaml('strategy: { mode: parallel, concurrency: 4 }'))).strategy).toStrictEqual({
      mode: 'parallel',
      concurrency: 4,
      maxFailures: 0,
    });
  });

  it('defaults canary, pause and max_failures of batches to 0 and reads a count batch size', () => {
    expect(valueOf(parsePlan(planYaml('strategy: { mode: batches, batch_size: 3 }'))).strategy).toStrictEqual({
      mode: 'batches',
      batchSize: { kind: 'count', count: 3 },
      canary: 0,
      pauseMs: 0,
      maxFailures: 0,
    });
  });

  it('accepts a single command string as a one-element list', () => {
    const plan = valueOf(parsePlan(planYaml('commands:\n  check: make check\n  release: "touch /etc/lb/enabled"')));
    expect(plan.commands.check).toStrictEqual(['make check']);
    expect(plan.commands.release).toStrictEqual(['touch /etc/lb/enabled']);
  });

  it('reads a command health check with default retries and interval', () => {
    const plan = valueOf(parsePlan(planYaml('commands:\n  health: { command: "curl -fsS localhost:8080/healthz" }')));
    expect(plan.commands.health).toStrictEqual({
      probe: { kind: 'command', command: 'curl -fsS localhost:8080/healthz' },
      retries: 10,
      intervalMs: 2_000,
    });
  });

  it('reads an https probe with a custom expected status', () => {
    const plan = valueOf(
      parsePlan(planYaml('commands:\n  health: { http: "https://web-1/ready", expect_status: 204 }')),
    );
    expect(plan.commands.health?.probe).toStrictEqual({ kind: 'http', url: 'https://web-1/ready', expectStatus: 204 });
  });

  it('normalises the package sha256 to lowercase', () => {
    const text = planYaml().replace(SHA, SHA.toUpperCase());
    expect(valueOf(parsePlan(text)).package.sha256).toBe(SHA);
  });

  it.each([
    ['file:///var/artifacts/app.tgz'],
    ['https://artifacts.example.com/a.tgz'],
    ['http://127.0.0.1:9000/a.tgz'],
    ['http://localhost/a.tgz'],
    ['http://[::1]:8080/a.tgz'],
    ['checkout-api/2.4.1.tar.gz'],
    ['/var/artifacts/app.tgz'],
  ])('accepts the package location %s', (url) => {
    const text = planYaml().replace('https://artifacts.example.com/checkout-api-2.4.1.tar.gz', url);
    expect(valueOf(parsePlan(text)).package.url).toBe(url);
  });

  it('accepts schedules with an offset and as a YAML string', () => {
    expect(valueOf(parsePlan(planYaml('schedule: "2026-11-24T03:00:00+01:00"'))).schedule).toStrictEqual(
      new Date('2026-11-24T02:00:00Z'),
    );
  });

  it('keeps the host list in the order written', () => {
    expect(valueOf(parsePlan(planYaml('hosts:\n  - web\n  - canary\n  - web-1'))).hosts).toStrictEqual([
      'web',
      'canary',
      'web-1',
    ]);
  });

  it.each(['2.4.1', 'v2.4.1-rc.1', '20261124_0200', 'a', 'x'.repeat(64)])('accepts the version %s', (version) => {
    expect(valueOf(parsePlan(planYaml().replace('version: 2.4.1', `version: "${version}"`))).version).toBe(version);
  });
});

describe('planSchema', () => {
  const required = {
    app: 'checkout-api',
    environment: 'production',
    version: '2.4.1',
    package: { url: 'https://artifacts.example.com/a.tgz', sha256: SHA },
  };

  it('accepts a schedule that YAML already turned into a Date', () => {
    const when = new Date('2026-11-24T02:00:00Z');
    const result = planSchema.safeParse({ ...required, schedule: when });
    expect(result.success && result.data.schedule).toStrictEqual(when);
  });

  it('rejects an invalid Date', () => {
    expect(planSchema.safeParse({ ...required, schedule: new Date('nonsense') }).success).toBe(false);
  });
});
