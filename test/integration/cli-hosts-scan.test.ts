/**
 * `yardmaster hosts scan` against real sshd hosts, run as the real CLI: keys learned without logging in, compared
 * with the pins, written into the config with its other bytes untouched.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runYardmaster } from '../helpers/run-yardmaster.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { freePorts } from '../../src/lib/free-port.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

type Run = CliRun;

function yardmaster(args: string[]): Promise<Run> {
  return runYardmaster(args, { cwd: work, env: { HOME: work, YARDMASTER_CACHE_DIR: join(work, 'cache') } });
}

let fleet: SshdFleet;
let work: string;
let hosts: HostEntry[];
let closedPort: number;

function host(index: number): HostEntry {
  const entry = hosts[index];
  if (entry === undefined) throw new Error(`no host ${index}`);
  return entry;
}

function key(index: number): string {
  return host(index).hostKey ?? '';
}

/** The line of host `index`'s status in the scan's output. */
function lineOf(stdout: string, index: number): string {
  return stdout.split('\n').find((line) => line.startsWith(`${host(index).name} `)) ?? '';
}

/**
 * A config with a comment, a long flow map (re-serialising it would fold it over several lines), a flow map pinned
 * right, a block map with no pin and a comment at its end, a flow map pinned with another host's key, and a group of
 * one host on a closed port.
 */
function fixture(): { text: string; withNewPin: string; withBoth: string } {
  const [first, second, third] = [host(0), host(1), host(2)];
  const head = [
    '# Yardmaster config for the scan test: this comment and the flow maps stay as written.',
    'apps:',
    '  shop: { deploy_to: /srv/shop, environments: { staging: { hosts: [web], env: { GREETING: hello-from-the-scan-test } } } }',
    'hosts:',
    '  web:',
    `    - { name: ${first.name}, address: 127.0.0.1, port: ${first.port}, host_key: "${key(0)}" }  # pinned right`,
    `    - name: ${second.name}`,
    '      address: 127.0.0.1',
    `      port: ${second.port} # no pin yet`,
  ];
  const secondPin = `      host_key: "${key(1)}"`;
  const third1 = `    - { name: ${third.name}, address: 127.0.0.1, port: ${third.port}, host_key: "${key(0)}" }`;
  const third2 = `    - { name: ${third.name}, address: 127.0.0.1, port: ${third.port}, host_key: "${key(2)}" }`;
  const tail = [
    '  # a host that is down',
    '  offline:',
    `    - { name: offline-1, address: 127.0.0.1, port: ${closedPort} }`,
    '',
  ];
  return {
    text: [...head, third1, ...tail].join('\n'),
    withNewPin: [...head, secondPin, third1, ...tail].join('\n'),
    withBoth: [...head, secondPin, third2, ...tail].join('\n'),
  };
}

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  hosts = fleet.hostEntries();
  [closedPort = 1] = await freePorts(1);
  work = await mkdtemp(join(tmpdir(), 'ym-hosts-scan-'));
});

afterAll(async () => {
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('yardmaster hosts scan', () => {
  it('compares, writes the missing pin, replaces the named one, and then finds all the same', async () => {
    const { text, withNewPin, withBoth } = fixture();
    const config = join(work, 'yardmaster.yml');
    await writeFile(config, text);

    const scan = await yardmaster(['hosts', 'scan', '--config', config, '--group', 'web']);
    expect(scan.stderr).toBe('');
    expect(scan.code).toBe(1);
    expect(lineOf(scan.stdout, 0)).toMatch(new RegExp(`127\\.0\\.0\\.1:${host(0).port}\\s+${escape(key(0))}\\s+same$`));
    expect(lineOf(scan.stdout, 1)).toMatch(new RegExp(`${escape(key(1))}\\s+new$`));
    expect(lineOf(scan.stdout, 2)).toContain(`${key(2)}  DIFFERENT (pinned ${key(0)})`);
    expect(scan.stdout).toContain('3 host(s): 1 same, 1 new, 1 DIFFERENT, 0 unreachable');
    expect(await readFile(config, 'utf8')).toBe(text);

    // The file gains exactly one line, the new pin; the differing pin is left as it is, and said so.
    const written = await yardmaster(['hosts', 'scan', '--config', config, '--group', 'web', '--write']);
    expect(written.code).toBe(1);
    expect(written.stdout).toContain(`pinned ${host(1).name} in ${config}`);
    expect(written.stdout).toContain(
      `left the differing pin of ${host(2).name} as it is (to replace it: --replace ${host(2).name})`,
    );
    expect(await readFile(config, 'utf8')).toBe(withNewPin);

    const replaced = await yardmaster([
      'hosts',
      'scan',
      '-c',
      config,
      '-g',
      'web',
      '--write',
      '--replace',
      host(2).name,
    ]);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain(`replaced the pin of ${host(2).name} in ${config}`);
    expect(await readFile(config, 'utf8')).toBe(withBoth);

    const again = await yardmaster(['hosts', 'scan', '--config', config, '--group', 'web', '--json']);
    expect(again.code).toBe(0);
    const report: unknown = JSON.parse(again.stdout);
    expect(report).toMatchObject({
      hosts: [0, 1, 2].map((index) => ({ name: host(index).name, status: 'same', fingerprint: key(index) })),
      written: [],
    });
  });

  it('a closed port is unreachable (exit 1); the whole config is scanned without --group', async () => {
    const config = join(work, 'offline.yml');
    await writeFile(config, fixture().withBoth);
    const offline = await yardmaster(['hosts', 'scan', '--config', config, '--group', 'offline']);
    expect(offline.code).toBe(1);
    expect(offline.stdout).toMatch(
      new RegExp(`^offline-1\\s+127\\.0\\.0\\.1:${closedPort}\\s+-\\s+unreachable: connection refused$`, 'm'),
    );
    expect(offline.stdout).toContain('1 host(s): 0 same, 0 new, 0 DIFFERENT, 1 unreachable');

    const all = await yardmaster(['hosts', 'scan', '--config', config, '--write']);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain('4 host(s): 3 same, 0 new, 0 DIFFERENT, 1 unreachable');
    expect(all.stdout).toContain(`nothing to write to ${config}`);
    expect(await readFile(config, 'utf8')).toBe(fixture().withBoth);
  });

  it('invalid input exits 2 with the usage: no config, unknown group, --replace of an unknown host or without --write', async () => {
    const config = join(work, 'input.yml');
    await writeFile(config, fixture().text);
    const cases: [string[], string][] = [
      [['hosts', 'scan'], 'needs --config <file>'],
      [['hosts', 'list', '--config', config], 'expected the subcommand scan'],
      [['hosts', 'scan', '--config', config, '--group', 'db'], 'no host group db in the config (groups: web, offline)'],
      [['hosts', 'scan', '--config', config, '--write', '--replace', 'nope'], 'names no host of the config: nope'],
      [['hosts', 'scan', '--config', config, '--replace', host(2).name], '--replace needs --write'],
      [['hosts', 'scan', '--config', config, '--force'], 'yardmaster hosts: unknown option --force'],
    ];
    for (const [args, message] of cases) {
      const run = await yardmaster(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('usage: yardmaster hosts scan');
    }
    expect(await readFile(config, 'utf8')).toBe(fixture().text);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
