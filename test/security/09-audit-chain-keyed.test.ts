/**
 * Finding 9 (audit chain): a database writer rewrites a row and recomputes the plain sha256 chain after it, or cuts
 * the newest rows off the end. Rows are written by a real command (`yardmaster lanes add`, which audits the lane
 * library) with the server's audit key in its environment; `yardmaster audit verify` must notice both, the second
 * with a head recorded earlier (`--head <id>:<hash>`).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';
import { rawRows } from '../../src/db/raw-rows.ts';
import { canonicalJson } from '../../src/lib/canonical-json.ts';
import { captureIo } from '../helpers/cli-capture.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const AUDIT_KEY = 'red-team-audit-key-0123456789abcdef0123456789';
let test: TestDatabase;
let work: string;
let env: Record<string, string>;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = captureIo(work, env);
  const code = await runCli(args, run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

interface StoredRow {
  id: string;
  at: Date | string;
  actor: string;
  action: string;
  work_order_id: string | null;
  from_state: string | null;
  to_state: string | null;
  reason: string | null;
  data: unknown;
  prev_hash: string;
}

/**
 * What an attacker with write access to the database does: change a row, then recompute the documented plain
 * sha256 chain (prev hash + canonical JSON of the row) from that row to the end, so every link matches again.
 */
async function rewriteWithPlainChain(fromId: number, change: { actor: string }): Promise<void> {
  await test.database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    const rows = rawRows(
      await tx.execute(sql`select * from audit_log where id >= ${fromId} order by id`),
    ) as unknown as StoredRow[];
    const [before] = rawRows(
      await tx.execute(sql`select hash from audit_log where id < ${fromId} order by id desc limit 1`),
    ) as unknown as { hash: string }[];
    let prevHash = before?.hash ?? '0'.repeat(64);
    for (const row of rows) {
      const actor = Number(row.id) === fromId ? change.actor : row.actor;
      const payload = canonicalJson({
        v: 1,
        id: Number(row.id),
        at: new Date(row.at),
        actor,
        action: row.action,
        workOrderId: row.work_order_id === null ? null : Number(row.work_order_id),
        fromState: row.from_state,
        toState: row.to_state,
        reason: row.reason,
        data: row.data,
      });
      const hash = createHash('sha256').update(prevHash).update(payload).digest('hex');
      await tx.execute(
        sql`update audit_log set actor = ${actor}, prev_hash = ${prevHash}, hash = ${hash} where id = ${row.id}`,
      );
      prevHash = hash;
    }
  });
}

async function cutRowsAfter(id: number): Promise<void> {
  await test.database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`delete from audit_log where id > ${id}`);
  });
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  work = await mkdtemp(join(tmpdir(), 'ym-sec09-audit-'));
  env = { DATABASE_URL: test.url ?? '', YARDMASTER_AUDIT_KEY: AUDIT_KEY, USER: 'ops' };
});

afterAll(async () => {
  await test?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('finding 9: the audit chain is keyed and its head can be checked later', () => {
  it('refuses a row rewritten by a database writer who recomputed the plain sha256 chain', async () => {
    for (const version of ['1', '2', '3', '4'])
      expect((await cli('lanes', 'add', 'cart', version, `http://127.0.0.1:${9000 + Number(version)}`)).code).toBe(0);
    const intact = await cli('audit', 'verify');
    expect(intact.stdout).toMatch(/^audit log intact: 4 rows/);
    expect(intact.code).toBe(0);

    await rewriteWithPlainChain(2, { actor: 'cli:mallory' });
    const rewritten = await cli('audit', 'verify');
    expect(rewritten.stdout).toContain('audit log BROKEN at row #2');
    expect(rewritten.code).toBe(1);
  });

  it('detects rows cut off the end with a head recorded before', async () => {
    // A fresh log for this case (the one above is broken on purpose).
    await cutRowsAfter(0);
    for (const version of ['5', '6', '7', '8'])
      expect((await cli('lanes', 'add', 'cart', version, `http://127.0.0.1:${9000 + Number(version)}`)).code).toBe(0);
    const recorded = await cli('audit', 'verify', '--json');
    const head = (JSON.parse(recorded.stdout) as { head: { id: number; hash: string } }).head;
    expect((await cli('audit', 'verify', '--head', `${head.id}:${head.hash}`)).code).toBe(0);

    await cutRowsAfter(head.id - 2);
    // The chain alone still verifies: what is left is a valid, shorter chain.
    expect((await cli('audit', 'verify')).code).toBe(0);
    const checked = await cli('audit', 'verify', '--head', `${head.id}:${head.hash}`);
    expect(checked.stdout).toContain(`recorded head #${head.id}`);
    expect(checked.code).toBe(1);
  });
});
