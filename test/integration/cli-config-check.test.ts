/**
 * `yardmaster config check` through the real bin/yardmaster.js: a valid config exits 0, a broken one 2 with each
 * problem naming its line and field on stderr, and `--against` prints what the change does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, runYardmaster } from '../helpers/run-yardmaster.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const OLD_CONFIG = `apps:
  shop:
    deploy_to: /srv/shop
    environments:
      production: { hosts: [web], approvals: 1, approvers: [team:ops] }
hosts:
  web: [{ name: web-1, address: 10.0.0.11 }, { name: web-2, address: 10.0.0.12 }]
roles:
  project_manager: [octocat]
  developer: [hubot]
  ops: [team:ops]
  deployer: [team:ops]
  acceptor: [octocat]
`;

const NEW_CONFIG = `apps:
  shop:
    deploy_to: /srv/shop
    environments:
      production: { hosts: [web], approvals: 2, approvers: [team:ops], freeze: ["Fri 18:00-Mon 06:00"] }
hosts:
  web: [{ name: web-1, address: 10.0.0.11 }, { name: web-2, address: 10.0.0.12 }, { name: web-3, address: 10.0.0.13 }]
roles:
  project_manager: [octocat]
  developer: [hubot]
  ops: [team:ops, team:sre]
  deployer: [team:ops]
  acceptor: [octocat]
`;

// Line 3: a relative deploy_to; line 5: approvals not a count; line 12: a field the schema does not know.
const BROKEN_CONFIG = `apps:
  shop:
    deploy_to: srv/shop
    environments:
      production: { hosts: [web], approvals: many }
hosts:
  web: [{ name: web-1, address: 10.0.0.11 }]
roles:
  project_manager: [octocat]
  developer: [hubot]
  ops: [team:ops]
  deplyer: [team:ops]
  acceptor: [octocat]
`;

let work: string;

type Run = CliRun;

function yardmaster(args: readonly string[]): Promise<Run> {
  return runYardmaster(args, { cwd: work, env: { HOME: work } });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-config-check-'));
  await writeFile(join(work, 'old.yml'), OLD_CONFIG);
  await writeFile(join(work, 'new.yml'), NEW_CONFIG);
  await writeFile(join(work, 'broken.yml'), BROKEN_CONFIG);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('yardmaster config check', () => {
  it('exits 0 on a valid config', async () => {
    const run = await yardmaster(['config', 'check', 'new.yml']);
    expect(run).toEqual({ code: 0, stdout: 'new.yml: valid config\n', stderr: '' });
  });

  it('exits 2 on a broken config, one problem a line, each naming its line and field', async () => {
    const run = await yardmaster(['config', 'check', 'broken.yml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^broken\.yml: line 3, column \d+, apps\.shop\.deploy_to: /);
    expect(lines[1]).toMatch(/^broken\.yml: line 5, column \d+, apps\.shop\.environments\.production\.approvals: /);
    expect(lines[2]).toMatch(/^broken\.yml: line 12, column \d+, roles\.deplyer: /);
  });

  it('with --against, prints what the change does', async () => {
    const run = await yardmaster(['config', 'check', 'new.yml', '--against', 'old.yml']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'new.yml: valid config',
        'changes against old.yml:',
        'Hosts and host groups:',
        '  - host group web: added web-3',
        'Roles and approvers:',
        '  - role ops: added team:sre',
        'Approvals needed:',
        '  - environment shop/production: approvals 1 → 2',
        'Freeze windows:',
        '  - environment shop/production: freeze window added Fri 18:00-Mon 06:00',
        '',
      ].join('\n'),
    );
    const same = await yardmaster(['config', 'check', 'old.yml', '--against', 'old.yml']);
    expect(same).toEqual({
      code: 0,
      stdout: 'old.yml: valid config\nchanges against old.yml:\nno change\n',
      stderr: '',
    });
  });

  it('exits 2 when the older file is broken or the call is malformed', async () => {
    const broken = await yardmaster(['config', 'check', 'new.yml', '--against', 'broken.yml']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.yml: line 3');
    const missing = await yardmaster(['config', 'check']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('yardmaster config check: needs one config file');
    expect(missing.stderr).toContain('usage: yardmaster config check <file>');
  });
});
