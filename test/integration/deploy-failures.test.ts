import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, chown, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { retryRelease } from '../../src/deploy/retry-release.ts';
import { runRelease } from '../../src/deploy/run-release.ts';
import type { EngineOptions, ReleaseRequest } from '../../src/deploy/types.ts';
import type { Plan, PlanCommands, Strategy } from '../../src/plan/types.ts';
import { isLocked, liveTarget, logEntries, releasesOnDisk } from '../helpers/host-files.ts';
import {
  buildPackage,
  connectWith,
  environment,
  plan,
  recordEvents,
  resolved,
  type BuiltPackage,
} from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

let fleet: SshdFleet;
let work: string;
let v1: BuiltPackage;
let v2: BuiltPackage;

beforeAll(async () => {
  fleet = await startSshdFleet(6);
  work = await mkdtemp(join(tmpdir(), 'ym-failures-'));
  v1 = await buildPackage(join(work, 'pkgs'), '1.0.0');
  v2 = await buildPackage(join(work, 'pkgs'), '2.0.0');
});

afterAll(async () => {
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function hostsFor(app: string, count = fleet.hosts.length): HostEntry[] {
  return fleet
    .hostEntries()
    .slice(0, count)
    .map((entry) => ({ ...entry, deployTo: join(entry.deployTo ?? '', app) }));
}

function engine(onEvent?: EngineOptions['onEvent']): EngineOptions {
  return {
    connect: connectWith(fleet.privateKey, fleet.user),
    artifactsDir: work,
    cacheDir: join(work, 'cache'),
    ...(onEvent ? { onEvent } : {}),
  };
}

function request(entries: HostEntry[], p: Plan, extra: Partial<ReleaseRequest> = {}): ReleaseRequest {
  return {
    plan: p,
    app: { deployTo: '/unused', environments: {} },
    environment: environment(),
    hosts: resolved(entries),
    secrets: {},
    ...extra,
  };
}

function commands(extra: Partial<PlanCommands>): PlanCommands {
  return { check: [], preDeploy: [], postDeploy: [], release: [], ...extra };
}

/** Releases 1.0.0 everywhere so that failures have something to roll back to. */
async function baseline(hosts: HostEntry[]): Promise<void> {
  const result = await runRelease(
    request(hosts, plan(v1, '1.0.0', {}, { mode: 'parallel', concurrency: 10, maxFailures: 0 })),
    engine(),
  );
  expect(result.status).toBe('succeeded');
}

const deployDir = (entry: HostEntry | undefined): string => entry?.deployTo ?? '';

/** A marker file in a host's deploy dir that makes the plan's health command fail there. */
async function breakHealth(entry: HostEntry | undefined): Promise<void> {
  await writeFile(join(deployDir(entry), 'FAIL_HEALTH'), 'x');
}
const healthUnlessMarked = {
  probe: { kind: 'command' as const, command: 'test ! -e ../../FAIL_HEALTH' },
  retries: 1,
  intervalMs: 20,
};

describe('failures and rollback', () => {
  it('a failed health check on a host of the second batch rolls back every touched host; later batches stay untouched', async () => {
    const hosts = hostsFor('batch-health');
    await baseline(hosts);
    await breakHealth(hosts[2]);
    const strategy: Strategy = {
      mode: 'batches',
      batchSize: { kind: 'count', count: 2 },
      canary: 1,
      pauseMs: 0,
      maxFailures: 0,
    };
    const postDeploy = ['echo "$YM_VERSION" >> ../../post-deploy-ran'];
    // host-1 finished all nine stages in the canary batch; its rollback must still run under the release's lock.
    const lockedAtRollback = new Map<string, boolean>();
    const log = recordEvents((event) => {
      if (event.type === 'rollback.started')
        lockedAtRollback.set(event.host, isLocked(deployDir(hosts.find((h) => h.name === event.host))));
    });
    const result = await runRelease(
      request(hosts, plan(v2, '2.0.0', { commands: commands({ postDeploy, health: healthUnlessMarked }) }, strategy)),
      engine(log.sink),
    );
    expect(lockedAtRollback.get('host-1')).toBe(true);
    expect(result.status).toBe('failed');
    expect(result.failedHost).toMatchObject({ host: 'host-3', stage: 'health' });
    expect(result.failedHost?.message).toContain('health');
    // host-2 ran beside host-3: it was either switched (and rolled back) or interrupted before its switch
    const sibling = result.hosts[1]?.outcome ?? 'untouched';
    expect(['rolled_back', 'aborted']).toContain(sibling);
    expect(result.hosts.map((host) => [host.host, host.outcome])).toEqual([
      ['host-1', 'rolled_back'],
      ['host-2', sibling],
      ['host-3', 'failed'],
      ['host-4', 'untouched'],
      ['host-5', 'untouched'],
      ['host-6', 'untouched'],
    ]);
    expect(result.hosts[2]?.rolledBackTo).toBe('1.0.0');
    for (const entry of hosts) expect(await liveTarget(deployDir(entry)), entry.name).toBe('releases/1.0.0');
    // rollback ran post_deploy in the restored release on the touched hosts
    const touched = sibling === 'rolled_back' ? [hosts[0], hosts[1], hosts[2]] : [hosts[0], hosts[2]];
    for (const entry of touched) {
      // the sibling's own post_deploy may have been interrupted; the rollback's always ran last
      expect((await readFile(join(deployDir(entry), 'post-deploy-ran'), 'utf8')).trim().split('\n').at(-1)).toBe(
        '1.0.0',
      );
      expect((await logEntries(deployDir(entry))).at(-1)).toMatchObject({
        version: '2.0.0',
        result: 'rolled_back',
        to: '1.0.0',
      });
    }
    for (const entry of [hosts[0], hosts[2]]) {
      expect((await readFile(join(deployDir(entry), 'post-deploy-ran'), 'utf8')).trim().split('\n')).toEqual([
        '2.0.0',
        '1.0.0',
      ]);
    }
    for (const entry of hosts.slice(3)) {
      expect(await releasesOnDisk(deployDir(entry))).toEqual(['1.0.0']);
      expect(existsSync(join(deployDir(entry), 'post-deploy-ran'))).toBe(false);
      expect(await logEntries(deployDir(entry))).toHaveLength(1);
    }
    for (const entry of hosts) expect(isLocked(deployDir(entry))).toBe(false);
    expect(log.of('batch.started').map((event) => event.batch)).toEqual([0, 1]);
    expect(log.of('rollback.finished').every((event) => event.ok)).toBe(true);
  });

  it('a failure in pre_deploy switches no host', async () => {
    const hosts = hostsFor('pre-deploy', 3);
    await baseline(hosts);
    const result = await runRelease(
      request(
        hosts,
        plan(
          v2,
          '2.0.0',
          {
            commands: commands({
              preDeploy: [
                'if [ "$(basename "$(dirname "$(dirname "$PWD")")")" = pre-deploy ] && [ -e ../../BREAK ]; then echo "cannot build" >&2; exit 7; fi',
              ],
            }),
          },
          { mode: 'parallel', concurrency: 10, maxFailures: 0 },
        ),
      ),
      engine(),
    ).then(async (first) => {
      expect(first.status).toBe('succeeded');
      await writeFile(join(deployDir(hosts[1]), 'BREAK'), 'x');
      return runRelease(
        request(
          hosts,
          plan(
            v1,
            '1.0.0',
            { commands: commands({ preDeploy: ['[ ! -e ../../BREAK ] || { echo "cannot build" >&2; exit 7; }'] }) },
            { mode: 'serial', maxFailures: 0 },
          ),
          { force: true },
        ),
        engine(),
      );
    });
    expect(result.status).toBe('failed');
    expect(result.failedHost).toMatchObject({ host: 'host-2', stage: 'pre_deploy', exitCode: 7 });
    expect(result.failedHost?.lastLines).toContain('cannot build');
    expect(result.hosts[1]?.rolledBackTo).toBeUndefined();
    for (const entry of hosts.slice(1)) expect(await liveTarget(deployDir(entry))).toBe('releases/2.0.0');
    expect((await logEntries(deployDir(hosts[1]))).at(-1)).toMatchObject({ result: 'failed', version: '1.0.0' });
    for (const entry of hosts) expect(isLocked(deployDir(entry))).toBe(false);
  });

  it('abort: starts no new host, interrupts the running command, rolls back the touched hosts', async () => {
    const hosts = hostsFor('abort', 4);
    await baseline(hosts);
    const controller = new AbortController();
    const log = recordEvents((event) => {
      if (event.type === 'stage.started' && event.host === 'host-2' && event.stage === 'pre_deploy')
        setTimeout(() => {
          controller.abort();
        }, 300);
    });
    const preDeploy = [
      'if [ "$(basename "$(dirname "$(dirname "$PWD")")")" = abort ] && [ -e ../../SLOW ]; then sleep 30; echo late > ../../late; fi',
    ];
    await writeFile(join(deployDir(hosts[1]), 'SLOW'), 'x');
    const result = await runRelease(
      request(hosts, plan(v2, '2.0.0', { commands: commands({ preDeploy }) }), { signal: controller.signal }),
      engine(log.sink),
    );
    expect(result.status).toBe('aborted');
    expect(result.hosts.map((host) => host.outcome)).toEqual(['rolled_back', 'aborted', 'untouched', 'untouched']);
    for (const entry of hosts) expect(await liveTarget(deployDir(entry))).toBe('releases/1.0.0');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(join(deployDir(hosts[1]), 'late'))).toBe(false);
    expect(log.of('host.started').map((event) => event.host)).toEqual(['host-1', 'host-2']);
    for (const entry of hosts) expect(isLocked(deployDir(entry))).toBe(false);
  });

  it('a command that outlives command_timeout fails its stage', async () => {
    const hosts = hostsFor('timeout', 1);
    const result = await runRelease(
      request(
        hosts,
        plan(v1, '1.0.0', {
          commandTimeoutMs: 500,
          commands: commands({ preDeploy: ['sleep 20; echo late > ../../late'] }),
        }),
      ),
      engine(),
    );
    expect(result.status).toBe('failed');
    expect(result.failedHost?.message).toContain('timed out');
    expect(await liveTarget(deployDir(hosts[0]))).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(join(deployDir(hosts[0]), 'late'))).toBe(false);
  });

  it('a package whose sha256 does not match is refused before any host is touched', async () => {
    const hosts = hostsFor('checksum', 2);
    const bad = { ...v2, sha256: '0'.repeat(64) };
    const log = recordEvents();
    const result = await runRelease(request(hosts, plan(bad, '2.0.0')), engine(log.sink));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/sha256/);
    expect(result.hosts.every((host) => host.outcome === 'untouched')).toBe(true);
    expect(log.of('host.started')).toHaveLength(0);
    for (const entry of hosts) expect(existsSync(deployDir(entry))).toBe(false);
  });

  it('a host whose key does not match the pinned one is refused', async () => {
    const [first] = hostsFor('host-key', 1);
    if (!first) throw new Error('no host');
    const wrong: HostEntry = { ...first, hostKey: fleet.hosts[1]?.hostKeyFingerprint ?? '' };
    const result = await runRelease(request([wrong], plan(v1, '1.0.0')), engine());
    expect(result.status).toBe('failed');
    expect(result.failedHost).toMatchObject({ host: 'host-1', stage: 'check' });
    expect(result.failedHost?.message).toMatch(/host key/i);
    expect(existsSync(deployDir(first))).toBe(false);
    const { hostKey: _dropped, ...unpinned } = first;
    const unknown = await runRelease(request([unpinned], plan(v1, '1.0.0')), engine());
    expect(unknown.failedHost?.message).toMatch(/SHA256:/);
    expect(existsSync(deployDir(first))).toBe(false);
  });

  it('plan values with shell metacharacters are inert', async () => {
    const [first] = hostsFor('meta', 1);
    if (!first) throw new Error('no host');
    const odd: HostEntry = {
      ...first,
      deployTo: join(deployDir(first), 'd $(touch /tmp/ym-meta-1) `touch /tmp/ym-meta-2`;touch /tmp/ym-meta-3 \'"'),
    };
    const result = await runRelease(
      request([odd], plan(v1, '1.0.0', { app: '$(touch /tmp/ym-meta-4)' }), {
        environment: environment({ env: { X: "'; touch /tmp/ym-meta-5; '" } }),
      }),
      engine(),
    );
    expect(result.status).toBe('succeeded');
    expect(await liveTarget(odd.deployTo ?? '')).toBe('releases/1.0.0');
    for (const n of [1, 2, 3, 4, 5]) expect(existsSync(`/tmp/ym-meta-${n}`)).toBe(false);
  });

  it('a host held by another release is refused; breaking the lock is explicit', async () => {
    const hosts = hostsFor('locked', 1);
    const deployTo = deployDir(hosts[0]);
    await mkdir(join(deployTo, '.yardmaster', 'lock'), { recursive: true });
    await writeFile(join(deployTo, '.yardmaster', 'lock', 'owner'), '{"release":"other","actor":"alice"}\n');
    const owner = await stat(join(deployTo, '..'));
    for (const path of [
      deployTo,
      join(deployTo, '.yardmaster'),
      join(deployTo, '.yardmaster', 'lock'),
      join(deployTo, '.yardmaster', 'lock', 'owner'),
    ]) {
      await chown(path, owner.uid, owner.gid);
    }
    const refused = await runRelease(request(hosts, plan(v1, '1.0.0')), engine());
    expect(refused.status).toBe('failed');
    expect(refused.failedHost?.message).toContain('locked by another release');
    expect(refused.failedHost?.message).toContain('alice');
    expect(isLocked(deployTo)).toBe(true);
    const taken = await runRelease(request(hosts, plan(v1, '1.0.0'), { breakLock: true }), engine());
    expect(taken.status).toBe('succeeded');
    expect(isLocked(deployTo)).toBe(false);
  });

  it('max_failures tolerates a failed host (rolled back alone); retry re-runs only the failed host', async () => {
    const hosts = hostsFor('tolerance', 4);
    await baseline(hosts);
    await breakHealth(hosts[1]);
    const p = plan(
      v2,
      '2.0.0',
      { commands: commands({ health: healthUnlessMarked }) },
      { mode: 'serial', maxFailures: 1 },
    );
    const result = await runRelease(request(hosts, p), engine());
    expect(result.status).toBe('partial');
    expect(result.hosts.map((host) => host.outcome)).toEqual(['released', 'failed', 'released', 'released']);
    expect(await liveTarget(deployDir(hosts[1]))).toBe('releases/1.0.0');
    expect(await liveTarget(deployDir(hosts[3]))).toBe('releases/2.0.0');
    await rm(join(deployDir(hosts[1]), 'FAIL_HEALTH'));
    const log = recordEvents();
    const retried = await retryRelease(result, request(hosts, p), engine(log.sink));
    expect(retried.status).toBe('succeeded');
    expect(log.of('host.started').map((event) => event.host)).toEqual(['host-2']);
    for (const entry of hosts) expect(await liveTarget(deployDir(entry))).toBe('releases/2.0.0');
  });

  it('a host whose sshd dies mid-stage fails; every touched host is rolled back, the dead one keeps its current', async () => {
    const hosts = hostsFor('sshd-killed', 3);
    await baseline(hosts);
    const victim = fleet.hosts[1];
    if (!victim) throw new Error('no host');
    await writeFile(join(deployDir(hosts[1]), 'SLOW'), 'x');
    const log = recordEvents((event) => {
      if (event.type === 'stage.started' && event.host === 'host-2' && event.stage === 'pre_deploy')
        setTimeout(() => {
          victim.kill('SIGKILL');
        }, 300);
    });
    const preDeploy = ['if [ -e ../../SLOW ]; then sleep 20; fi'];
    const result = await runRelease(
      request(
        hosts,
        plan(v2, '2.0.0', { commands: commands({ preDeploy }) }, { mode: 'parallel', concurrency: 3, maxFailures: 0 }),
      ),
      engine(log.sink),
    );
    await victim.restart();
    expect(result.status).toBe('failed');
    expect(result.failedHost).toMatchObject({ host: 'host-2', stage: 'pre_deploy' });
    expect(result.failedHost?.message).toMatch(/lost the connection/);
    expect(result.hosts.map((host) => host.outcome)).toEqual(['rolled_back', 'failed', 'rolled_back']);
    for (const entry of hosts) expect(await liveTarget(deployDir(entry))).toBe('releases/1.0.0');
    // the dead host's lock names this release; a retry of it takes the lock over
    const retried = await retryRelease(
      result,
      request(hosts, plan(v2, '2.0.0', {}, { mode: 'parallel', concurrency: 3, maxFailures: 0 })),
      engine(),
    );
    expect(retried.status).toBe('succeeded');
    for (const entry of hosts) expect(await liveTarget(deployDir(entry))).toBe('releases/2.0.0');
  });

  it('a host whose connection drops after its switch is rolled back over a new connection', async () => {
    const hosts = hostsFor('lost-after-switch', 2);
    await baseline(hosts);
    const victim = fleet.hosts[1];
    if (!victim) throw new Error('no host');
    await writeFile(join(deployDir(hosts[1]), 'SLOW'), 'x');
    let restarted: Promise<void> = Promise.resolve();
    const log = recordEvents((event) => {
      if (event.type === 'stage.started' && event.host === 'host-2' && event.stage === 'post_deploy') {
        restarted = new Promise((resolve) => setTimeout(resolve, 300)).then(() => victim.restart());
      }
    });
    const postDeploy = ['if [ -e ../../SLOW ] && [ "$YM_VERSION" = 2.0.0 ]; then sleep 20; fi'];
    const result = await runRelease(
      request(
        hosts,
        plan(v2, '2.0.0', { commands: commands({ postDeploy }) }, { mode: 'parallel', concurrency: 2, maxFailures: 0 }),
      ),
      engine(log.sink),
    );
    await restarted;
    expect(result.status).toBe('failed');
    expect(result.failedHost).toMatchObject({ host: 'host-2', stage: 'post_deploy' });
    expect(result.hosts[1]?.rolledBackTo).toBe('1.0.0');
    expect(result.hosts[1]?.rollbackError).toBeUndefined();
    for (const entry of hosts) expect(await liveTarget(deployDir(entry))).toBe('releases/1.0.0');
    for (const entry of hosts) expect(isLocked(deployDir(entry))).toBe(false);
  });
});
