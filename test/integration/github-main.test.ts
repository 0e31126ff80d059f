/**
 * `node src/main.ts` as a real process: environment validation, the App server (health, a signed delivery all the
 * way to the fake GitHub API, SIGTERM), and Probot's setup flow when there is no APP_ID.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/lib/free-port.ts';
import { generateAppPrivateKey } from '../helpers/github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import { deliver, examplePayload } from '../helpers/github-webhooks.ts';
import { spawnNode, type SpawnedProcess } from '../helpers/spawned-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/main.ts');

/** The server as a real process; defaults as in the runtime tests (generous bounds for a busy machine). */
function startMain(env: Record<string, string>, cwd: string): SpawnedProcess {
  return spawnNode([MAIN], env, cwd);
}

async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free port');
  return port;
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

  it('serves the App: health, a signed delivery answered through GitHub, a clean stop on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const secret = 'main-test-secret';
    const main = startMain(
      {
        APP_ID: '123',
        PRIVATE_KEY: generateAppPrivateKey(),
        WEBHOOK_SECRET: secret,
        PORT: '0',
        HOST: '127.0.0.1',
        GITHUB_API_URL: fake.baseUrl,
        LOG_LEVEL: 'info',
        YARDMASTER_DATA_DIR: join(work, 'data'),
        GITHUB_CLIENT_ID: 'Iv23main',
        GITHUB_CLIENT_SECRET: 'main-client-secret',
      },
      work,
    );
    try {
      // A first start on a new embedded database creates it and applies every migration: ~10 s of CPU here, far
      // more in wall-clock time while other test files share the two cores.
      const line = await main.waitForLine((text) => text.includes('"msg":"listening"'), 45_000);
      const port = Number(/"port":(\d+)/.exec(line)?.[1]);
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const payload = examplePayload('issues', 'labeled', {
        issue: { number: 301 },
        label: { name: 'work-order' },
        installation: { id: 77, node_id: 'x' },
      });
      expect((await deliver({ url }, { event: 'issues', payload, secret })).status).toBe(200);
      const [comment] = await fake.waitForRequests('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        where: (request) => request.pathParams.issue_number === '301',
      });
      expect(comment?.violations).toEqual([]);
      // Prometheus metrics of the same process: the delivery's answer, the queues (embedded database here).
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/yardmaster_webhook_answer_seconds_count\{event="issues",outcome="queued"\} 1/);
      expect(metrics).toMatch(/yardmaster_queue_jobs\{queue="release\.start",state="queued"\} 0/);
      // The dashboard on the same server: sign in first, with GitHub (the App's OAuth client).
      const orders = await fetch(`${url}/dashboard/orders`, { redirect: 'manual' });
      expect(orders.status).toBe(302);
      expect(orders.headers.get('location')).toBe('/dashboard/login?return_to=%2Fdashboard%2Forders');
      const login = await fetch(`${url}/dashboard/login`, { redirect: 'manual' });
      expect(login.headers.get('location')).toMatch(
        new RegExp(`^${fake.baseUrl}/login/oauth/authorize\\?client_id=Iv23main&`),
      );
      expect((await fetch(`${url}/orders/12`, { redirect: 'manual' })).headers.get('location')).toBe(
        '/dashboard/orders/12',
      );
      main.child.kill('SIGTERM');
      expect(await main.exited()).toBe(0);
      expect(main.output()).toContain('"msg":"stopped"');
    } finally {
      main.child.kill('SIGKILL');
    }
  });

  it("serves Probot's setup flow with the manifest of app.yml when there is no APP_ID", async () => {
    const port = await freePort();
    const main = startMain({ PORT: String(port), HOST: '127.0.0.1', NO_SMEE_SETUP: 'true' }, work);
    try {
      await main.waitForLine((text) => text.includes('Listening on'));
      const page = await fetch(`http://127.0.0.1:${port}/probot`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const manifest: unknown = JSON.parse(
        (/id="manifest" value='([^']*)'/.exec(html)?.[1] ?? '{}').replaceAll('&quot;', '"'),
      );
      expect(manifest).toMatchObject({
        name: 'Yardmaster',
        public: false,
        default_events: ['issues', 'issue_comment', 'pull_request', 'pull_request_review', 'check_run', 'push'],
        default_permissions: {
          issues: 'write',
          pull_requests: 'write',
          checks: 'write',
          deployments: 'write',
          contents: 'read',
          members: 'read',
          metadata: 'read',
        },
        redirect_url: `http://127.0.0.1:${port}/probot/setup`,
      });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toContain('not ready: setup mode: no GitHub App yet');
      for (const path of ['/dashboard', '/dashboard/orders']) {
        const dashboard = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(dashboard.status).toBe(503);
        const text = await dashboard.text();
        expect(text).toContain('setup mode');
        expect(text).toContain('APP_ID');
        expect(text).toContain('yardmaster dashboard');
      }
      expect((await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' })).headers.get('location')).toBe(
        '/probot',
      );
      main.child.kill('SIGTERM');
      expect(await main.exited()).toBe(0);
    } finally {
      main.child.kill('SIGKILL');
    }
  });
});
