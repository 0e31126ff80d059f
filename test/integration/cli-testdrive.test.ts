/**
 * `npx yardmaster testdrive` as a real process, then every command it prints, pasted as printed into a shell in
 * the project directory: each must do what the testdrive says it does, the dashboard last: it shows every release
 * and rollback these commands made.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: string;

function shell(line: string, options: { onStdout?: (stdout: string, pid: number) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', line], {
      cwd: PROJECT,
      // Its own process group: the dashboard (sh, npx, node) is stopped as a whole, as Ctrl-C would.
      detached: true,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        // The testdrive keeps its workspace for the commands it prints: under the test's own directory, removed after.
        TMPDIR: home,
        USER: process.env.USER ?? 'tester',
        YARDMASTER_CACHE_DIR: join(home, 'yardmaster-cache'),
        // npx installs nothing here (the command is this project's own bin): no registry needed.
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child.pid ?? 0);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ym-testdrive-'));
  // Others may enter it, as they may /tmp: the testdrive's workspace and sshd hosts live under it (0700 fails it).
  await chmod(home, 0o755);
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** The commands a testdrive's output suggests, in the order printed, each once, with the note after it. */
function suggested(stdout: string): { command: string; note: string }[] {
  const found: { command: string; note: string }[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\s+(?:retry the failed hosts with: )?((?:npx yardmaster|ls) \S.*?)(?:\s{3,}\((.*)\))?$/.exec(line);
    if (!match?.[1]) continue;
    if (!found.some((entry) => entry.command === match[1])) found.push({ command: match[1], note: match[2] ?? '' });
  }
  return found;
}

/** Signs in with the printed one-time link and reads the environments page. */
async function environmentsPage(link: URL): Promise<string> {
  const signIn = await fetch(link, { redirect: 'manual' });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await fetch(new URL('/dashboard/environments', link), { headers: { cookie } });
  return page.text();
}

describe('yardmaster testdrive', () => {
  it('prints commands that work when pasted', async () => {
    const drive = await shell('npx yardmaster testdrive');
    expect(drive.stderr).not.toContain('EBADENGINE');
    expect(drive.code).toBe(0);
    expect(drive.stdout).toContain('every host is on 1.1.0 again');
    // One line per host outcome: the failed host is not reported twice.
    expect(drive.stdout.match(/^\[host-3\] failed\b/gm) ?? []).toHaveLength(1);
    expect(drive.stdout).not.toMatch(/^\s+yardmaster /m);

    const commands = suggested(drive.stdout);
    expect(commands.map((entry) => entry.command.split(' ').slice(0, 3).join(' '))).toEqual([
      'npx yardmaster retry',
      'npx yardmaster validate',
      'npx yardmaster releases',
      'npx yardmaster deploy',
      'npx yardmaster rollback',
      expect.stringMatching(/^ls -la \//),
      'npx yardmaster dashboard',
    ]);
    const results = new Map<string, Run>();
    let dashboardPage = '';
    for (const { command } of commands) {
      const run =
        command === 'npx yardmaster dashboard'
          ? await shell(command, {
              onStdout: (stdout, pid) => {
                const link = /http:\/\/127\.0\.0\.1:\d+\/dashboard\/\?token=\S+/.exec(stdout)?.[0];
                if (link === undefined || dashboardPage !== '') return;
                dashboardPage = 'signing in';
                void environmentsPage(new URL(link)).then((page) => {
                  dashboardPage = page;
                  process.kill(-pid, 'SIGINT');
                });
              },
            })
          : await shell(command);
      results.set(command.startsWith('ls ') ? 'ls' : (command.split(' ')[2] ?? command), run);
    }
    const get = (name: string): Run => results.get(name) ?? { code: null, stdout: '', stderr: 'not run' };

    // The retry finds the testdrive's result and runs again on the hosts it rolled back; 1.2.0 is still unhealthy
    // on host-3, as the testdrive says, so it fails and rolls back again.
    expect(get('retry').stderr).not.toContain('no earlier release');
    expect(get('retry').code).toBe(1);
    expect(get('retry').stdout).toContain('release of sample 1.2.0 to local FAILED');
    expect(get('retry').stdout).toMatch(/host-3: rolled back to 1\.1\.0/);
    expect(get('validate').code).toBe(0);
    expect(get('releases').code).toBe(0);
    expect(get('releases').stdout).toMatch(/host-1\s+1\.1\.0/);
    expect(get('deploy').code).toBe(0);
    expect(get('deploy').stdout).toMatch(/released sample 1\.1\.0 to local .*: 3 unchanged/);
    expect(get('rollback').code).toBe(0);
    expect(get('rollback').stdout).toContain('rollback of sample in local: done');
    const listing = get('ls');
    expect(listing.code).toBe(0);
    expect(listing.stdout).toMatch(/current -> /);
    const configPath = /--config (\S+)/.exec(commands[1]?.command ?? '')?.[1] ?? '';
    expect(await readFile(configPath, 'utf8')).toContain('executor: local');
    expect(drive.stdout).not.toContain('FAILED on some hosts');
    // The dashboard shows the testdrive's three releases, the retry, the deploy and the rollback, by cli:<user>, and
    // what each host runs after the rollback.
    // (It ran until the test's Ctrl-C, which also ends the shell it was pasted into: no exit code to check.)
    expect(dashboardPage).toContain('data-environment="local/sample/sample/local"');
    const releaseRows = /data-testid="recent-releases"[\s\S]*?<\/table>/.exec(dashboardPage)?.[0] ?? '';
    expect(releaseRows.match(/href="\/dashboard\/releases\//g) ?? []).toHaveLength(5);
    const versions = /data-testid="live-versions"[\s\S]*?<\/table>/.exec(dashboardPage)?.[0] ?? '';
    expect(versions.match(/<td>1\.0\.0<\/td>/g) ?? []).toHaveLength(3);
  }, 720_000);
});
