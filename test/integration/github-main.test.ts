/**
 * `node src/main.ts` as a real process: environment validation, the App server (health, a signed delivery all the
 * way to the fake GitHub API, SIGTERM), and Probot's setup flow when there is no APP_ID.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAppPrivateKey } from '../helpers/github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import { deliver, examplePayload } from '../helpers/github-webhooks.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/main.ts');

interface MainProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output(): string;
  /** Resolves with the first stdout line `match` accepts; rejects after `timeoutMs` or when the process exits. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (bounded). */
  exited(timeoutMs?: number): Promise<number | null>;
}

function startMain(env: Record<string, string>, cwd: string): MainProcess {
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => `${stdout}${stderr}`,
    waitForLine(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = stdout.split('\n').find(match);
          if (line === undefined) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(line);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching line within ${timeoutMs} ms; output:\n${stdout}${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        void exit.then((code) => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`exited (${String(code)}) before the line; output:\n${stdout}${stderr}`));
        });
        check();
      });
    },
    exited: (timeoutMs = 10_000) =>
      Promise.race([exit, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs).unref())]),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let fake: FakeGitHubApi;
let work: string;

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  // Probot's setup flow reads app.yml and package.json from the working directory and may write .env there.
  work = await mkdtemp(join(tmpdir(), 'ym-main-'));
  await copyFile(join(ROOT, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(ROOT, 'package.json'), join(work, 'package.json'));
});

afterAll(async () => {
  await fake.close();
  await rm(work, { recursive: true, force: true });
});

describe('node src/main.ts', () => {
  it('refuses an incomplete environment with exit code 2 and says what is missing', async () => {
    const main = startMain({ APP_ID: '123', PORT: '0' }, work);
    expect(await main.exited()).toBe(2);
    expect(main.output()).toContain('PRIVATE_KEY or PRIVATE_KEY_PATH: required when APP_ID is set');
    expect(main.output()).toContain('WEBHOOK_SECRET: required when APP_ID is set');
  });

  it('serves the App: health, a signed delivery answered through GitHub, a clean stop on SIGTERM', async () => {
    const secret = 'main-test-secret';
    const main = startMain(
      { APP_ID: '123', PRIVATE_KEY: generateAppPrivateKey(), WEBHOOK_SECRET: secret, PORT: '0', HOST: '127.0.0.1', GITHUB_API_URL: fake.baseUrl, LOG_LEVEL: 'info', YARDMASTER_DATA_DIR: join(work, 'data') },
      work,
    );
    try {
      const line = await main.waitForLine((text) => text.includes('"msg":"listening"'));
      const port = Number(/"port":(\d+)/.exec(line)?.[1]);
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const payload = examplePayload('issues', 'labeled', { issue: { number: 301 }, label: { name: 'work-order' }, installation: { id: 77, node_id: 'x' } });
      expect((await deliver({ url }, { event: 'issues', payload, secret })).status).toBe(200);
      const [comment] = await fake.waitForRequests('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { where: (request) => request.pathParams['issue_number'] === '301' });
      expect(comment?.violations).toEqual([]);
      main.child.kill('SIGTERM');
      expect(await main.exited()).toBe(0);
      expect(main.output()).toContain('"msg":"stopped"');
    } finally {
      main.child.kill('SIGKILL');
    }
  });

  it('serves Probot\'s setup flow with the manifest of app.yml when there is no APP_ID', async () => {
    const port = await freePort();
    const main = startMain({ PORT: String(port), HOST: '127.0.0.1', NO_SMEE_SETUP: 'true' }, work);
    try {
      await main.waitForLine((text) => text.includes('Listening on'));
      const page = await fetch(`http://127.0.0.1:${port}/probot`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const manifest: unknown = JSON.parse((/id="manifest" value='([^']*)'/.exec(html)?.[1] ?? '{}').replaceAll('&quot;', '"'));
      expect(manifest).toMatchObject({
        name: 'Yardmaster',
        public: false,
        default_events: ['issues', 'issue_comment', 'pull_request', 'pull_request_review', 'check_run'],
        default_permissions: { issues: 'write', pull_requests: 'write', checks: 'write', deployments: 'write', contents: 'read', members: 'read', metadata: 'read' },
        redirect_url: `http://127.0.0.1:${port}/probot/setup`,
      });
      main.child.kill('SIGTERM');
      expect(await main.exited()).toBe(0);
    } finally {
      main.child.kill('SIGKILL');
    }
  });
});
