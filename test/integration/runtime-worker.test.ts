/**
 * `yardmaster worker` as real processes: two workers on one PostgreSQL, the repo config from YARDMASTER_CONFIG, the
 * SSH identity from YARDMASTER_SSH_KEY_FILE. An approved order is released to three real sshd hosts by exactly one
 * of them; both stop with exit 0 on SIGTERM. On the embedded database the command refuses to start.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import type { RepoConfig } from '../../src/config/types.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { RELEASE_QUEUES, type ReleaseQueue } from '../../src/dispatch/release-queues.ts';
import { parseCommand } from '../../src/workorders/parse-command.ts';
import {
  getWorkOrder,
  handleCommand,
  openWorkOrder,
  submitPlan,
  type ServiceDeps,
  type WorkOrder,
} from '../../src/workorders/service/index.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { spawnNode, type SpawnedProcess } from '../helpers/spawned-process.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, repoContext, waitFor } from '../helpers/workorder-fixtures.ts';
import { defaultPolicySource } from '../../src/policy/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/yardmaster.js');

let fleet: SshdFleet;
let work: string;
let test: TestDatabase;
let queue: ReleaseQueue;
let deps: ServiceDeps;
let config: RepoConfig;
let pkg: BuiltPackage;
let configPath: string;
const workers: SpawnedProcess[] = [];

/** The repo config as an operator writes it: one app, production on the fleet's three hosts, two ops approvals. */
function configYaml(): string {
  const hosts = fleet
    .hostEntries()
    .map(
      (host) =>
        `    - { name: ${host.name}, address: ${host.address}, port: ${host.port}, host_key: "${host.hostKey ?? ''}", deploy_to: ${host.deployTo ?? ''} }`,
    );
  return [
    'apps:',
    '  shop:',
    '    deploy_to: /srv/shop',
    '    environments:',
    '      production: { hosts: [web], approvals: 2, approvers: ["team:ops"] }',
    'hosts:',
    '  web:',
    ...hosts,
    'roles:',
    '  project_manager: [pam]',
    '  developer: [carol]',
    '  ops: ["team:ops"]',
    '  deployer: ["team:ops"]',
    '  acceptor: [pam]',
    '',
  ].join('\n');
}

function workerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: work,
    LOG_LEVEL: 'info',
    YARDMASTER_CONFIG: configPath,
    YARDMASTER_SSH_KEY_FILE: fleet.privateKeyPath,
    YARDMASTER_SSH_USER: fleet.user,
    YARDMASTER_ARTIFACTS_DIR: work,
    YARDMASTER_CACHE_DIR: join(work, 'cache'),
    YARDMASTER_POLL_SECONDS: '0.5',
    ...extra,
  };
}

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  work = await mkdtemp(join(tmpdir(), 'ym-runtime-worker-'));
  pkg = await buildPackage(join(work, 'pkgs'), '5.0.0');
  configPath = join(work, 'yardmaster.yml');
  await writeFile(configPath, configYaml());
  const parsed = parseRepoConfig(configYaml());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  config = parsed.value;
  test = await openTestDatabase('postgres');
  queue = await openQueue(test.database, { queues: RELEASE_QUEUES });
  deps = { db: test.database.db, queue, policy: defaultPolicySource({ artifactsDir: work }) };
});

afterAll(async () => {
  for (const worker of workers) worker.child.kill('SIGKILL');
  await queue?.stop({ timeoutMs: 5_000 });
  await test?.cleanup();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function command(order: WorkOrder, actor: string, text: string, ref: string) {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(`not a command: ${text}`);
  return handleCommand(
    deps,
    { order, actor, command: parsed.command, source: 'github', sourceRef: ref },
    repoContext(config),
  );
}

describe('yardmaster worker', () => {
  it('refuses the embedded database: separate workers need DATABASE_URL', async () => {
    const worker = spawnNode([CLI, 'worker'], workerEnv(), work);
    expect(await worker.exited()).toBe(2);
    expect(worker.output()).toContain('yardmaster worker needs DATABASE_URL');
  });

  it('refuses to start without a repo config source (no App credentials, no YARDMASTER_CONFIG)', async () => {
    const env = workerEnv({ DATABASE_URL: test.url ?? '' });
    delete env.YARDMASTER_CONFIG;
    const worker = spawnNode([CLI, 'worker'], env, work);
    expect(await worker.exited()).toBe(2);
    expect(worker.output()).toContain('yardmaster worker needs a repo config source');
  });

  it('two workers, one approved order: exactly one releases it; both stop on SIGTERM with 0', async () => {
    const url = test.url ?? '';
    for (const name of ['a', 'b']) {
      const worker = spawnNode(
        [CLI, 'worker'],
        workerEnv({ DATABASE_URL: url, YARDMASTER_CACHE_DIR: join(work, `cache-${name}`) }),
        work,
      );
      workers.push(worker);
    }
    await Promise.all(
      workers.map((worker) => worker.waitForLine((line) => line.includes('"msg":"worker ready"'), 30_000)),
    );

    const context = repoContext(config);
    const opened = await openWorkOrder(
      deps,
      {
        repoFullName: 'acme/shop',
        installationId: 7,
        number: 1,
        kind: 'issue',
        title: 'Release 5.0.0',
        requester: 'pam',
        form: { acceptor: 'pam' },
      },
      context,
    );
    if (!opened.ok) throw new Error(opened.message);
    const plan = await submitPlan(
      deps,
      {
        order: opened.order,
        commentId: 1,
        author: 'carol',
        markdown: planComment({ environment: 'production', version: '5.0.0', url: pkg.url, sha256: pkg.sha256 }),
        commitSha: 'deadbeef',
      },
      context,
    );
    if (!plan.ok) throw new Error(plan.message);
    expect(await command(opened.order, 'dave', '/approve', 'c:2')).toMatchObject({ ok: true });
    expect(await command(opened.order, 'erin', '/approve', 'c:3')).toMatchObject({
      ok: true,
      moved: [{ to: 'approved' }],
    });

    const state = await waitFor('the release to end', async () => {
      const order = await getWorkOrder(deps.db, opened.order.id);
      return order !== undefined && ['succeeded', 'failed', 'aborted'].includes(order.state) ? order.state : undefined;
    });
    expect(state).toBe('succeeded');
    for (const host of fleet.hosts) expect(await liveTarget(host.deployTo)).toBe('releases/5.0.0');

    const ran = workers.filter((worker) =>
      worker
        .output()
        .split('\n')
        .some(
          (line) => line.includes('"msg":"worker: transition"') && line.includes(`"workOrderId":${opened.order.id}`),
        ),
    );
    expect(ran).toHaveLength(1);

    for (const worker of workers) worker.child.kill('SIGTERM');
    for (const worker of workers) {
      expect(await worker.exited()).toBe(0);
      expect(worker.output()).toContain('"msg":"stopped"');
    }
  });
});
