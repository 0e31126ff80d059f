/**
 * `npm run bench:stats`: the dashboard's statistics queries over 100,000 releases on a real PostgreSQL (a throwaway
 * database). Seeds apps, environments, work orders, plan versions, approvals and releases spread over the last
 * 365 days with `insert … select generate_series` (releases in batches of RELEASE_BATCH), and state changes in the
 * audit log, then VACUUM ANALYZEs. The rollup triggers (migrations 0014 and 0022) run for every seeded row:
 * seeding 100,000 releases took about 105 s on 2 busy cores (23 s before migration 0022's triggers). Then it times
 * every query of src/web/stats/statistics.ts over all seeded repos for the last 90 days and the full year: one
 * warm-up run, then BENCH_RUNS runs each. Prints each query's median and max; target < 100 ms each.
 *
 * Environment: BENCH_RELEASES (default 100000), BENCH_RUNS (default 5), BENCH_MAINTENANCE_URL, BENCH_TIMEOUT_MS
 * (default 10 min), BENCH_KEEP=1 (keep the seeded database, to EXPLAIN a query). Otherwise drops its database on
 * success, error, timeout and Ctrl-C.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { Database, Db } from '../src/db/types.ts';
import { keysOf } from '../src/lib/trust-boundaries.ts';
import { STATISTICS, type StatisticName } from '../src/web/stats/statistics.ts';
import type { StatsScope } from '../src/web/stats/types.ts';
import { createTestPostgres, type TestPostgres } from '../test/helpers/database.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { MAINTENANCE_URL } from './dispatch-database.ts';
import { fmtMs, percentile } from './dispatch-stats.ts';

const RELEASES = Number(process.env.BENCH_RELEASES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 10 * 60_000);
const TARGET_MS = 100;
/** Most orders get one release; the rest of the releases are second attempts of the first orders. */
const ORDERS = Math.ceil(RELEASES * 0.8);
const REPOS = 4;
const APPS_PER_REPO = 3;
const PEOPLE = 20;
const DAY_MS = 86_400_000;
const RELEASE_BATCH = 2_000;

let server: TestPostgres | undefined;
let database: Database | undefined;
const KEEP = process.env.BENCH_KEEP === '1';
const cleanup = benchCleanup(
  'bench:stats',
  async () => {
    await database?.close().catch(() => undefined);
    if (KEEP && server !== undefined) {
      console.log(`kept ${server.url} (BENCH_KEEP=1): drop it yourself`);
      return;
    }
    await server?.drop().catch((error: unknown) => {
      console.error('dropping the bench database failed:', error);
    });
  },
  TIMEOUT_MS,
);

