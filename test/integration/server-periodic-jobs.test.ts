/**
 * Periodic jobs with three real servers on one PostgreSQL database: the stall sweep of the webhook inbox and the
 * notification fan-out each run once per period, by one server (the holder of the job's lease), and when that server
 * is SIGKILLed another takes the job over and keeps the period. The runs are read from the servers' own log lines
 * ("periodic job ran", with the database's time of the run).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestPostgres, type TestPostgres } from '../helpers/database.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import { serverGroup, type ServerGroup } from '../helpers/server-processes.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Periods with YARDMASTER_LEASE_SECONDS=2: the stall sweep a third of the lease, the fan-out its default 1 s. */
const JOBS = { 'github.stalled-deliveries': 666, 'notify.fanout': 1000 } as const;
type JobName = keyof typeof JOBS;

const runLine = z.object({
  msg: z.literal('periodic job ran'),
  job: z.string(),
  holder: z.string(),
  at: z.iso.datetime(),
});

interface Run {
  job: string;
  holder: string;
  at: number;
}

let fake: FakeGitHubApi;
let work: string;
let database: TestPostgres;
let group: ServerGroup | undefined;

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  work = await mkdtemp(join(tmpdir(), 'ym-periodic-'));
  await copyFile(join(ROOT, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(ROOT, 'package.json'), join(work, 'package.json'));
  database = await createTestPostgres();
});

afterAll(async () => {
  await group?.kill();
  await fake?.close();
  await database?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every run the servers logged so far. */
function runsOf(servers: ServerGroup): Run[] {
  const runs: Run[] = [];
  for (const server of servers.servers)
    for (const line of server.process.output().split('\n')) {
      if (!line.includes('periodic job ran')) continue;
      const parsed = runLine.safeParse(JSON.parse(line));
      if (parsed.success)
        runs.push({ job: parsed.data.job, holder: parsed.data.holder, at: Date.parse(parsed.data.at) });
    }
  return runs.sort((a, b) => a.at - b.at);
}

/** The runs of `job`, checked: never two in one period (by the database's clock), whichever servers ran them. */
function checkedRuns(servers: ServerGroup, job: JobName): Run[] {
  const runs = runsOf(servers).filter((run) => run.job === job);
  const gaps = runs.slice(1).map((run, index) => run.at - (runs[index]?.at ?? 0));
  // The log says milliseconds; the database keeps microseconds.
  expect(
    gaps.filter((gap) => gap < JOBS[job] - 1),
    `${job} ran twice within a period`,
  ).toEqual([]);
  return runs;
}

describe('periodic jobs on three servers', () => {
  it('run once per period on one server, and go on on another when it is killed', { timeout: 180_000 }, async () => {
    const servers = serverGroup({
      databaseUrl: database.url,
      githubApiUrl: fake.baseUrl,
      cwd: work,
      secret: 'periodic-secret',
      env: { YARDMASTER_LEASE_SECONDS: '2', LOG_LEVEL: 'debug' },
    });
    group = servers;
    try {
      await Promise.all([servers.start(), servers.start(), servers.start()]);
      const jobs = Object.keys(JOBS) as JobName[];
      for (const job of jobs)
        await waitFor(`four runs of ${job}`, () =>
          Promise.resolve(checkedRuns(servers, job).length >= 4 ? true : undefined),
        );
      const holders = new Map(jobs.map((job) => [job, new Set(checkedRuns(servers, job).map((run) => run.holder))]));
      // One holder per job while every server runs.
      for (const job of jobs) expect(holders.get(job)?.size, job).toBe(1);
      const [stallHolder] = holders.get('github.stalled-deliveries') ?? [];
      const doomed = servers.servers.find((server) => stallHolder?.includes(`:${server.pid}:`));
      if (doomed === undefined) throw new Error(`no server holds the stall sweep (${stallHolder})`);
      const before = new Map(jobs.map((job) => [job, checkedRuns(servers, job).length]));
      doomed.process.child.kill('SIGKILL');
      await doomed.process.exited();
      for (const job of jobs)
        await waitFor(`${job} taken over`, () => {
          const after = checkedRuns(servers, job).slice(before.get(job) ?? 0);
          return Promise.resolve(
            after.filter((run) => !run.holder.includes(`:${doomed.pid}:`)).length >= 3 ? true : undefined,
          );
        });
      for (const job of jobs) {
        const runs = checkedRuns(servers, job);
        const after = runs.slice(before.get(job) ?? 0);
        // No run by the killed server once it was gone, and one holder of the job again.
        expect(
          after.filter((run) => run.holder.includes(`:${doomed.pid}:`)),
          job,
        ).toEqual([]);
        expect(new Set(after.map((run) => run.holder)).size, job).toBe(1);
      }
    } catch (error) {
      console.log(
        servers
          .outputs()
          .split('\n')
          .filter((line) => line.includes('periodic') || line.includes('"level":50'))
          .join('\n'),
      );
      throw error;
    }
  });
});
