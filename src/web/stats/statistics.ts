/** Every statistic of the Statistics page, by name, and a reader that runs them all for one scope. */
import type { DbExecutor } from '../../db/types.ts';
import { approvalWait } from './approval-wait.ts';
import { changeFailureRate } from './change-failure-rate.ts';
import { leadTime } from './lead-time.ts';
import { ordersByOutcome } from './orders-by-outcome.ts';
import { personActivity } from './person-activity.ts';
import { releasesPerApp, releasesPerProject } from './release-counts.ts';
import { releasesPerDay } from './releases-per-day.ts';
import { successRate } from './success-rate.ts';
import { timeToRestore } from './time-to-restore.ts';
import type { StatsScope } from './types.ts';

/** The statistics queries by name (the bench times each one). */
export const STATISTICS = {
  releasesPerDay,
  successRate,
  changeFailureRate,
  leadTime,
  approvalWait,
  timeToRestore,
  releasesPerProject,
  releasesPerApp,
  personActivity,
  ordersByOutcome,
} as const;

export type StatisticName = keyof typeof STATISTICS;

/** The result of every statistic. */
export type Statistics = { [Name in StatisticName]: Awaited<ReturnType<(typeof STATISTICS)[Name]>> };

/** Runs every statistic for `scope` (concurrently: on a pool they use separate connections). */
export async function readStatistics(db: DbExecutor, scope: StatsScope): Promise<Statistics> {
  const [perDay, success, failure, lead, approval, restore, projects, apps, people, outcomes] = await Promise.all([
    releasesPerDay(db, scope),
    successRate(db, scope),
    changeFailureRate(db, scope),
    leadTime(db, scope),
    approvalWait(db, scope),
    timeToRestore(db, scope),
    releasesPerProject(db, scope),
    releasesPerApp(db, scope),
    personActivity(db, scope),
    ordersByOutcome(db, scope),
  ]);
  return {
    releasesPerDay: perDay,
    successRate: success,
    changeFailureRate: failure,
    leadTime: lead,
    approvalWait: approval,
    timeToRestore: restore,
    releasesPerProject: projects,
    releasesPerApp: apps,
    personActivity: people,
    ordersByOutcome: outcomes,
  };
}
