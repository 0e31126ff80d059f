/**
 * The offline CLI is run by the operator and keeps taking `secret_env` from its own environment (the server never
 * does): `yardmaster deploy` against a real sshd host, with a store key and database in its environment too, uses
 * the variable, not the store.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runYardmaster } from '../helpers/run-yardmaster.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

const TOKEN = 'operator-shell-token-4f1a';

let fleet: SshdFleet;
let work: string;
let pkg: BuiltPackage;

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-cli-secret-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

type Run = CliRun;

function yardmaster(args: string[], env: Record<string, string>): Promise<Run> {
  return runYardmaster(args, { cwd: work, env: { HOME: work, YARDMASTER_CACHE_DIR: join(work, 'cache'), ...env } });
}

describe('yardmaster deploy (offline, run by the operator)', () => {
  it('takes secret_env from its own environment, passes it to the host command, and masks it', async () => {
    const host = fleet.hostEntries()[0];
    if (host === undefined) throw new Error('no host');
    const deployTo = join(host.deployTo ?? work, 'shop');
    const config = join(work, 'yardmaster.yml');
    await writeFile(
      config,
      [
        'apps:',
        '  shop:',
        `    deploy_to: ${deployTo}`,
        '    environments:',
        '      staging: { hosts: [web], secret_env: [SHOP_TOKEN] }',
        'hosts:',
        '  web:',
        `    - { name: ${host.name}, address: 127.0.0.1, port: ${host.port}, user: ${fleet.user}, host_key: "${host.hostKey ?? ''}" }`,
        '',
      ].join('\n'),
    );
    const plan = join(work, 'plan.yml');
    await writeFile(
      plan,
      [
        'app: shop',
        'environment: staging',
        'version: 1.0.0',
        'package:',
        `  url: ${pkg.url}`,
        `  sha256: ${pkg.sha256}`,
        'commands:',
        `  post_deploy: ['printf %s "$SHOP_TOKEN" > ../../token.txt', 'echo "token=$SHOP_TOKEN"']`,
        '',
      ].join('\n'),
    );
    const result = await yardmaster(['deploy', '--config', config, '--identity', fleet.privateKeyPath, plan], {
      SHOP_TOKEN: TOKEN,
      // A store key and an unreachable database change nothing: the CLI never reads the store.
      YARDMASTER_SECRETS_KEY: 'not a key',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    // The release is recorded for that database as a journal, which waits while the database cannot be reached: the
    // one line on stderr says so. The journal holds the output masked, never the value.
    expect(result.stderr).toBe(
      'warning: not recorded in the database yet (connect ECONNREFUSED 127.0.0.1:1); the next run retries\n',
    );
    expect(result.code).toBe(0);
    const journals = await readdir(join(work, 'cache', 'journal'), { recursive: true });
    const journal = journals.find((name) => name.endsWith('.jsonl'));
    expect(journal).toBeDefined();
    const journalText = await readFile(join(work, 'cache', 'journal', journal ?? ''), 'utf8');
    expect(journalText).toContain('token=***');
    expect(journalText).not.toContain(TOKEN);
    expect(await readFile(join(deployTo, 'token.txt'), 'utf8')).toBe(TOKEN);
    expect(result.stdout).toContain('token=***');
    expect(result.stdout).not.toContain(TOKEN);
  }, 120_000);
});