/** Seeds the tables the statistics read; every row's time is relative to `now` so the ranges below cover them. */
async function seed(db: Db, now: Date): Promise<void> {
  const end = sql`${now.toISOString()}::timestamptz`;
  const person = (expression: string) => sql.raw(`'user' || lpad((1 + (${expression}) % ${PEOPLE})::text, 2, '0')`);
  await db.execute(sql`
    insert into apps (repo_full_name, name, project, deploy_to)
    select 'acme/repo-' || r, 'app-' || a, case when a = 3 then null else 'project-' || ((r + a) % 3) end, '/srv/app-' || a
    from generate_series(1, ${REPOS}) r, generate_series(1, ${APPS_PER_REPO}) a`);
  await db.execute(sql`
    insert into environments (repo_full_name, app, name, production, approvals_needed)
    select a.repo_full_name, a.name, e.name, e.name = 'production', case when e.name = 'production' then 2 else 1 end
    from apps a, (values ('staging'), ('qa'), ('production')) e(name)`);
  // Orders evenly over the year (with an hour of jitter), repo, app and environment cycling independently.
  await db.execute(sql`
    insert into work_orders (repo_full_name, installation_id, kind, number, title, state, app, environment,
      requester, plan_author, deployer, created_at, updated_at)
    select 'acme/repo-' || (1 + k % ${REPOS}), 1, 'issue', k, 'Order ' || k, 'succeeded',
      'app-' || (1 + (k / ${REPOS}) % ${APPS_PER_REPO}), (array['staging', 'qa', 'production'])[1 + (k / 7) % 3],
      ${person('k * 7')}, ${person('k * 7 + 1')}, ${person('k * 7 + 2')},
      t, t
    from generate_series(1, ${ORDERS}) k,
      lateral (select ${end} - interval '368 days' + (k::float8 / ${ORDERS}) * interval '365 days' + random() * interval '1 hour' as t) times`);
  // One plan per order, a second (new digest) for every tenth.
  await db.execute(sql`
    insert into plan_versions (work_order_id, seq, author, yaml, plan, digest, created_at)
    select w.id, s, w.plan_author, 'app: x', '{}'::jsonb, 'digest-' || w.id || '-' || s,
      w.created_at + s * interval '20 minutes' + random() * interval '6 hours'
    from work_orders w, generate_series(1, 2) s
    where s = 1 or w.id % 10 = 0`);
  // Approvals for the current plan: as many as the environment needs, by people other than its author; a rejection
  // of the first plan of every tenth order; a third vote on production now and then.
  await db.execute(sql`
    insert into approvals (work_order_id, actor, source, digest, verdict, source_ref, created_at)
    select p.work_order_id, ${person('p.work_order_id * 7 + 2 + n')}, 'github', p.digest, 'approved',
      'review:' || p.id || '-' || n, p.created_at + n * random() * interval '4 hours'
    from plan_versions p join work_orders w on w.id = p.work_order_id, generate_series(1, 3) n
    where p.seq = case when w.id % 10 = 0 then 2 else 1 end
      and (n <= case when w.environment = 'production' then 2 else 1 end or (n = 3 and w.id % 5 = 0))`);
  await db.execute(sql`
    insert into approvals (work_order_id, actor, source, digest, verdict, source_ref, created_at)
    select p.work_order_id, ${person('p.work_order_id * 7 + 5')}, 'slack', p.digest, 'rejected', 'slack:' || p.id,
      p.created_at + interval '10 minutes'
    from plan_versions p where p.seq = 1 and p.work_order_id % 10 = 0`);
  // What the service stamps when a plan's quorum is reached: the vote of the N-th distinct approver.
  await db.execute(sql`
    update plan_versions p set quorum_reached_at = q.at
    from (
      select v.work_order_id, v.digest, (array_agg(v.at order by v.at))[greatest(coalesce(e.approvals_needed, 1), 1)] as at
      from (select work_order_id, digest, actor, min(created_at) as at from approvals where verdict = 'approved' group by 1, 2, 3) v
      join work_orders w on w.id = v.work_order_id
      left join environments e on e.repo_full_name = w.repo_full_name and e.app = w.app and e.name = w.environment
      group by v.work_order_id, v.digest, e.approvals_needed
    ) q
    where q.work_order_id = p.work_order_id and q.digest = p.digest and q.at is not null
      and p.id = (select min(f.id) from plan_versions f where f.work_order_id = p.work_order_id and f.digest = p.digest)`);
  // Releases: 80% succeeded, 7% partial, 10% failed, 3% aborted; second attempts mostly succeed. In batches: every
  // row goes through the rollup triggers, whose counter rows would otherwise grow one long version chain each
  // within a single statement.
  for (let first = 1; first <= RELEASES; first += RELEASE_BATCH) {
    const last = Math.min(RELEASES, first + RELEASE_BATCH - 1);
    await db.execute(sql`
    insert into releases (work_order_id, release_id, repo_full_name, app, environment, version, status,
      started_at, finished_at, created_at)
    select w.id, 'rel-' || i, w.repo_full_name, w.app, w.environment, '1.' || i,
      case when attempt = 1 and roll < 0.9 then 'succeeded'
        when roll < 0.80 then 'succeeded' when roll < 0.87 then 'partial' when roll < 0.97 then 'failed' else 'aborted' end,
      f - interval '5 minutes', f, f - interval '10 minutes'
    from generate_series(${first}::int, ${last}::int) i,
      lateral (select (i - 1) / ${ORDERS} as attempt, random() as roll) draw,
      lateral (select * from work_orders where id = 1 + (i - 1) % ${ORDERS}) w,
      lateral (select w.created_at + interval '2 hours' + random() * interval '3 days' + attempt * interval '12 hours' as f) finish`);
    // The triggers' cached plans were made when releases was empty (sequential scans); ANALYZE remakes them, as
    // autovacuum would on a live database.
    if (first % (RELEASE_BATCH * 10) === 1) await db.execute(sql`analyze releases, restore_incidents`);
  }
  // What storing a succeeded result does: the order's first success stamps it.
  await db.execute(sql`
    update work_orders w set released_at = r.at
    from (select work_order_id, min(finished_at) as at from releases where status = 'succeeded' group by 1) r
    where r.work_order_id = w.id`);
  // State changes in the audit log (work orders by outcome): each finished release moves its order, every third
  // success is accepted a day later, every tenth order's first plan is rejected, every fiftieth is rolled back.
  await db.execute(sql`
    insert into audit_log (at, actor, action, work_order_id, from_state, to_state, data, prev_hash, hash)
    select r.finished_at, 'yardmaster', 'work_order.transition', r.work_order_id, 'running',
      case when r.status = 'succeeded' then 'succeeded' when r.status = 'aborted' then 'aborted' else 'failed' end,
      jsonb_build_object('cause', case when r.status = 'succeeded' then 'release-succeeded' when r.status = 'aborted' then 'aborted' else 'release-failed' end),
      'bench-release-prev-' || r.id, 'bench-release-' || r.id
    from releases r`);
  await db.execute(sql`
    insert into audit_log (at, actor, action, work_order_id, from_state, to_state, data, prev_hash, hash)
    select e.at, ${person('e.work_order_id * 7')}, 'work_order.transition', e.work_order_id, e.from_state, e.to_state,
      jsonb_build_object('cause', e.cause), 'bench-' || e.kind || '-prev-' || e.work_order_id, 'bench-' || e.kind || '-' || e.work_order_id
    from (
      select 'accepted' as kind, w.released_at + interval '1 day' as at, w.id as work_order_id, 'succeeded' as from_state,
        'accepted' as to_state, 'accepted' as cause
      from work_orders w where w.released_at is not null and w.id % 3 = 0
      union all
      select 'rejected', w.created_at + interval '30 minutes', w.id, 'planned', 'rejected', 'rejected'
      from work_orders w where w.id % 10 = 0
      union all
      select 'rollback', w.released_at + interval '2 hours', w.id, 'running', 'failed', 'rollback-finished'
      from work_orders w where w.released_at is not null and w.id % 50 = 0
    ) e`);
  // VACUUM too, as autovacuum would have by then: it sets the visibility map that index-only scans rely on.
  await db.execute(sql`vacuum analyze`);
}

