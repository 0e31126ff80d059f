/**
 * What bench:webhooks and bench:servers share: the repository config the fake GitHub serves, the plan comments
 * they send, the work orders those comments go to, and how their child processes are read and stopped.
 */
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseRepoConfig } from '../src/config/parse-config.ts';
import type { Database } from '../src/db/types.ts';
import { openWorkOrder } from '../src/workorders/service/index.ts';
import { examplePayload } from '../test/helpers/github-webhooks.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';

export const BENCH_REPO = 'Codertocat/Hello-World';

export const BENCH_CONFIG_YAML = [
  'apps:',
  '  shop:',
  '    deploy_to: /srv/shop',
  '    environments:',
  '      production: { hosts: [web], approvals: 2, approvers: [dave, erin] }',
  'hosts:',
  '  web: [{ name: web-1, address: 10.0.0.1 }, { name: web-2, address: 10.0.0.2 }]',
  'roles:',
  '  project_manager: [pam]',
  '  developer: [carol]',
  '  ops: [dave, erin]',
  '  deployer: [dave]',
  '  acceptor: [pam]',
  '',
].join('\n');

/** A plan comment on order `(index % orders) + 1`, a version of its own, by the developer carol. */
export function planDelivery(index: number, orders: number): { event: string; body: string } {
  const number = (index % orders) + 1;
  const body = [
    '```yaml',
    'app: shop',
    'environment: production',
    `version: 1.0.${index}`,
    'package:',
    `  url: https://artifacts.example.com/shop-1.0.${index}.tar.gz`,
    `  sha256: ${'a'.repeat(64)}`,
    '```',
  ].join('\n');
  const payload = examplePayload('issue_comment', 'created', {
    issue: { number, title: `Release ${number}`, pull_request: undefined },
    comment: { id: 1_000_000 + index, body, user: { login: 'carol', type: 'User' } },
    sender: { login: 'carol', type: 'User' },
    installation: { id: 4242, node_id: 'bench' },
  });
  return { event: 'issue_comment', body: JSON.stringify(payload) };
}

/** Work orders 1…`orders` of the bench repository, opened by pam. */
export async function openBenchOrders(database: Database, orders: number): Promise<void> {
  const parsed = parseRepoConfig(BENCH_CONFIG_YAML);
  if (!parsed.ok) throw new Error('bench config invalid');
  const context = { config: parsed.value, org: 'Codertocat', membership: { isMember: () => Promise.resolve(false) } };
  for (let number = 1; number <= orders; number++) {
    const opened = await openWorkOrder(
      { db: database.db },
      {
        repoFullName: BENCH_REPO,
        installationId: 4242,
        number,
        kind: 'issue',
        title: `Release ${number}`,
        requester: 'pam',
      },
      context,
    );
    if (!opened.ok) throw new Error(opened.message);
  }
}

/** The port a child announced: a server's "listening" log line, or a helper's `{"port":…}`. */
export async function listeningPort(child: SpawnedProcess): Promise<number> {
  const line = await child.waitForLine(
    (text) => text.includes('"msg":"listening"') || text.startsWith('{"port"'),
    60_000,
  );
  return Number(/"port":(\d+)/.exec(line)?.[1]);
}

/** SIGTERM, then SIGKILL if it has not exited within 15 s. */
export async function stopChild(child: SpawnedProcess): Promise<void> {
  if (child.child.exitCode !== null) return;
  child.child.kill('SIGTERM');
  await child.exited(15_000).catch(() => child.child.kill('SIGKILL'));
}

/** A fresh RSA key for the App the servers run as (the fake GitHub does not check its signatures). */
export function benchAppKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}

/** The fake GitHub (bench/webhooks-fake-github.ts) serving the bench config, run from `work`; its process and URL. */
export async function startBenchGithub(work: string): Promise<{ child: SpawnedProcess; url: string }> {
  const child = spawnNode(
    [fileURLToPath(new URL('webhooks-fake-github.ts', import.meta.url))],
    { BENCH_REPO_CONFIG: Buffer.from(BENCH_CONFIG_YAML).toString('base64') },
    work,
  );
  return { child, url: `http://127.0.0.1:${await listeningPort(child)}` };
}
