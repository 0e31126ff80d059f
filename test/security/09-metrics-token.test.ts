/**
 * Finding 9 (metrics): `/metrics` answered anyone who could reach the server. With YARDMASTER_METRICS_TOKEN set,
 * the real server process (`node src/main.ts`) answers 401 to a scrape without `Authorization: Bearer <token>`.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAppPrivateKey } from '../helpers/github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import { spawnNode } from '../helpers/spawned-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'metrics-scrape-token-0123456789abcdef';
let fake: FakeGitHubApi;
let work: string;

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  work = await mkdtemp(join(tmpdir(), 'ym-sec09-metrics-'));
  await copyFile(join(ROOT, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(ROOT, 'package.json'), join(work, 'package.json'));
});

afterAll(async () => {
  await fake?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('finding 9: /metrics behind a bearer token', () => {
  it('answers 401 without the token, and the metrics with it', { timeout: 120_000 }, async () => {
    const main = spawnNode(
      [join(ROOT, 'src/main.ts')],
      {
        APP_ID: '123',
        PRIVATE_KEY: generateAppPrivateKey(),
        WEBHOOK_SECRET: 'metrics-test-secret',
        PORT: '0',
        HOST: '127.0.0.1',
        GITHUB_API_URL: fake.baseUrl,
        LOG_LEVEL: 'info',
        YARDMASTER_DATA_DIR: join(work, 'data'),
        YARDMASTER_METRICS_TOKEN: TOKEN,
      },
      work,
    );
    try {
      // Generous: the embedded database starts slowly on a busy machine.
      const line = await main.waitForLine((text) => text.includes('"msg":"listening"'), 90_000);
      const url = `http://127.0.0.1:${Number(/"port":(\d+)/.exec(line)?.[1])}/metrics`;
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="yardmaster-metrics"');
      expect(await anonymous.text()).not.toContain('yardmaster_');
      expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
      expect(
        (await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } }))
          .status,
      ).toBe(401);
      const scraped = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('yardmaster_process_cpu_user_seconds_total');
      expect(main.output()).not.toContain(TOKEN);
      expect(line).toContain('"metrics":"bearer token"');
      // The same start keys the audit chain with the data directory's key file and logs the chain's head.
      expect(main.output()).toContain("audit chain keyed with the data directory's key file");
      expect(await main.waitForLine((text) => text.includes('"msg":"audit head"'))).toMatch(
        /"auditHead":"(empty|\d+:[0-9a-f]{64})"/,
      );
      main.child.kill('SIGTERM');
      expect(await main.exited()).toBe(0);
    } finally {
      main.child.kill('SIGKILL');
    }
  });
});
