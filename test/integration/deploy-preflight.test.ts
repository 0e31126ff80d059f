/**
 * Pre-flight against real sshd hosts: the read-only check stage passes on a ready host and fails, naming the check,
 * on a full disk (a tiny tmpfs mounted as the deploy dir), a missing tool (a PATH without tar), an unwritable
 * deploy_to, a foreign lock and a wrong pinned key; and it leaves the deploy dir unchanged byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { preflightEnvironment, type PreflightOptions } from '../../src/deploy/preflight-environment.ts';
import type { PreflightReport } from '../../src/deploy/preflight-types.ts';
import { runRelease } from '../../src/deploy/run-release.ts';
import type { Plan } from '../../src/plan/types.ts';
import { snapshotTree } from '../helpers/host-files.ts';
import {
  buildPackage,
  connectWith,
  environment,
  plan,
  resolved,
  type BuiltPackage,
} from '../helpers/release-fixtures.ts';
import { ensureTestUser, startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

let fleet: SshdFleet;
/** One host whose PATH (`SetEnv PATH=…`) is a directory of /usr/bin's commands without tar. */
let bare: SshdFleet;
let work: string;
let v1: BuiltPackage;
let server: Server;
let base: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-preflight-'));
  await chmod(work, 0o755);
  const binDir = join(work, 'bin');
  await mkdir(binDir, { recursive: true });
  for (const name of await readdir('/usr/bin')) {
    if (name !== 'tar') await symlink(join('/usr/bin', name), join(binDir, name));
  }
  [fleet, bare] = await Promise.all([startSshdFleet(2), startSshdFleet(1, { extraConfig: [`SetEnv PATH=${binDir}`] })]);
  v1 = await buildPackage(join(work, 'pkgs'), '1.0.0');
  server = createServer((_request, response) => {
    // 5 MiB announced: the HEAD's content-length is what pre-flight goes by for a pulled package.
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(5 * 1024 * 1024) }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the artifact server has no port');
  base = `http://127.0.0.1:${String(address.port)}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all([fleet?.stop(), bare?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

function hostsFor(source: SshdFleet, app: string): HostEntry[] {
  return source.hostEntries().map((entry) => ({ ...entry, deployTo: join(entry.deployTo ?? '', app) }));
}

function options(source: SshdFleet): PreflightOptions {
  return { connect: connectWith(source.privateKey, source.user), artifactsDir: work, cacheDir: join(work, 'cache') };
}

async function preflight(
  source: SshdFleet,
  entries: HostEntry[],
  p: Plan = plan(v1, '1.0.0'),
): Promise<PreflightReport> {
  return preflightEnvironment(
    {
      plan: p,
      app: { deployTo: '/unused', environments: {} },
      environment: environment(),
      hosts: resolved(entries),
      signal: new AbortController().signal,
    },
    options(source),
  );
}

function hostReport(report: PreflightReport, name: string) {
  const found = report.hosts.find((host) => host.host === name);
  if (found === undefined) throw new Error(`no report for ${name}`);
  return found;
}

const dirOf = (entry: HostEntry | undefined): string => entry?.deployTo ?? '';

describe('pre-flight', () => {
  it('passes on hosts that are ready, first release or not, and changes nothing on them byte for byte', async () => {
    const entries = hostsFor(fleet, 'ready');
    const [first, second] = entries;
    if (first === undefined || second === undefined) throw new Error('two hosts expected');
    const released = await runRelease(
      {
        plan: plan(v1, '1.0.0'),
        app: { deployTo: '/unused', environments: {} },
        environment: environment(),
        hosts: resolved([first]),
        secrets: {},
      },
      { connect: connectWith(fleet.privateKey, fleet.user), artifactsDir: work, cacheDir: join(work, 'cache') },
    );
    expect(released.status).toBe('succeeded');
    const before = await snapshotTree(dirOf(first));
    const parentBefore = await snapshotTree(join(dirOf(second), '..'));

    const report = await preflight(fleet, entries, plan(v1, '1.1.0'));

    expect(report.ok).toBe(true);
    expect(report.packageBytes).toBeGreaterThan(0);
    const live = hostReport(report, first.name);
    expect(live.checks.current).toEqual({ ok: true, detail: '1.0.0' });
    expect(live.checks.lock).toEqual({ ok: true, detail: 'none' });
    expect(live.checks.connect?.detail).toContain(first.hostKey ?? 'no pinned key');
    expect(live.checks.tools).toEqual({ ok: true, detail: 'all present' });
    expect(live.checks.disk?.detail).toMatch(/MiB free, 1\.0 MiB needed$/);
    const fresh = hostReport(report, second.name);
    expect(fresh.checks.current).toEqual({ ok: true, detail: 'none yet (first release)' });
    expect(fresh.checks.deploy_to?.detail).toContain('created at the first release');
    // Read-only: the released host's deploy dir, and the fresh host's (which must still not exist), are as they were.
    expect(await snapshotTree(dirOf(first))).toEqual(before);
    expect(await snapshotTree(join(dirOf(second), '..'))).toEqual(parentBefore);
  });

  it.runIf(process.getuid?.() === 0)('fails on a full disk: a 512 KiB tmpfs mounted as the deploy dir', async () => {
    const [entry] = hostsFor(fleet, 'full');
    if (entry === undefined) throw new Error('a host expected');
    const dir = dirOf(entry);
    await mkdir(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0755', 'tmpfs', dir]);
    try {
      const user = await ensureTestUser();
      await chown(dir, user.uid, user.gid);
      const report = await preflight(fleet, [entry]);
      expect(report.ok).toBe(false);
      const host = hostReport(report, entry.name);
      expect(host.ok).toBe(false);
      expect(host.checks.disk).toEqual({ ok: false, detail: '0.5 MiB free, 1.0 MiB needed (not enough)' });
      expect(host.checks.deploy_to?.ok).toBe(true);
      expect(host.checks.tools?.ok).toBe(true);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('fails naming the missing tool on a host whose PATH has no tar', async () => {
    const [entry] = hostsFor(bare, 'no-tar');
    if (entry === undefined) throw new Error('a host expected');
    const report = await preflight(bare, [entry]);
    const host = hostReport(report, entry.name);
    expect(report.ok).toBe(false);
    expect(host.checks.tools).toEqual({ ok: false, detail: 'missing: tar' });
    expect(host.checks.deploy_to?.ok).toBe(true);
  });

  it('fails on a deploy_to the login user cannot write', async () => {
    const [entry] = hostsFor(fleet, 'readonly');
    if (entry === undefined) throw new Error('a host expected');
    const dir = dirOf(entry);
    // Made by the test's user (root in CI, not the login user), without write permission for anyone.
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o555);
    const report = await preflight(fleet, [entry]);
    const host = hostReport(report, entry.name);
    expect(report.ok).toBe(false);
    expect(host.checks.deploy_to).toEqual({ ok: false, detail: `${dir} is not writable by ${fleet.user}` });
  });

  it('fails on a lock another release holds, and on a current link to a release that is gone', async () => {
    const [entry] = hostsFor(fleet, 'locked');
    if (entry === undefined) throw new Error('a host expected');
    const dir = dirOf(entry);
    const owner = JSON.stringify({ release: 'r-other', version: '0.9.0', actor: 'alice' });
    await mkdir(join(dir, '.yardmaster', 'lock'), { recursive: true });
    await writeFile(join(dir, '.yardmaster', 'lock', 'owner'), `${owner}\n`);
    await symlink('releases/0.9.0', join(dir, 'current'));
    const user = await ensureTestUser();
    execFileSync('chown', ['-R', `${String(user.uid)}:${String(user.gid)}`, dir]);
    const report = await preflight(fleet, [entry]);
    const host = hostReport(report, entry.name);
    expect(host.ok).toBe(false);
    expect(host.checks.lock).toEqual({ ok: false, detail: `held by another release: ${owner}` });
    expect(host.checks.current).toEqual({ ok: false, detail: 'current -> releases/0.9.0 is not a readable release' });
  });

  it('fails at connect when the pinned host key is not the host’s', async () => {
    const [entry] = hostsFor(fleet, 'wrong-key');
    if (entry === undefined) throw new Error('a host expected');
    const [, other] = fleet.hosts;
    const report = await preflight(fleet, [{ ...entry, hostKey: other?.hostKeyFingerprint ?? 'SHA256:x' }]);
    const host = hostReport(report, entry.name);
    expect(host.ok).toBe(false);
    expect(host.checks.connect?.ok).toBe(false);
    expect(Object.keys(host.checks)).toEqual(['connect']);
  });

  it('goes by the HEAD content-length for a pulled package: 5 MiB needs 16 MiB free', async () => {
    const [entry] = hostsFor(fleet, 'pull');
    if (entry === undefined) throw new Error('a host expected');
    const pulled = plan(v1, '1.0.0', { package: { url: `${base}/app.tar.gz`, sha256: v1.sha256 }, transfer: 'pull' });
    const report = await preflight(fleet, [entry], pulled);
    expect(report.packageBytes).toBe(5 * 1024 * 1024);
    const host = hostReport(report, entry.name);
    expect(host.checks.disk?.detail).toMatch(/ MiB free, 16 MiB needed/);
    expect(host.checks.tools?.detail).toMatch(/^all present \(pull with (curl|wget)\)$/);
  });

  it('fails before any host when the package does not match its sha256', async () => {
    const entries = hostsFor(fleet, 'bad-package');
    const report = await preflight(
      fleet,
      entries,
      plan(v1, '1.0.0', { package: { url: v1.url, sha256: '0'.repeat(64) } }),
    );
    expect(report).toMatchObject({ ok: false, hosts: [], packageBytes: null });
    expect(report.packageNote).toContain('sha256');
  });
});
