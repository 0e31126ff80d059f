/**
 * What the server's start loads (`node src/main.ts` until /readyz answers 200), listed by a module hook: on PostgreSQL
 * no PGlite, on the embedded database no postgres.js, and on either no Bolt (Slack not configured), no ssh2 (no host
 * reached yet), no nodemailer (no e-mail sent), no dashboard pages (none opened) and no zod locale but English. The
 * dashboard's route then loads its handler on the first request and answers. No timing is asserted
 * (`npm run bench:start` prints the start's CPU and wall time).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/lib/free-port.ts';
import { createTestPostgres, type TestPostgres } from '../helpers/database.ts';
import { generateAppPrivateKey } from '../helpers/github-app-server.ts';
import { spawnNode, type SpawnedProcess } from '../helpers/spawned-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/main.ts');

let work: string;
let hook: string;
let postgres: TestPostgres;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-server-start-loads-'));
  await copyFile(join(ROOT, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(ROOT, 'package.json'), join(work, 'package.json'));
  hook = join(work, 'list-modules.mjs');
  // Every loaded URL; written to the file named by LOADED_FILE on SIGUSR2 (the server keeps running).
  await writeFile(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const urls = [];',
      'registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });',
      "process.on('SIGUSR2', () => writeFileSync(process.env.LOADED_FILE, urls.join('\\n')));",
      '',
    ].join('\n'),
  );
  postgres = await createTestPostgres();
});

afterAll(async () => {
  await postgres?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function statusOf(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** The URLs the server has loaded so far. */
async function loadedNow(server: SpawnedProcess, file: string): Promise<string[]> {
  await rm(file, { force: true });
  server.child.kill('SIGUSR2');
  await until(() => Promise.resolve(existsSync(file)), 'the module list');
  // The hook writes it in one call; a partly written file would miss the last URLs only, never add any.
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
}

function packagesOf(urls: readonly string[]): Set<string> {
  return new Set(
    urls
      .filter((url) => url.includes('/node_modules/'))
      .map((url) => {
        const parts = (url.split('/node_modules/').pop() ?? '').split('/');
        return (parts[0] ?? '').startsWith('@') ? `${parts[0] ?? ''}/${parts[1] ?? ''}` : (parts[0] ?? '');
      }),
  );
}

describe.each(['postgres', 'pglite'] as const)('node src/main.ts on %s, until /readyz is 200', (backend) => {
  it('loads only its own database driver, and no Bolt, ssh2, nodemailer, dashboard page or zod locale but English', {
    timeout: 120_000,
  }, async () => {
    const [port] = await freePorts(1);
    const file = join(work, `loaded-${backend}.txt`);
    const database: Record<string, string> =
      backend === 'postgres' ? { DATABASE_URL: postgres.url } : { YARDMASTER_DATA_DIR: join(work, 'pglite') };
    const server = spawnNode(
      ['--import', hook, MAIN],
      {
        ...database,
        HOME: work,
        LOADED_FILE: file,
        APP_ID: '123',
        PRIVATE_KEY: generateAppPrivateKey(),
        WEBHOOK_SECRET: `loads-${backend}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        // Nothing answers here: the start must not need GitHub.
        GITHUB_API_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: 'warn',
        YARDMASTER_WORKERS: '1',
        YARDMASTER_CACHE_DIR: join(work, `cache-${backend}`),
      },
      work,
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      await until(async () => (await statusOf(`${base}/readyz`)) === 200, '/readyz 200', 90_000);
      const urls = await loadedNow(server, file);
      const packages = packagesOf(urls);

      // The list is real: the chosen driver and the queue are in it.
      expect(packages).toContain('pg-boss');
      expect(packages).toContain(backend === 'postgres' ? 'postgres' : '@electric-sql/pglite');
      expect(packages).not.toContain(backend === 'postgres' ? '@electric-sql/pglite' : 'postgres');
      const otherDriver = backend === 'postgres' ? '/drizzle-orm/pglite/' : '/drizzle-orm/postgres-js/';
      expect(urls.filter((url) => url.includes(otherDriver))).toEqual([]);
      for (const name of ['@slack/bolt', '@slack/web-api', 'ssh2', 'nodemailer'])
        expect(packages, name).not.toContain(name);
      expect(urls.filter((url) => url.includes('/src/web/pages/') || url.endsWith('/dashboard-handler.ts'))).toEqual(
        [],
      );
      expect(urls.filter((url) => url.includes('/zod/v4/locales/')).map((url) => url.split('/').pop())).toEqual([
        'en.js',
      ]);

      // The dashboard's route loads its handler on the first request (without sign-in settings: how to set it up).
      const dashboard = await fetch(`${base}/dashboard/`);
      expect([dashboard.status, await dashboard.text()]).toEqual([503, expect.stringContaining('GITHUB_CLIENT_ID')]);
      expect((await loadedNow(server, file)).some((url) => url.endsWith('/src/web/dashboard-handler.ts'))).toBe(true);

      server.child.kill('SIGTERM');
      expect(await server.exited(30_000)).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
