/**
 * Finding 7, durations: Node's setTimeout turns any delay above 2^31-1 ms (24.8 days) into 1 ms. A plan with
 * `command_timeout: 720h` made every command time out at once, and `pause: 600h` made the pause between batches
 * vanish. Now every duration from a plan is capped at 24h, and the bot's plan reply names each field and its line
 * (signed example payloads through the real App and work-order service); and the timers under the engine (a
 * command's timeout, the engine's sleep) never hand setTimeout more than it can take, whatever they are given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { sleep } from '../../src/deploy/sleep.ts';
import { localExec } from '../../src/executors/local-exec.ts';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import {
  commentsMatching,
  formBody,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const THIRTY_DAYS_MS = 30 * 24 * 3_600_000;
const HOSTS: HostEntry[] = [{ name: 'web-1', address: '127.0.0.1', port: 22, executor: 'ssh' }];
const SHA256 = 'a'.repeat(64);

let work: string;
let harness: Harness;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-durations-'));
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 1, approvers: [team:ops] }'),
    workDir: work,
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('finding 7: durations past what a timer can hold', () => {
  it('refuses a plan with command_timeout: 720h and pause: 600h, naming each field and its line', async () => {
    const opened = await send(
      harness,
      'issues',
      issueOpened(
        70,
        'pam',
        formBody({ requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    expect(opened.status).toBeLessThan(300);
    await commentsMatching(harness, 70, /Work order received/);
    const plan = planComment({
      environment: 'production',
      version: '1.0.0',
      url: 'https://artifacts.example.com/shop-1.0.0.tar.gz',
      sha256: SHA256,
      more: 'strategy: { mode: batches, batch_size: 1, pause: 600h }\ncommand_timeout: 720h',
    });
    const posted = await send(harness, 'issue_comment', issueComment(70, 7001, 'carol', plan));
    expect(posted.status).toBeLessThan(300);
    const [reply] = await commentsMatching(harness, 70, /command_timeout/);
    expect(reply).toMatch(/line \d+, column \d+, strategy\.pause: expected a duration of at most 24h \(got 600h\)/);
    expect(reply).toMatch(/line \d+, column \d+, command_timeout: expected a duration of at most 24h \(got 720h\)/);
    const order = await waitFor('the order', () =>
      findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 70 }),
    );
    expect(order.state).toBe('requested');
  });

  it('does not time a command out at once when its timeout is longer than setTimeout can hold', async () => {
    const result = await localExec('sleep 0.2; echo done', { timeoutMs: THIRTY_DAYS_MS });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
  });

  it('does not end a 30-day pause at once: only the abort ends it', async () => {
    const controller = new AbortController();
    const ended = sleep(THIRTY_DAYS_MS, controller.signal);
    // A pause that ends by itself resolves true; one ended by the abort, false.
    const marker = sleep(300, new AbortController().signal).then(() => 'still pausing' as const);
    expect(await Promise.race([ended.then((slept) => (slept ? 'ended by itself' : 'aborted')), marker])).toBe(
      'still pausing',
    );
    controller.abort();
    expect(await ended).toBe(false);
  });
});
