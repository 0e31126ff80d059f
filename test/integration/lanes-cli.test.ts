/**
 * `yardmaster lanes` in-process against real PostgreSQL: `serve` runs the router and the API; `baseline` starts
 * versions from the catalog as real processes; `up` resolves a task and prints its table; a request goes down the
 * lane's chain; `edit` changes an instance's metadata, `replace` switches the lane to a new build, `remove` refuses
 * a version a lane uses; `list`, `down` (reclaiming) and `remove` do what they say; `serve --data-plane nginx` and
 * `--data-plane haproxy` carry the traffic through Debian's nginx and HAProxy; `haproxy-config` prints a config an
 * HAProxy loads, which `serve --haproxy-socket` then drives.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { runCli } from '../../src/cli/run-cli.ts';
import { HAPROXY_BINARY } from '../../src/lanes/haproxy-process.ts';
import { freePorts } from '../../src/lib/free-port.ts';
import { captureIo } from '../helpers/cli-capture.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { echoedOf, sendThrough, startEchoInstance } from '../helpers/lane-echo.ts';
import { chainBecomes } from '../helpers/lane-requests.ts';

const SERVICE = fileURLToPath(new URL('../fixtures/lane-service.ts', import.meta.url));
let test: TestDatabase;
let work: string;
let env: Record<string, string>;
let routerUrl: string;
const stopServe = new AbortController();
let serving: Promise<number> | undefined;

async function lanes(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = captureIo(work, env);
  const code = await runCli(['lanes', ...args], run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  work = await mkdtemp(join(tmpdir(), 'ym-lanes-cli-'));
  await writeFile(
    join(work, 'catalog.yml'),
    [
      'services:',
      `  A: { start: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVICE)}], env: { NEXT: B } }`,
      `  B: { start: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVICE)}] }`,
      '',
    ].join('\n'),
  );
  await writeFile(join(work, 'task.yml'), 'lane: cli-lane\nservices: { A: baseline, B: "1" }\ncalls: [A->B]\n');
  env = {
    DATABASE_URL: test.url ?? '',
    YARDMASTER_LANES_TOKEN: 'cli-test-token-0123456789',
    USER: 'tester',
    YARDMASTER_AUDIT_KEY: 'lanes-cli-test-audit-key-0123456789abcdef',
  };
  const run = captureIo(work, env, stopServe.signal);
  // As docs/lanes.md has it: `serve` is given the catalog; the other commands find it through the running server.
  serving = runCli(['lanes', 'serve', '--catalog', 'catalog.yml', '--port', '0', '--api-port', '0'], run.io);
  const deadline = Date.now() + 20_000;
  while (!run.stdout().includes('lanes serving')) {
    if (Date.now() > deadline) throw new Error(`lanes serve did not start: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  routerUrl = (JSON.parse(run.stdout()) as { router: string }).router;
  // The versions the other commands start call each other through this router.
  env = { ...env, YARDMASTER_LANES_ROUTER_URL: routerUrl };
}, 60_000);

afterAll(async () => {
  stopServe.abort();
  await serving;
  await test?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('yardmaster lanes', () => {
  it('starts a baseline, brings a task up, routes it, lists, ends it and removes the baseline', async () => {
    expect((await lanes('baseline', 'A', '0')).stdout).toMatch(/^A@0 is the baseline at http:\/\/127\.0\.0\.1:\d+\n$/);
    expect((await lanes('baseline', 'B', '0')).code).toBe(0);

    const up = await lanes('up', 'task.yml');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(
      /^lane cli-lane \(fallback\) ready: deployed 1, reused 0, baseline 1; a full copy per task would deploy 2\n/,
    );
    expect(up.stdout).toMatch(/\nB\s+1\s+1\s+deployed\s+http:\/\/127\.0\.0\.1:\d+\n/);

    expect(await chainBecomes(routerUrl, 'cli-lane', ['A@0', 'B@1'])).toEqual(['A@0', 'B@1']);
    expect(await chainBecomes(routerUrl, undefined, ['A@0', 'B@0'])).toEqual(['A@0', 'B@0']);

    const list = await lanes('list');
    expect(list.stdout).toContain('B@1  up  ');
    expect(list.stdout).toContain('lanes: cli-lane');
    expect(list.stdout).toMatch(/lane cli-lane \(fallback, until .*\): B@1/);

    // Metadata, a version in use refused removal, and a new build switched to.
    const edit = await lanes(
      'edit',
      'B',
      '1',
      '--owner',
      'team-pay',
      '--label',
      'ticket=PAY-9',
      '--description',
      'new tax',
    );
    expect(edit).toEqual({ code: 0, stdout: 'B@1: description, owner, labels changed\n', stderr: '' });
    expect(await lanes('remove', 'B', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'B@1 is in use by lanes cli-lane: end them first (lanes down <lane>)\n',
    });
    const digest = 'd'.repeat(64);
    const replaced = await lanes('replace', 'B', '1', '--digest', digest, '--drain-ms', '100');
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(
      new RegExp(
        `^B@1: build \\(none\\) → ${digest} at http://127\\.0\\.0\\.1:\\d+; lanes moved: cli-lane; old build stopped\n$`,
      ),
    );
    expect(await chainBecomes(routerUrl, 'cli-lane', ['A@0', 'B@1+dddddddd'])).toEqual(['A@0', 'B@1+dddddddd']);
    expect((await lanes('list')).stdout).toMatch(
      /\nB@1 build dddddddddddd {2}up {2}http:\S+ {2}lanes: cli-lane {2}owner: team-pay {2}labels: ticket=PAY-9 {2}— new tax\n/,
    );
    expect((await lanes('replace', 'B', '1', '--digest', digest)).stderr).toBe(`B@1 already runs build ${digest}\n`);
    // A package url is for ssh services: a local process has no package to take from it, and nothing switches.
    const withUrl = await lanes('replace', 'B', '1', '--digest', 'f'.repeat(64), '--url', 'file:///tmp/b.tar.gz');
    expect(withUrl.code).toBe(1);
    expect(withUrl.stderr).toContain("B runs as a local process: a build's package url applies to ssh services only");
    expect(await chainBecomes(routerUrl, 'cli-lane', ['A@0', 'B@1+dddddddd'])).toEqual(['A@0', 'B@1+dddddddd']);

    expect((await lanes('down', 'cli-lane')).stdout).toBe('lane cli-lane ended; reclaimed: B@1\n');
    expect((await lanes('down', 'cli-lane')).code).toBe(1);
    expect((await lanes('list')).stdout).toMatch(/^A@0 .*\nB@0 .*\nno lanes\n$/);
    expect((await lanes('remove', 'A', '0')).stdout).toBe('A@0 removed\n');
    expect((await lanes('remove', 'B', '0')).code).toBe(0);
    expect(JSON.parse((await lanes('list', '--json')).stdout)).toEqual({ instances: [], lanes: [] });
    expect((await lanes('list')).stdout).toBe('no lanes, no instances\n');
  });

  it('says what is wrong with its input', async () => {
    await writeFile(join(work, 'bad.yml'), 'services: { A: "x/y" }\n');
    const bad = await lanes('up', 'bad.yml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yml has problems:\n.*line 1.*services\.A/);
    expect((await lanes('frobnicate')).code).toBe(2);
    const dots = await lanes('add', 'B', '..', 'http://127.0.0.1:9');
    expect({ code: dots.code, stderr: dots.stderr }).toEqual({
      code: 2,
      stderr: 'version ..: a version cannot be "." or ".."\n',
    });
    expect((await lanes('baseline', 'B', '.')).code).toBe(2);
    const wrong: [string[], RegExp][] = [
      [['edit', 'B', '1'], /^lanes edit: \(edit\): nothing to change/],
      [['edit', 'B', '1', '--label', 'nokey'], /^lanes edit --label nokey: expected key=value/],
      [['edit', 'B', '1', '--label=-x=1'], /^lanes edit: labels: a label key is/],
      [['edit', 'B', '1', '--baseline', '--no-baseline'], /--baseline or --no-baseline, not both/],
      [['edit', 'B', '1', '--owner', 'x'.repeat(101)], /owner is limited to 100 characters/],
      [['replace', 'B', '1'], /needs --digest/],
      [
        ['replace', 'B', '1', '--digest', 'e'.repeat(64), '--drain-ms', 'soon'],
        /--drain-ms: expected whole milliseconds/,
      ],
      [['replace', 'B', '..', '--digest', 'e'.repeat(64)], /version \.\.:/],
    ];
    for (const [args, message] of wrong) {
      const answer = await lanes(...args);
      expect([args, answer.code]).toEqual([args, 2]);
      expect(answer.stderr).toMatch(message);
    }
    expect((await lanes('edit', 'B', '404', '--owner', 'x')).stderr).toBe('no instance B@404\n');
    const noDb = captureIo(work, {});
    expect(await runCli(['lanes', 'list'], noDb.io)).toBe(2);
    expect(noDb.stderr()).toMatch(/needs DATABASE_URL/);
  });
});

/** The directories `lanes serve --data-plane <engine>` made under the temporary directory. */
async function engineDirs(engine = 'nginx'): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith(`yardmaster-${engine}-`));
}