/** Times `run` once to warm up, then RUNS times; milliseconds. */
async function time(run: () => Promise<unknown>): Promise<number[]> {
  await run();
  const times: number[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

async function main(): Promise<void> {
  server = await createTestPostgres({ maintenanceUrl: MAINTENANCE_URL, prefix: 'ym_bench_stats_' });
  database = await openDatabase({ url: server.url, maxConnections: 2 });
  await migrateDatabase(database);
  const now = new Date();
  const seedStart = performance.now();
  await seed(database.db, now);
  console.log(
    `bench:stats on ${server.name}: seeded ${RELEASES} releases, ${ORDERS} work orders in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  const repos = Array.from({ length: REPOS }, (_, index) => `acme/repo-${index + 1}`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  const scopes: { label: string; scope: StatsScope }[] = [
    { label: '90 days', scope: { repos, from: new Date(today - 90 * DAY_MS), to: new Date(today) } },
    { label: '365 days', scope: { repos, from: new Date(today - 365 * DAY_MS), to: new Date(today) } },
    {
      label: '365 days, one project',
      scope: { repos, from: new Date(today - 365 * DAY_MS), to: new Date(today), project: 'project-1' },
    },
  ];
  const names: StatisticName[] = keysOf(STATISTICS);
  const db = database.db;
  let slowest = 0;
  console.log(`\n${'query'.padEnd(22)} ${'range'.padEnd(22)} ${'median ms'.padStart(10)} ${'max ms'.padStart(10)}`);
  for (const { label, scope } of scopes) {
    for (const name of names) {
      const times = await time(() => STATISTICS[name](db, scope));
      const max = Math.max(...times);
      slowest = Math.max(slowest, max);
      console.log(
        `${name.padEnd(22)} ${label.padEnd(22)} ${fmtMs(percentile(times, 50)).padStart(10)} ${fmtMs(max).padStart(10)}${max > TARGET_MS ? '  over target' : ''}`,
      );
    }
  }
  console.log(
    `\nslowest run ${fmtMs(slowest)} ms; target < ${TARGET_MS} ms per query: ${slowest < TARGET_MS ? 'met' : 'NOT met'}`,
  );
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
