import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { inspectEnvironment } from '../../src/deploy/inspect-environment.ts';
import { rollbackEnvironment } from '../../src/deploy/rollback-environment.ts';
import { runRelease } from '../../src/deploy/run-release.ts';
import type { EngineOptions, ReleaseRequest } from '../../src/deploy/types.ts';
import type { Plan, Strategy } from '../../src/plan/types.ts';
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
const packages = new Map<string, BuiltPackage>();

beforeAll(async () => {
  fleet = await startSshdFleet(6);
  work = await mkdtemp(join(tmpdir(), 'ym-rollouts-'));
  for (const version of ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0']) {
    packages.set(version, await buildPackage(join(work, 'pkgs'), version, { 'bin/app.sh': `echo app ${version}\n` }));
  }
});

afterAll(async () => {
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function pkg(version: string): BuiltPackage {
  const found = packages.get(version);
  if (!found) throw new Error(`no package ${version}`);
  return found;
}

/** Host entries whose deploy dirs are a fresh subdirectory for this test. */
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

async function expectLive(entries: HostEntry[], version: string): Promise<void> {
  for (const entry of entries) {
    const deployTo = entry.deployTo ?? '';
    expect(await liveTarget(deployTo), entry.name).toBe(`releases/${version}`);
    expect((await readFile(join(deployTo, 'current', 'VERSION'), 'utf8')).trim()).toBe(version);
    const log = await logEntries(deployTo);
    expect(log.at(-1)).toMatchObject({ version, result: 'succeeded', host: entry.name });
    expect(isLocked(deployTo)).toBe(false);
    expect(existsSync(join(deployTo, 'shared'))).toBe(true);
  }
}

describe('rollouts', () => {
  it('serial: hosts one after another in plan order, all nine stages each', async () => {
    const hosts = hostsFor('serial', 3);
    const log = recordEvents();
    const result = await runRelease(request(hosts, plan(pkg('1.0.0'), '1.0.0')), engine(log.sink));
    expect(result.status).toBe('succeeded');
    await expectLive(hosts, '1.0.0');
    expect(log.of('host.started').map((event) => event.host)).toEqual(['host-1', 'host-2', 'host-3']);
    // serial: a host finishes before the next starts
    const order = log.events
      .filter((e) => e.type === 'host.started' || e.type === 'host.finished')
      .map((e) => `${e.type}:${'host' in e ? e.host : ''}`);
    expect(order).toEqual([
      'host.started:host-1',
      'host.finished:host-1',
      'host.started:host-2',
      'host.finished:host-2',
      'host.started:host-3',
      'host.finished:host-3',
    ]);
    const stagesOfHost1 = log
      .of('stage.finished')
      .filter((event) => event.host === 'host-1')
      .map((event) => event.stage);
    expect(stagesOfHost1).toEqual([
      'check',
      'fetch',
      'pre_deploy',
      'switch',
      'post_deploy',
      'health',
      'release',
      'monitor',
      'done',
    ]);
    expect(log.of('release.finished')).toHaveLength(1);
  });

  it('parallel: all hosts at once within the concurrency bound', async () => {
    const hosts = hostsFor('parallel');
    const log = recordEvents();
    let running = 0;
    let peak = 0;
    const track = recordEvents((event) => {
      if (event.type === 'host.started') peak = Math.max(peak, ++running);
      if (event.type === 'host.finished') running--;
    });
    const strategy: Strategy = { mode: 'parallel', concurrency: 4, maxFailures: 0 };
    const result = await runRelease(
      request(hosts, plan(pkg('1.0.0'), '1.0.0', {}, strategy)),
      engine((e) => {
        log.sink(e);
        track.sink(e);
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.hosts.map((host) => host.outcome)).toEqual(Array(6).fill('released'));
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    await expectLive(hosts, '1.0.0');
  });

  it('batches with a canary: canary first, then percentage batches, pause between', async () => {
    const hosts = hostsFor('batches');
    const log = recordEvents();
    const strategy: Strategy = {
      mode: 'batches',
      batchSize: { kind: 'percent', percent: 50 },
      canary: 1,
      pauseMs: 200,
      maxFailures: 0,
    };
    const result = await runRelease(request(hosts, plan(pkg('1.0.0'), '1.0.0', {}, strategy)), engine(log.sink));
    expect(result.status).toBe('succeeded');
    const started = log.of('release.started')[0];
    expect(started?.batches).toEqual([['host-1'], ['host-2', 'host-3', 'host-4'], ['host-5', 'host-6']]);
    expect(log.of('batch.started').map((event) => event.hosts.length)).toEqual([1, 3, 2]);
    // no host of a batch starts before every host of the previous batch finished
    const finishedIndex = (name: string) => log.events.findIndex((e) => e.type === 'host.finished' && e.host === name);
    const startedIndex = (name: string) => log.events.findIndex((e) => e.type === 'host.started' && e.host === name);
    expect(startedIndex('host-2')).toBeGreaterThan(finishedIndex('host-1'));
    expect(startedIndex('host-5')).toBeGreaterThan(
      Math.max(finishedIndex('host-2'), finishedIndex('host-3'), finishedIndex('host-4')),
    );
    await expectLive(hosts, '1.0.0');
  });

  it('re-running the live version is a no-op unless forced', async () => {
    const hosts = hostsFor('noop', 2);
    await runRelease(request(hosts, plan(pkg('1.0.0'), '1.0.0')), engine());
    const marker = join(hosts[0]?.deployTo ?? '', 'releases', '1.0.0', 'VERSION');
    const before = await readdir(join(hosts[0]?.deployTo ?? '', 'releases'));
    const log = recordEvents();
    const again = await runRelease(
      request(
        hosts,
        plan(pkg('1.0.0'), '1.0.0', {
          commands: { check: [], preDeploy: ['touch ../../ran-pre-deploy'], postDeploy: [], release: [] },
        }),
      ),
      engine(log.sink),
    );
    expect(again.status).toBe('succeeded');
    expect(again.hosts.map((host) => host.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(existsSync(join(hosts[0]?.deployTo ?? '', 'ran-pre-deploy'))).toBe(false);
    expect(
      log
        .of('stage.finished')
        .filter((e) => e.stage !== 'check')
        .every((e) => e.result === 'skipped'),
    ).toBe(true);
    expect(await readdir(join(hosts[0]?.deployTo ?? '', 'releases'))).toEqual(before);
    expect(isLocked(hosts[0]?.deployTo ?? '')).toBe(false);
    const forced = await runRelease(
      request(
        hosts,
        plan(pkg('1.0.0'), '1.0.0', {
          commands: { check: [], preDeploy: ['touch ../../ran-pre-deploy'], postDeploy: [], release: [] },
        }),
        { force: true },
      ),
      engine(),
    );
    expect(forced.hosts.map((host) => host.outcome)).toEqual(['released', 'released']);
    expect(existsSync(join(hosts[0]?.deployTo ?? '', 'ran-pre-deploy'))).toBe(true);
    expect(existsSync(marker)).toBe(true);
  });

  it('pruning keeps keep_releases and never the live or last good release', async () => {
    const hosts = hostsFor('prune', 1);
    const deployTo = hosts[0]?.deployTo ?? '';
    for (const version of ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0']) {
      const result = await runRelease(request(hosts, plan(pkg(version), version, { keepReleases: 2 })), engine());
      expect(result.status).toBe('succeeded');
      // release directories are ordered by mtime (nanoseconds); keep them apart anyway
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await releasesOnDisk(deployTo)).toEqual(['1.3.0', '1.4.0']);
    // 1.5.0 fails its health check and is rolled back to 1.4.0; then a good 1.6.0 with keep 2 must keep 1.6.0
    // (live) and 1.4.0 (last good before it), even though 1.5.0 is newer on disk than 1.4.0.
    const failed = await runRelease(
      request(
        hosts,
        plan(pkg('1.5.0'), '1.5.0', {
          keepReleases: 2,
          commands: {
            check: [],
            preDeploy: [],
            postDeploy: [],
            release: [],
            health: { probe: { kind: 'command', command: 'exit 3' }, retries: 0, intervalMs: 10 },
          },
        }),
      ),
      engine(),
    );
    expect(failed.status).toBe('failed');
    expect(await liveTarget(deployTo)).toBe('releases/1.4.0');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const good = await runRelease(request(hosts, plan(pkg('1.6.0'), '1.6.0', { keepReleases: 2 })), engine());
    expect(good.status).toBe('succeeded');
    const left = await releasesOnDisk(deployTo);
    expect(left).toContain('1.6.0');
    expect(left).toContain('1.4.0');
    expect(left).not.toContain('1.3.0');
  });

  it.each(['stream', 'sftp', 'scp'] as const)('transfers the package by %s', async (transfer) => {
    const hosts = hostsFor(`transfer-${transfer}`, 2);
    const result = await runRelease(request(hosts, plan(pkg('1.1.0'), '1.1.0', { transfer })), engine());
    expect(result.status).toBe('succeeded');
    await expectLive(hosts, '1.1.0');
    expect(await readFile(join(hosts[0]?.deployTo ?? '', 'current', 'bin', 'app.sh'), 'utf8')).toBe('echo app 1.1.0\n');
    // no uploaded package is left behind
    expect(
      (await readdir(join(hosts[0]?.deployTo ?? '', '.yardmaster'))).filter((name) => name.startsWith('upload-')),
    ).toEqual([]);
  });

  it('passes YM_* and env variables to commands, masks secrets and never writes them to the host', async () => {
    const hosts = hostsFor('env', 1);
    const deployTo = hosts[0]?.deployTo ?? '';
    const log = recordEvents();
    const secret = 's3cr3t-$(touch /tmp/ym-pwned)-\'"';
    const result = await runRelease(
      request(
        hosts,
        plan(pkg('1.2.0'), '1.2.0', {
          commands: {
            check: [],
            preDeploy: [
              'printf "%s|%s|%s|%s|%s\\n" "$YM_APP" "$YM_ENV" "$YM_VERSION" "$YM_RELEASE_DIR" "$PWD" > ../../vars',
              'printf "%s\\n" "$GREETING" >> ../../vars',
            ],
            postDeploy: ['echo "password is $DB_PASSWORD"', 'test "$DB_PASSWORD" = "$EXPECTED"'],
            release: [],
          },
        }),
        {
          environment: environment({
            env: { GREETING: 'hello $(id) `id` ;touch /tmp/ym-pwned', EXPECTED: secret },
            secretEnv: ['DB_PASSWORD'],
          }),
          secrets: { DB_PASSWORD: secret },
        },
      ),
      engine(log.sink),
    );
    expect(result.status).toBe('succeeded');
    const vars = (await readFile(join(deployTo, 'vars'), 'utf8')).split('\n');
    const releaseDir = join(deployTo, 'releases', '1.2.0');
    expect(vars[0]).toBe(`shop|staging|1.2.0|${releaseDir}|${releaseDir}`);
    expect(vars[1]).toBe('hello $(id) `id` ;touch /tmp/ym-pwned');
    expect(existsSync('/tmp/ym-pwned')).toBe(false);
    const output = log.of('output').map((event) => event.line);
    expect(output).toContain('password is ***');
    expect(JSON.stringify(log.events)).not.toContain('s3cr3t');
    // nothing on the host's disk holds the secret
    const grep = await import('node:child_process').then(({ execFileSync }) => {
      try {
        return execFileSync('grep', ['-rlF', 's3cr3t', deployTo], { encoding: 'utf8' });
      } catch {
        return '';
      }
    });
    expect(grep).toBe('');
  });

  it('HTTP health checks go through a tunnel from the host', async () => {
    const hosts = hostsFor('http-health', 2);
    let hits = 0;
    const server: Server = createServer((req, res) => {
      hits++;
      res.statusCode = req.url === '/healthz' ? 200 : 500;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const ok = await runRelease(
        request(
          hosts,
          plan(pkg('1.3.0'), '1.3.0', {
            commands: {
              check: [],
              preDeploy: [],
              postDeploy: [],
              release: [],
              health: {
                probe: { kind: 'http', url: `http://127.0.0.1:${port}/healthz`, expectStatus: 200 },
                retries: 2,
                intervalMs: 50,
              },
            },
          }),
        ),
        engine(),
      );
      expect(ok.status).toBe('succeeded');
      expect(hits).toBe(2);
      const bad = await runRelease(
        request(
          hosts,
          plan(pkg('1.4.0'), '1.4.0', {
            commands: {
              check: [],
              preDeploy: [],
              postDeploy: [],
              release: [],
              health: {
                probe: { kind: 'http', url: `http://127.0.0.1:${port}/broken`, expectStatus: 200 },
                retries: 1,
                intervalMs: 50,
              },
            },
          }),
        ),
        engine(),
      );
      expect(bad.status).toBe('failed');
      expect(bad.failedHost?.stage).toBe('health');
      expect(bad.failedHost?.message).toContain('HTTP 500');
      for (const host of hosts) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/1.3.0');
    } finally {
      server.close();
    }
  });

  it('monitor watches a window and rolls back when a check fails in it', async () => {
    const hosts = hostsFor('monitor', 1);
    const deployTo = hosts[0]?.deployTo ?? '';
    const ok = await runRelease(
      request(
        hosts,
        plan(pkg('1.0.0'), '1.0.0', {
          commands: {
            check: [],
            preDeploy: [],
            postDeploy: [],
            release: [],
            monitor: {
              probe: { kind: 'command', command: 'echo probe >> ../../probes' },
              durationMs: 300,
              intervalMs: 100,
            },
          },
        }),
      ),
      engine(),
    );
    expect(ok.status).toBe('succeeded');
    const probes = (await readFile(join(deployTo, 'probes'), 'utf8')).trim().split('\n');
    expect(probes.length).toBeGreaterThanOrEqual(2);
    const bad = await runRelease(
      request(
        hosts,
        plan(pkg('1.1.0'), '1.1.0', {
          commands: {
            check: [],
            preDeploy: [],
            postDeploy: [],
            release: [],
            monitor: {
              probe: {
                kind: 'command',
                command: 'n=$(cat ../../count 2>/dev/null || echo 0); echo $((n+1)) > ../../count; [ "$n" -lt 2 ]',
              },
              durationMs: 5000,
              intervalMs: 50,
            },
          },
        }),
      ),
      engine(),
    );
    expect(bad.status).toBe('failed');
    expect(bad.failedHost).toMatchObject({ host: 'host-1', stage: 'monitor' });
    expect(await liveTarget(deployTo)).toBe('releases/1.0.0');
  });

  it('rollback switches an environment back to the previous or a named release, and releases shows what is live', async () => {
    const hosts = hostsFor('rollback', 3);
    const postDeploy = ['echo "$YM_VERSION" >> ../../post-deploy-ran'];
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
      const result = await runRelease(
        request(
          hosts,
          plan(pkg(version), version, { commands: { check: [], preDeploy: [], postDeploy, release: [] } }),
        ),
        engine(),
      );
      expect(result.status).toBe('succeeded');
    }
    const connect = connectWith(fleet.privateKey, fleet.user);
    // The offline CLI's rollback: the hooks each release recorded on the host.
    const base = {
      app: 'shop',
      environment: 'staging',
      environmentConfig: environment(),
      hosts: resolved(hosts),
      secrets: {},
      commandTimeoutMs: 60_000,
      hooks: { from: 'host' as const },
    };
    const back = await rollbackEnvironment(base, { connect });
    expect(back.ok).toBe(true);
    expect(back.hosts.map((host) => [host.from, host.to])).toEqual(Array(3).fill(['1.2.0', '1.1.0']));
    await Promise.all(
      hosts.map(async (host) => {
        expect(await liveTarget(host.deployTo ?? '')).toBe('releases/1.1.0');
      }),
    );
    // post_deploy recorded for 1.1.0 ran there
    expect((await readFile(join(hosts[0]?.deployTo ?? '', 'post-deploy-ran'), 'utf8')).trim().split('\n').at(-1)).toBe(
      '1.1.0',
    );
    // again: 1.2.0 was rolled back from, so the previous good one is 1.0.0
    const again = await rollbackEnvironment(base, { connect });
    expect(again.hosts.map((host) => host.to)).toEqual(['1.0.0', '1.0.0', '1.0.0']);
    const named = await rollbackEnvironment({ ...base, to: '1.2.0' }, { connect });
    expect(named.ok).toBe(true);
    const missing = await rollbackEnvironment({ ...base, to: '9.9.9' }, { connect });
    expect(missing.ok).toBe(false);
    expect(missing.hosts[0]?.message).toContain('9.9.9 is not on this host');
    const inventory = await inspectEnvironment(resolved(hosts), connect, new AbortController().signal);
    expect(inventory.map((host) => host.ok && host.live)).toEqual(['1.2.0', '1.2.0', '1.2.0']);
    const first = inventory[0];
    expect(first?.ok && first.releases.sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    expect(first?.ok && first.log.length).toBeGreaterThan(3);
  });
});