/** Runs `lanes serve` with `args` until `stop` aborts; resolves with its router's URL once it serves. */
async function serveWith(
  args: string[],
  stop: AbortSignal,
): Promise<{ router: string; served: Promise<number>; stderr: () => string }> {
  const run = captureIo(work, env, stop);
  const served = runCli(['lanes', 'serve', ...args, '--api-port', '0'], run.io);
  const deadline = Date.now() + 20_000;
  while (!run.stdout().includes('lanes serving')) {
    if (Date.now() > deadline) throw new Error(`lanes serve did not start: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { router: (JSON.parse(run.stdout()) as { router: string }).router, served, stderr: run.stderr };
}

describe('yardmaster lanes serve --data-plane', () => {
  it('refuses an engine it does not know', async () => {
    const bogus = await lanes('serve', '--data-plane', 'envoy', '--port', '0', '--api-port', '0');
    expect({ code: bogus.code, stderr: bogus.stderr }).toEqual({
      code: 2,
      stderr: 'lanes serve --data-plane: expected node, haproxy, nginx, not envoy\n',
    });
  });

  it.skipIf(!existsSync('/usr/sbin/nginx'))(
    'nginx: routes through Debian nginx, and removes its directory when it stops',
    async () => {
      const instance = await startEchoInstance('cli-nginx');
      const stop = new AbortController();
      const run = captureIo(work, env, stop.signal);
      const before = await engineDirs();
      const served = runCli(['lanes', 'serve', '--data-plane', 'nginx', '--port', '0', '--api-port', '0'], run.io);
      try {
        const deadline = Date.now() + 20_000;
        while (!run.stdout().includes('lanes serving')) {
          if (Date.now() > deadline) throw new Error(`lanes serve did not start: ${run.stderr()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const router = (JSON.parse(run.stdout()) as { router: string }).router;
        expect((await engineDirs()).length).toBe(before.length + 1);
        expect((await lanes('add', 'E', '1', `http://127.0.0.1:${instance.port}`, '--baseline')).code).toBe(0);
        const answer = await waitForRoute(router, '/E/hello');
        expect(answer.headers.server).toMatch(/^nginx/);
        // Service names are matched case-insensitively (the route table keeps them lowercased), on every engine.
        expect(answer.headers['x-yardmaster-route']).toBe('e@1 (baseline)');
        expect(echoedOf(answer)).toMatchObject({ instance: 'cli-nginx', path: '/hello' });
      } finally {
        stop.abort();
        expect(await served).toBe(0);
        await lanes('remove', 'E', '1');
        await instance.close();
      }
      expect(await engineDirs()).toEqual(before);
    },
  );
});

