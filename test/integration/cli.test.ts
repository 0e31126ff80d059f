import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runYardmaster } from '../helpers/run-yardmaster.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetConfigYaml, planYaml } from '../helpers/cli-files.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

type Run = CliRun;

function yardmaster(
  args: string[],
  options: { env?: Record<string, string>; onStdout?: (text: string, child: ChildProcess) => void } = {},
): Promise<Run> {
  return runYardmaster(args, {
    cwd: work,
    env: { HOME: work, YARDMASTER_CACHE_DIR: join(work, 'cache'), ...options.env },
    ...(options.onStdout === undefined ? {} : { onStdout: options.onStdout }),
  });
}

let fleet: SshdFleet;
let work: string;
let config: string;
let unpinnedConfig: string;
const pkgs = new Map<string, BuiltPackage>();

function deployTo(index: number): string {
  return join(fleet.hosts[index]?.deployTo ?? '', 'shop');
}

function configYaml(pinned: boolean): string {
  return fleetConfigYaml(fleet, 'staging: { hosts: [web], env: { GREETING: hi }, secret_env: [SHOP_TOKEN] }', {
    pinned,
  });
}

async function writePlan(version: string, extra = ''): Promise<string> {
  const pkg = pkgs.get(version);
  if (!pkg) throw new Error(`no package ${version}`);
  const file = join(work, `plan-${version}${extra ? '-x' : ''}.yml`);
  await writeFile(
    file,
    planYaml(version, pkg, '{ mode: batches, batch_size: 1, canary: 1 }', [
      'commands:',
      '  post_deploy: ["echo token=$SHOP_TOKEN"]',
      '  health: { command: "test ! -e ../../FAIL_HEALTH", retries: 1, interval: 100ms }',
      extra,
    ]),
  );
  return file;
}

const secretEnv = { SHOP_TOKEN: 'tok-123456' };

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  work = await mkdtemp(join(tmpdir(), 'ym-cli-'));
  for (const version of ['1.0.0', '2.0.0', '3.0.0']) pkgs.set(version, await buildPackage(join(work, 'pkgs'), version));
  config = join(work, 'yardmaster.yml');
  unpinnedConfig = join(work, 'unpinned.yml');
  await writeFile(config, configYaml(true));
  await writeFile(unpinnedConfig, configYaml(false));
});

