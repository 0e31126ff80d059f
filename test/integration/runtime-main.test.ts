/**
 * `node src/main.ts` as a real process on each database: the embedded PGlite (a temporary data directory, no
 * DATABASE_URL) and PostgreSQL (a fresh database). Health, readiness (migrations applied), a signed delivery handled
 * through the fake GitHub API, a forged one refused, and a clean exit 0 on SIGTERM.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/lib/free-port.ts';
import { createTestPostgres, type TestPostgres } from '../helpers/database.ts';
import { generateAppPrivateKey } from '../helpers/github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import { deliver, examplePayload } from '../helpers/github-webhooks.ts';
import { spawnNode } from '../helpers/spawned-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/main.ts');
const TOKENS = 'POST /app/installations/{installation_id}/access_tokens';

let fake: FakeGitHubApi;
let work: string;
let postgres: TestPostgres;

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  work = await mkdtemp(join(tmpdir(), 'ym-runtime-main-'));
  await copyFile(join(ROOT, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(ROOT, 'package.json'), join(work, 'package.json'));
  postgres = await createTestPostgres();
});

afterAll(async () => {
  await fake?.close();
  await postgres?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(['pglite', 'postgres'] as const)('node src/main.ts on %s', (backend) => {
  it('serves health and readiness, handles a signed delivery, refuses a forged one, stops on SIGTERM with 0', {
    timeout: 90_000,
  }, async () => {
    const secret = `runtime-${backend}`;
    const database: Record<string, string> =
      backend === 'postgres'
        ? { DATABASE_URL: postgres.url }
        : { YARDMASTER_DATA_DIR: join(work, 'pglite'), HOME: work };
    const main = spawnNode(
      [MAIN],
      {
        ...database,
        APP_ID: '123',
        PRIVATE_KEY: generateAppPrivateKey(),
        WEBHOOK_SECRET: secret,
        PORT: '0',
        HOST: '127.0.0.1',
        GITHUB_API_URL: fake.baseUrl,
        LOG_LEVEL: 'info',
        YARDMASTER_WORKERS: '1',
        YARDMASTER_CACHE_DIR: join(work, `cache-${backend}`),
      },
      work,
    );
    try {
      // A new embedded database is created and migrated first (see github-main.test.ts).
      const line = await main.waitForLine((text) => text.includes('"msg":"listening"'), 45_000);
      const url = `http://127.0.0.1:${Number(/"port":(\d+)/.exec(line)?.[1])}`;
      expect(main.output()).toContain(
        backend === 'postgres' ? '"database":"postgres"' : `"database":"pglite:${join(work, 'pglite')}"`,
      );
      expect(main.output()).toContain('"msg":"release worker started"');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);

      const installation = backend === 'postgres' ? 801 : 802;
      const payload = examplePayload('issues', 'labeled', {
        issue: { number: 401 },
        label: { name: 'work-order' },
        installation: { id: installation, node_id: 'x' },
      });
      expect(
        (await deliver({ url }, { event: 'issues', payload, secret: 'not-the-secret' })).status,
      ).toBeGreaterThanOrEqual(400);
      expect(
        fake.requestsTo(TOKENS).filter((request) => request.pathParams.installation_id === String(installation)),
      ).toEqual([]);
      expect((await deliver({ url }, { event: 'issues', payload, secret })).status).toBe(200);
      // The handler reached GitHub as the installation.
      await fake.waitForRequests(TOKENS, {
        where: (request) => request.pathParams.installation_id === String(installation),
        timeoutMs: 10_000,
      });

      main.child.kill('SIGTERM');
      expect(await main.exited()).toBe(0);
      expect(main.output()).toContain('"msg":"stopped"');
    } finally {
      main.child.kill('SIGKILL');
    }
  });
});

describe('node src/main.ts without APP_ID', () => {
  it('serves the setup flow offline (NO_SMEE_SETUP), opens no database, stops on SIGTERM with 0', async () => {
    const [port] = await freePorts(1);
    const dataDir = join(work, 'setup-pglite');
    const main = spawnNode(
      [MAIN],
      { PORT: String(port), HOST: '127.0.0.1', NO_SMEE_SETUP: 'true', YARDMASTER_DATA_DIR: dataDir, HOME: work },
      work,
    );
    try {
      await main.waitForLine((text) => text.includes('Listening on'));
      expect((await fetch(`http://127.0.0.1:${port}/probot`)).status).toBe(200);
      expect(existsSync(dataDir)).toBe(false);
      main.child.kill('SIGTERM');
      expect(await main.exited()).toBe(0);
    } finally {
      main.child.kill('SIGKILL');
    }
  });
});

describe('node src/main.ts with a bad setting', () => {
  it('refuses YARDMASTER_WORKERS that is not a count with exit code 2', async () => {
    const main = spawnNode(
      [MAIN],
      { APP_ID: '123', PRIVATE_KEY: 'x', WEBHOOK_SECRET: 's', YARDMASTER_WORKERS: 'many', HOME: work },
      work,
    );
    expect(await main.exited()).toBe(2);
    expect(main.output()).toContain('YARDMASTER_WORKERS');
  });
});