describe.skipIf(!existsSync(HAPROXY_BINARY))('yardmaster lanes serve --data-plane haproxy', () => {
  it('routes through Debian HAProxy run from its own directory, removed when it stops', async () => {
    const instance = await startEchoInstance('cli-haproxy');
    const stop = new AbortController();
    const before = await engineDirs('haproxy');
    const serving = await serveWith(['--data-plane', 'haproxy', '--port', '0'], stop.signal);
    try {
      expect((await engineDirs('haproxy')).length).toBe(before.length + 1);
      expect((await lanes('add', 'H', '1', `http://127.0.0.1:${instance.port}`, '--baseline')).code).toBe(0);
      const answer = await waitForRoute(serving.router, '/H/hello');
      expect(answer.headers['x-yardmaster-route']).toBe('h@1 (baseline)');
      expect(echoedOf(answer)).toMatchObject({ instance: 'cli-haproxy', path: '/hello' });
    } finally {
      stop.abort();
      expect(await serving.served).toBe(0);
      await lanes('remove', 'H', '1');
      await instance.close();
    }
    expect(await engineDirs('haproxy')).toEqual(before);
  });

  it('prints a config for an operator-run HAProxy, and serve --haproxy-socket drives that HAProxy', async () => {
    const instance = await startEchoInstance('cli-attached');
    const dir = await mkdtemp(join(tmpdir(), 'ym-haproxy-cli-'));
    const [listen = 0] = await freePorts(1);
    const socket = join(dir, 'admin.sock');
    const printed = await lanes(
      'haproxy-config',
      '--port',
      String(listen),
      '--haproxy-socket',
      socket,
      '--map-dir',
      dir,
    );
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`stats socket ${socket} mode 600 level admin`);
    expect((await lanes('haproxy-config', '--haproxy-socket', 'a b')).code).toBe(2);
    await writeFile(join(dir, 'haproxy.cfg'), printed.stdout);
    await writeFile(join(dir, 'yardmaster-lanes.map'), '');
    await writeFile(join(dir, 'yardmaster-baseline.map'), '');
    const haproxy = spawn(HAPROXY_BINARY, ['-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
    const exited = new Promise((resolve) => haproxy.once('exit', resolve));
    const stop = new AbortController();
    try {
      await waitForFile(socket);
      const serving = await serveWith(
        ['--data-plane', 'haproxy', '--haproxy-socket', socket, '--port', String(listen)],
        stop.signal,
      );
      expect(serving.router).toBe(`http://127.0.0.1:${listen}`);
      expect((await lanes('add', 'K', '1', `http://127.0.0.1:${instance.port}`, '--baseline')).code).toBe(0);
      const answer = await waitForRoute(serving.router, '/K/x');
      expect(answer.headers['x-yardmaster-route']).toBe('k@1 (baseline)');
      stop.abort();
      expect(await serving.served).toBe(0);
      // The operator's HAProxy keeps running, with the routes it was given.
      expect((await sendThrough(serving.router, '/K/x')).headers['x-yardmaster-route']).toBe('k@1 (baseline)');
    } finally {
      stop.abort();
      haproxy.kill('SIGTERM');
      await exited;
      await lanes('remove', 'K', '1');
      await instance.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asks until the route table with the new instance is in force (the watcher applies it within moments). */
async function waitForRoute(router: string, path: string): Promise<Awaited<ReturnType<typeof sendThrough>>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await sendThrough(router, path);
    if (answer.status === 200 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