afterAll(async () => {
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('yardmaster CLI', () => {
  it('validate: a good plan passes, a bad one names line, column and field (exit 2)', async () => {
    const good = await yardmaster(['validate', '--config', config, await writePlan('1.0.0')]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('valid plan for shop 1.0.0 to staging');
    expect(good.stdout).toContain('3 host(s) in 3 batch(es)');
    const bad = join(work, 'bad.yml');
    await writeFile(
      bad,
      'app: shop\nenvironment: staging\nversion: 1.0.0\npackage:\n  url: file:///tmp/x.tgz\n  sha256: abc\nstrategy:\n  mode: batches\n  batch_size: lots\n',
    );
    const result = await yardmaster(['validate', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 6, column \d+, package\.sha256/);
    expect(result.stderr).toMatch(
      /line 9, column \d+, strategy\.batch_size: expected a count or a percentage like 25%/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('deploy releases to every host (exit 0), masks secrets, and is a no-op when run again', async () => {
    const plan = await writePlan('1.0.0');
    const result = await yardmaster(['deploy', '--config', config, '--identity', fleet.privateKeyPath, plan], {
      env: secretEnv,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('released shop 1.0.0 to staging');
    expect(result.stdout).toContain('token=***');
    expect(result.stdout).not.toContain('tok-123456');
    for (const index of [0, 1, 2]) expect(await liveTarget(deployTo(index))).toBe('releases/1.0.0');
    const again = await yardmaster(['deploy', '--config', config, '--identity', fleet.privateKeyPath, plan], {
      env: secretEnv,
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('3 unchanged');
  });

  it('a missing secret or a bad config is invalid input (exit 2)', async () => {
    const plan = await writePlan('1.0.0');
    const missing = await yardmaster(['deploy', '--config', config, '--identity', fleet.privateKeyPath, plan]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SHOP_TOKEN');
    const broken = join(work, 'broken.yml');
    await writeFile(broken, 'apps:\n  shop:\n    deploy_to: relative/path\n    environments: {}\nhosts: {}\n');
    const bad = await yardmaster(['deploy', '--config', broken, plan], { env: secretEnv });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.yml: line 3, column \d+, apps\.shop\.deploy_to/);
    const later = await writePlan('1.0.0', 'schedule: 2099-01-01T00:00:00Z');
    const early = await yardmaster(['deploy', '--config', config, '--identity', fleet.privateKeyPath, later], {
      env: secretEnv,
    });
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('scheduled for 2099-01-01T00:00:00.000Z');
  });

  it('a failed health check exits 1, names the host and rolls back; retry re-runs the hosts not on the release', async () => {
    await writeFile(join(deployTo(1), 'FAIL_HEALTH'), 'x');
    const plan = await writePlan('2.0.0');
    const failed = await yardmaster(['deploy', '--config', config, '--identity', fleet.privateKeyPath, plan], {
      env: secretEnv,
    });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FAILED');
    expect(failed.stdout).toMatch(/failed host: host-2, stage health, exit code 1/);
    for (const index of [0, 1, 2]) expect(await liveTarget(deployTo(index))).toBe('releases/1.0.0');
    await rm(join(deployTo(1), 'FAIL_HEALTH'));
    const retried = await yardmaster(
      ['retry', '--config', config, '--identity', fleet.privateKeyPath, '--json', plan],
      { env: secretEnv },
    );
    expect(retried.code).toBe(0);
    const events = retried.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; host?: string });
    // host-1 was rolled back with the rest, host-3 never started: both retried along with host-2
    expect(events.filter((event) => event.type === 'host.started').map((event) => event.host)).toEqual([
      'host-1',
      'host-2',
      'host-3',
    ]);
    expect(events.at(-1)?.type).toBe('release.finished');
    for (const index of [0, 1, 2]) expect(await liveTarget(deployTo(index))).toBe('releases/2.0.0');
    const nothing = await yardmaster(['retry', '--config', config, '--identity', fleet.privateKeyPath, plan], {
      env: secretEnv,
    });
    expect(nothing.code).toBe(0);
  });

  it('rollback and releases', async () => {
    const back = await yardmaster(
      ['rollback', '--config', config, '--identity', fleet.privateKeyPath, '--app', 'shop', '--env', 'staging'],
      { env: secretEnv },
    );
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('rolled back from 2.0.0 to 1.0.0');
    for (const index of [0, 1, 2]) expect(await liveTarget(deployTo(index))).toBe('releases/1.0.0');
    const named = await yardmaster(
      [
        'rollback',
        '--config',
        config,
        '--identity',
        fleet.privateKeyPath,
        '--app',
        'shop',
        '--env',
        'staging',
        '--to',
        '2.0.0',
      ],
      { env: secretEnv },
    );
    expect(named.code).toBe(0);
    const badTo = await yardmaster(
      ['rollback', '--config', config, '--app', 'shop', '--env', 'staging', '--to', '$(id)'],
      { env: secretEnv },
    );
    expect(badTo.code).toBe(2);
    const list = await yardmaster([
      'releases',
      '--config',
      config,
      '--identity',
      fleet.privateKeyPath,
      '--app',
      'shop',
      '--env',
      'staging',
    ]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/host-1\s+2\.0\.0/);
    expect(list.stdout).toContain('1.0.0');
  });

  it('unpinned host keys are refused unless --accept-new-host-keys', async () => {
    const plan = await writePlan('3.0.0');
    const refused = await yardmaster(['deploy', '--config', unpinnedConfig, '--identity', fleet.privateKeyPath, plan], {
      env: secretEnv,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/SHA256:/);
    expect(await liveTarget(deployTo(0))).toBe('releases/2.0.0');
    const accepted = await yardmaster(
      ['deploy', '--config', unpinnedConfig, '--identity', fleet.privateKeyPath, '--accept-new-host-keys', plan],
      { env: secretEnv },
    );
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain(fleet.hosts[0]?.hostKeyFingerprint ?? 'missing');
  });

  it('Ctrl-C aborts: no new host starts and touched hosts roll back (exit 1)', async () => {
    const plan = await writePlan('1.0.0', '  pre_deploy: ["if [ -e ../../SLOW ]; then sleep 30; fi"]');
    await writeFile(join(deployTo(1), 'SLOW'), 'x');
    let sent = false;
    const result = await yardmaster(
      ['deploy', '--config', config, '--identity', fleet.privateKeyPath, '--force', plan],
      {
        env: secretEnv,
        onStdout: (text, child) => {
          if (!sent && text.includes('[host-2] fetch ok')) {
            sent = true;
            setTimeout(() => child.kill('SIGINT'), 300);
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ABORTED');
    expect(result.stderr).toContain('aborting');
    for (const index of [0, 1, 2]) expect(await liveTarget(deployTo(index))).toBe('releases/3.0.0');
  });

  it('testdrive releases the sample app, shows a rollback and says what to try next', async () => {
    // The testdrive keeps its workspace for the commands it prints: under this test's directory (removed after),
    // which others may enter as they may /tmp (the sshd testdrive fails under a 0700 one).
    const scratch = join(work, 'testdrive-tmp');
    await mkdir(scratch, { mode: 0o755 });
    await chmod(work, 0o755);
    const testdrive = (...args: string[]) => yardmaster(['testdrive', ...args], { env: { TMPDIR: scratch } });
    const local = await testdrive('--local');
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('every host is on 1.1.0 again');
    expect(local.stdout).toContain('What to try next');
    const sshd = await testdrive();
    expect(sshd.code).toBe(0);
    expect(sshd.stdout).toContain('OpenSSH servers on 127.0.0.1');
    const configLine = /yardmaster releases --config (\S+)/.exec(sshd.stdout);
    const tried = await yardmaster([
      'releases',
      '--config',
      configLine?.[1] ?? '',
      '--app',
      'sample',
      '--env',
      'local',
    ]);
    expect(tried.code).toBe(0);
    expect(tried.stdout).toMatch(/host-1\s+1\.1\.0/);
    expect(existsSync(configLine?.[1] ?? '')).toBe(true);
    expect(await readFile(configLine?.[1] ?? '', 'utf8')).toContain('executor: local');
    // Two whole testdrives and a release in one test: 33 s alone on 2 cores, over a minute under a loaded machine.
  }, 180_000);
});
