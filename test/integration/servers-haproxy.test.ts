/**
 * deploy/haproxy.cfg in front of two real servers on one PostgreSQL database, as deploy/compose.yml runs them: the
 * file's own settings (round robin, `/readyz` checks, redispatch) with the compose file's DNS-discovered slots replaced
 * by the two servers' loopback ports. Deliveries sent through the load balancer reach both servers and are handled
 * once each; when one server is SIGKILLed, every delivery sent after still gets its 200 (the load balancer retries
 * it on the other) and is handled.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/lib/free-port.ts';
import { createTestPostgres, type TestPostgres } from '../helpers/database.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import {
  bodyText,
  formBody,
  issueOpened,
  repoConfigYaml,
  ROUTES,
  serveRepository,
} from '../helpers/github-workorder-harness.ts';
import { deliver } from '../helpers/github-webhooks.ts';
import { serverGroup, type ServerGroup } from '../helpers/server-processes.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'haproxy-secret';

let fake: FakeGitHubApi;
let work: string;
let database: TestPostgres;
let group: ServerGroup | undefined;
let haproxy: ReturnType<typeof spawn> | undefined;
let haproxyOutput = '';

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  serveRepository(fake, {
    yaml: repoConfigYaml(
      [{ name: 'web-1', address: '127.0.0.1', port: 22, user: 'deploy', executor: 'ssh' }],
      'staging: { hosts: [web], approvals: 1 }',
    ),
  });
  work = await mkdtemp(join(tmpdir(), 'ym-haproxy-'));
  await copyFile(join(ROOT, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(ROOT, 'package.json'), join(work, 'package.json'));
  database = await createTestPostgres();
});

afterAll(async () => {
  haproxy?.kill('SIGKILL');
  await group?.kill();
  await fake?.close();
  await database?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** deploy/haproxy.cfg with its frontend on `port` and the two servers in place of the DNS-discovered slots. */
async function haproxyConfig(port: number, servers: readonly string[]): Promise<string> {
  const shipped = await readFile(join(ROOT, 'deploy/haproxy.cfg'), 'utf8');
  const withoutResolvers = shipped.replace(/\nresolvers docker\n(?: {2}.*\n)+/, '\n');
  const config = withoutResolvers
    .replace('bind :3000', `bind 127.0.0.1:${port}`)
    .replace(' resolvers docker init-addr none', '')
    .replace(
      /\n {2}server-template .*\n/,
      `\n${servers.map((url, index) => `  server s${index + 1} ${new URL(url).host}`).join('\n')}\n`,
    );
  expect(config).not.toContain('resolvers');
  expect(config).toContain('option httpchk GET /readyz');
  return config;
}

async function handledCount(): Promise<number> {
  const sql = postgres(database.url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from webhook_deliveries where status = 'handled'`;
    return row?.n ?? 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function receivedReplies(issue: number): number {
  return fake
    .requestsTo(ROUTES.comments)
    .filter((request) => request.pathParams.issue_number === String(issue))
    .filter((request) => bodyText(request).includes('Work order received')).length;
}

describe('deploy/haproxy.cfg before two servers', () => {
  it('spreads deliveries over both, and loses none when one is killed', { timeout: 180_000 }, async () => {
    const servers = serverGroup({ databaseUrl: database.url, githubApiUrl: fake.baseUrl, cwd: work, secret: SECRET });
    group = servers;
    try {
      await Promise.all([servers.start(), servers.start()]);
      const [port] = await freePorts(1);
      if (port === undefined) throw new Error('no free port');
      const configFile = join(work, 'haproxy.cfg');
      await writeFile(
        configFile,
        await haproxyConfig(
          port,
          servers.servers.map((server) => server.url),
        ),
      );
      const child = spawn('/usr/sbin/haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      haproxy = child;
      child.stdout.on('data', (chunk: Buffer) => (haproxyOutput += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (haproxyOutput += chunk.toString()));
      const lb = `http://127.0.0.1:${port}`;
      // HAProxy counts a server up from its start and takes it out after two failed checks (`fall 2`).
      await waitFor('the load balancer answering', async () => {
        const ready = await fetch(`${lb}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
        return ready === 200 ? true : undefined;
      });

      let issue = 3000;
      const send = async (): Promise<number> => {
        const number = issue++;
        const body = formBody({
          requirement: `Ship ${number}`,
          planAuthor: 'carol',
          deployer: 'dave',
          acceptor: 'pam',
        });
        const payload = { ...issueOpened(number, 'pam', body), installation: { id: 9000 + number, node_id: 'x' } };
        return (await deliver({ url: lb }, { event: 'issues', payload, secret: SECRET })).status;
      };
      for (let index = 0; index < 6; index++) expect(await send()).toBe(200);
      // Round robin: each server answered some (HAProxy's log names the server of each request).
      const webhooks = (): string[] =>
        haproxyOutput.split('\n').filter((line) => line.includes('POST /api/github/webhooks'));
      await waitFor('the log lines of the deliveries', () =>
        Promise.resolve(webhooks().length >= 6 ? true : undefined),
      );
      for (const name of ['servers/s1', 'servers/s2'])
        expect(webhooks().filter((line) => line.includes(name)).length, name).toBeGreaterThan(0);
      const [doomed] = servers.servers;
      doomed?.process.child.kill('SIGKILL');
      await doomed?.process.exited();
      // Until the checks mark it down, requests the load balancer sends there are refused and sent to the other.
      for (let index = 0; index < 10; index++) expect(await send()).toBe(200);
      await waitFor('16 deliveries handled', async () => ((await handledCount()) === 16 ? true : undefined), 90_000);
      for (let number = 3000; number < issue; number++) expect(receivedReplies(number), `#${number}`).toBe(1);
    } catch (error) {
      console.log(servers.outputs(), haproxyOutput);
      throw error;
    }
  });
});
