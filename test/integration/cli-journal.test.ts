/**
 * CLI releases and rollbacks in the server's database: `yardmaster deploy` and `rollback` run as real processes
 * against sshd hosts with DATABASE_URL set, and what they did is in PostgreSQL when they exit: the releases row, each
 * host's run and stages, the output (capped like a worker's), audit rows by `cli:<user>`, and the environment with
 * its live versions. Journals whose writer died are finished as aborted; a file that is not a journal is set aside.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalDir } from '../../src/journal/index.ts';
import { startJournalImport } from '../../src/dispatch/index.ts';
import { auditLog, hostRuns, releases, stageEvents, stageOutput } from '../../src/db/schema.ts';
import { verifyAuditChain } from '../../src/db/audit-log.ts';
import { rawRows } from '../../src/db/raw-rows.ts';
import { OUTPUT_LINES_KEPT } from '../../src/journal/output-limits.ts';
import { environmentsOverview } from '../../src/web/queries/environments-overview.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fleetConfigYaml, planYaml } from '../helpers/cli-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { spawnNode } from '../helpers/spawned-process.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

const BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));
const CHATTY_LINES = 2_500;

let fleet: SshdFleet;
let work: string;
let test: TestDatabase;
let config: string;
const pkgs = new Map<string, BuiltPackage>();

async function writePlan(version: string, postDeploy: string): Promise<string> {
  const pkg = pkgs.get(version);
  if (pkg === undefined) throw new Error(`no package ${version}`);
  const file = join(work, `plan-${version}.yml`);
  await writeFile(
    file,
    planYaml(version, pkg, '{ mode: parallel }', ['commands:', `  post_deploy: [${JSON.stringify(postDeploy)}]`]),
  );
  return file;
}

async function yardmaster(args: string[]): Promise<{ code: number | null; output: string }> {
  const cli = spawnNode(
    [BIN, ...args],
    {
      HOME: work,
      USER: 'casey',
      YARDMASTER_CACHE_DIR: join(work, 'cache'),
      DATABASE_URL: test.url ?? '',
    },
    work,
  );
  const code = await cli.exited(120_000);
  return { code, output: cli.output() };
}

const spool = (): string => journalDir(join(work, 'cache'), { kind: 'url', url: test.url ?? '' });

beforeAll(async () => {
  fleet = await startSshdFleet(2);
  work = await mkdtemp(join(tmpdir(), 'ym-cli-journal-'));
  for (const version of ['1.0.0', '2.0.0', '3.0.0']) pkgs.set(version, await buildPackage(join(work, 'pkgs'), version));
  config = join(work, 'yardmaster.yml');
  await writeFile(config, fleetConfigYaml(fleet, 'staging: { hosts: [web], production: true }'));
  test = await openTestDatabase('postgres');
}, 120_000);

afterAll(async () => {
  await test?.cleanup();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('CLI runs recorded in the database', () => {
  it('records a deploy: release, host runs, stages, capped output, audit by cli:<user>, the environment', async () => {
    const first = await yardmaster([
      'deploy',
      '--config',
      config,
      '--identity',
      fleet.privateKeyPath,
      await writePlan('1.0.0', `seq 1 ${CHATTY_LINES}`),
    ]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).not.toContain('not recorded');
    expect(first.output).not.toContain('incomplete');
    const db = test.database.db;
    const [release] = await db.select().from(releases).where(eq(releases.version, '1.0.0'));
    expect(release).toMatchObject({
      repoFullName: 'local/shop',
      app: 'shop',
      environment: 'staging',
      status: 'succeeded',
      workOrderId: null,
    });
    if (release === undefined) throw new Error('no release');
    expect(release.startedAt).not.toBeNull();
    expect(release.finishedAt?.getTime()).toBeGreaterThanOrEqual(release.startedAt?.getTime() ?? 0);
    expect(release.batches).toEqual([fleet.hosts.map((host) => host.name)]);
    const runs = await db.select().from(hostRuns).where(eq(hostRuns.releaseId, release.releaseId));
    expect(runs.map((run) => [run.host, run.outcome]).toSorted()).toEqual(
      fleet.hosts.map((host) => [host.name, 'released']),
    );
    const stages = await db.select().from(stageEvents).where(eq(stageEvents.releaseId, release.releaseId));
    // Nine stages started and finished on each host.
    expect(stages.filter((row) => row.result !== 'started')).toHaveLength(9 * fleet.hosts.length);
    // Output as a worker keeps it: the first 1,000 lines of each host's stage, then what was not kept, counted.
    const host = fleet.hosts[0]?.name ?? '';
    const output = await db
      .select()
      .from(stageOutput)
      .where(
        sql`${stageOutput.releaseId} = ${release.releaseId} and ${stageOutput.host} = ${host} and ${stageOutput.stage} = 'post_deploy'`,
      )
      .orderBy(asc(stageOutput.id));
    expect(output.slice(0, 3).map((row) => row.line)).toEqual(['1', '2', '3']);
    expect(output).toHaveLength(OUTPUT_LINES_KEPT + 2);
    expect(output.at(-1)?.line).toBe(
      `… ${CHATTY_LINES - OUTPUT_LINES_KEPT} more lines (${[...Array(CHATTY_LINES - OUTPUT_LINES_KEPT).keys()].reduce((sum, index) => sum + String(OUTPUT_LINES_KEPT + 1 + index).length, 0)} bytes) of this stage were not kept`,
    );
    const audit = await db.select().from(auditLog).orderBy(asc(auditLog.id));
    expect(audit.map((row) => [row.actor, row.action, row.repo])).toEqual([
      ['cli:casey', 'cli.release.started', 'local/shop'],
      ['cli:casey', 'cli.release.finished', 'local/shop'],
    ]);
    expect(audit[1]?.reason).toContain('succeeded: 2 of 2 host(s)');
    expect((await verifyAuditChain(db)).ok).toBe(true);
    // Imported and gone from the spool.
    expect(await readdir(spool())).toEqual([]);
  }, 180_000);

  it('records a failed release and the rollback after it, and the environment shows what runs where', async () => {
    const deploy = async (version: string, postDeploy: string) =>
      yardmaster([
        'deploy',
        '--config',
        config,
        '--identity',
        fleet.privateKeyPath,
        await writePlan(version, postDeploy),
      ]);
    const second = await deploy('2.0.0', 'true');
    expect(second.code, second.output).toBe(0);
    const failed = await deploy('3.0.0', 'exit 3');
    expect(failed.code, failed.output).toBe(1);
    const back = await yardmaster([
      'rollback',
      '--config',
      config,
      '--identity',
      fleet.privateKeyPath,
      '--app',
      'shop',
      '--env',
      'staging',
    ]);
    expect(back.code, back.output).toBe(0);
    const db = test.database.db;
    const rows = await db.select().from(releases).orderBy(asc(releases.id));
    expect(rows.map((row) => [row.version, row.status])).toEqual([
      ['1.0.0', 'succeeded'],
      ['2.0.0', 'succeeded'],
      ['3.0.0', 'failed'],
      ['1.0.0', 'succeeded'],
    ]);
    expect(rows[3]?.result).toMatchObject({ kind: 'rollback', ok: true });
    const [overview] = await environmentsOverview(db, ['local/shop']);
    expect(overview).toMatchObject({ repoFullName: 'local/shop', app: 'shop', name: 'staging', production: true });
    expect(overview?.hosts.map((host) => host.version)).toEqual(['1.0.0', '1.0.0']);
    expect(overview?.recent.map((release) => release.workOrderId)).toEqual([null, null, null, null]);
    // The statistics count them: the day rollup the statistics read has them by status.
    const counts = rawRows(
      await db.execute(
        sql`select status, sum(n)::int as n from release_day_counts where repo_full_name = 'local/shop' group by status order by status`,
      ),
    );
    expect(counts).toEqual([
      { status: 'failed', n: 1 },
      { status: 'succeeded', n: 3 },
    ]);
    const actions = (await db.select().from(auditLog).orderBy(asc(auditLog.id))).map((row) => row.action);
    expect(actions.slice(2)).toEqual([
      'cli.release.started',
      'cli.release.finished',
      'cli.release.started',
      'cli.release.finished',
      'cli.rollback.started',
      'cli.rollback.finished',
    ]);
  }, 180_000);

  it('finishes a journal whose process died as aborted, and sets aside a file that is not a journal', async () => {
    const dir = join(work, 'spool-by-hand');
    await mkdir(dir, { recursive: true });
    const begin = {
      type: 'begin',
      kind: 'release',
      releaseId: 'mxdead00-0badf00d',
      repo: 'local/shop',
      app: 'shop',
      environment: 'staging',
      version: '9.9.9',
      attempt: 1,
      actor: 'cli:casey',
      at: new Date().toISOString(),
      production: false,
      deployTo: '/srv/shop',
      hosts: ['web-1'],
      // No process has this pid: the writer is gone.
      pid: 2 ** 22 + 1,
      hostname: (await import('node:os')).hostname(),
    };
    const started = {
      type: 'event',
      at: begin.at,
      event: { type: 'stage.started', releaseId: begin.releaseId, host: 'web-1', stage: 'check' },
    };
    writeFileSync(
      join(dir, `${begin.releaseId}.1.jsonl`),
      `${JSON.stringify(begin)}\n${JSON.stringify(started)}\n{"type":"ev`,
    );
    writeFileSync(join(dir, 'zz-not-a-journal.1.jsonl'), '{"type":"event"}\n');
    const problems: string[] = [];
    const importer = startJournalImport(test.database.db, {
      dir,
      intervalMs: 0,
      onProblem: (message) => problems.push(message),
    });
    await importer.pass();
    await importer.stop();
    const db = test.database.db;
    const [row] = await db.select().from(releases).where(eq(releases.releaseId, begin.releaseId));
    expect(row?.status).toBe('aborted');
    expect(JSON.stringify(row?.result)).toContain('ended before the release did');
    expect(await db.select().from(stageEvents).where(eq(stageEvents.releaseId, begin.releaseId))).toHaveLength(1);
    expect((await readdir(dir)).toSorted()).toEqual(['zz-not-a-journal.1.jsonl.broken']);
    expect(problems.join('\n')).toContain('zz-not-a-journal.1.jsonl');
  });
});
