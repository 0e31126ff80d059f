/**
 * Periodic jobs shared by several server processes on one database (`periodic_job_leases`): each job runs once per
 * period, on the server that holds its lease. A server holds a job's lease from its first tick until it stops
 * (renewed at every tick: every half period, at least every third of the lease); another server takes the job over once the
 * lease ran out (its holder died) or was given back (its holder stopped). The period is kept across holders:
 * `last_run_at` is the database's, so a job runs again only a period after its last run, whichever server ran it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq, sql } from 'drizzle-orm';
import { periodicJobLeases } from './schema.ts';
import type { Db } from './types.ts';

/** Default lease of a periodic job: a dead holder's jobs are taken over this long after its last tick. */
export const DEFAULT_PERIODIC_LEASE_MS = 30_000;

let processHolder: string | undefined;

/** This process's name on leases: host name, pid and a random part (a restarted pid is another holder). */
export function processHolderId(): string {
  processHolder ??= `${hostname().slice(0, 64)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  return processHolder;
}

/** A turn of a job: held by this holder, and whether it is due now (then its run is recorded at `at`). */
export interface PeriodicTurn {
  held: boolean;
  /** The job runs now: `last_run_at` was a period ago or more (or never), and was set to `at`. */
  due: boolean;
  at: Date | undefined;
}

/**
 * Takes or renews `holder`'s lease on job `name` and, when the job is due, records its run: one statement, so that of
 * several servers asking at once one holds the job and at most one run is recorded per period.
 */
export async function takePeriodicTurn(
  db: Db,
  name: string,
  holder: string,
  periodMs: number,
  leaseMs: number,
): Promise<PeriodicTurn> {
  const due = sql`(${periodicJobLeases.lastRunAt} is null or ${periodicJobLeases.lastRunAt} <= now() - ${Math.round(periodMs)} * interval '1 millisecond')`;
  const [row] = await db
    .insert(periodicJobLeases)
    .values({
      name,
      holder,
      leaseUntil: sql`now() + ${Math.round(leaseMs)} * interval '1 millisecond'`,
      lastRunAt: sql`now()`,
    })
    .onConflictDoUpdate({
      target: periodicJobLeases.name,
      set: {
        holder: sql`excluded.holder`,
        leaseUntil: sql`excluded.lease_until`,
        lastRunAt: sql`case when ${due} then now() else ${periodicJobLeases.lastRunAt} end`,
      },
      setWhere: sql`${periodicJobLeases.holder} = excluded.holder or ${periodicJobLeases.leaseUntil} < now()`,
    })
    .returning({
      lastRunAt: periodicJobLeases.lastRunAt,
      due: sql<boolean>`${periodicJobLeases.lastRunAt} = now()`,
    });
  if (row === undefined) return { held: false, due: false, at: undefined };
  return { held: true, due: row.due, at: row.due ? (row.lastRunAt ?? undefined) : undefined };
}

/** Gives job `name` back, if `holder` holds it (a server stopping): another server takes it at its next tick. */
export async function releasePeriodicJob(db: Db, name: string, holder: string): Promise<void> {
  await db.delete(periodicJobLeases).where(and(eq(periodicJobLeases.name, name), eq(periodicJobLeases.holder, holder)));
}

export interface PeriodicJobLog {
  debug?(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface PeriodicJobOptions {
  db: Db;
  /** The job's name, the same on every server (`lanes.sweep`). */
  name: string;
  /** At most one run per period across servers. */
  periodMs: number;
  /** Default {@link DEFAULT_PERIODIC_LEASE_MS}. */
  leaseMs?: number;
  /** Default {@link processHolderId}. */
  holder?: string;
  log: PeriodicJobLog;
  /** The job; a failure is logged, and the next period runs it again. */
  run(): Promise<void>;
}

export interface PeriodicJob {
  /** Stops ticking, waits for a run under way and gives the lease back. */
  stop(): Promise<void>;
}

/** Ticks every `min(period / 2, lease / 3)` and runs the job when this server holds it and it is due. */
export function startPeriodicJob(options: PeriodicJobOptions): PeriodicJob {
  const leaseMs = options.leaseMs ?? DEFAULT_PERIODIC_LEASE_MS;
  const holder = options.holder ?? processHolderId();
  const { db, name, log } = options;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      const turn = await takePeriodicTurn(db, name, holder, options.periodMs, leaseMs);
      if (!turn.due || stopped) return;
      log.debug?.({ job: name, holder, at: turn.at?.toISOString() }, 'periodic job ran');
      await options.run();
    } catch (error) {
      log.warn({ err: error, job: name }, 'periodic job failed');
    }
  };
  const timer = setInterval(
    () => {
      if (running !== undefined || stopped) return;
      running = tick().finally(() => {
        running = undefined;
      });
    },
    Math.max(50, Math.floor(Math.min(options.periodMs / 2, leaseMs / 3))),
  );
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      try {
        await releasePeriodicJob(db, name, holder);
      } catch (error) {
        log.warn({ err: error, job: name }, 'could not give a periodic job back: it moves on when its lease ends');
      }
    },
  };
}
