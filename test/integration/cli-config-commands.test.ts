/**
 * `yardmaster validate` and `yardmaster deploy` with `commands:` in the config file (issue 14): merged like the
 * server merges them (environment over app, a plan's own stage over both; the CLI has no operator policy, so a
 * plan's commands are always allowed), run on an sshd host, where they leave marker files the test reads.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetConfigYaml, planYaml } from '../helpers/cli-files.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { runYardmaster } from '../helpers/run-yardmaster.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

let fleet: SshdFleet;
let work: string;
let config: string;
let pkg: BuiltPackage;

function deployTo(): string {
  return join(fleet.hosts[0]?.deployTo ?? '', 'shop');
}

function marker(name: string): Promise<string> {
  return readFile(join(deployTo(), 'releases', '1.0.0', name), 'utf8');
}

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-cli-commands-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  config = join(work, 'yardmaster.yml');
  const yaml = fleetConfigYaml(
    fleet,
    `staging: { hosts: [web], commands: { pre_deploy: ['echo "staging pre_deploy $YM_ENV" > pre.marker'] } }`,
  ).replace(
    '    deploy_to: /srv/shop\n',
    [
      '    deploy_to: /srv/shop',
      '    commands:',
      "      pre_deploy: ['echo app pre_deploy > pre.marker']",
      "      post_deploy: ['echo app post_deploy > post.marker']",
      "      release: ['echo app release > release.marker']",
      '',
    ].join('\n'),
  );
  await writeFile(config, yaml);
});

afterAll(async () => {
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('yardmaster with commands in the config file', () => {
  it('validate names where each stage comes from, and deploy runs the merged commands', async () => {
    const plan = join(work, 'plan.yml');
    await writeFile(
      plan,
      planYaml('1.0.0', pkg, '{ mode: serial }', [
        'commands:',
        "  post_deploy: ['echo plan post_deploy > post.marker']",
      ]),
    );
    const env = { HOME: work, YARDMASTER_CACHE_DIR: join(work, 'cache') };

    const validated = await runYardmaster(['validate', '--config', config, plan], { cwd: work, env });
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain("  commands.pre_deploy: from the environment's commands in the repo config\n");
    expect(validated.stdout).toContain(
      "  commands.post_deploy: plan override: replaces the app's commands in the repo config\n",
    );
    expect(validated.stdout).toContain("  commands.release: from the app's commands in the repo config\n");
    expect(validated.stdout).not.toContain('commands.check');

    const deployed = await runYardmaster(['deploy', '--config', config, '--identity', fleet.privateKeyPath, plan], {
      cwd: work,
      env,
    });
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    expect(await liveTarget(deployTo())).toBe('releases/1.0.0');
    expect(await marker('pre.marker')).toBe('staging pre_deploy staging\n');
    expect(await marker('post.marker')).toBe('plan post_deploy\n');
    expect(await marker('release.marker')).toBe('app release\n');
  });
});
