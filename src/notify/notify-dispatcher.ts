/**
 * The fan-out: reads the audit log's transitions after the cursor (`notify_cursor`), turns the key events into one
 * delivery job per subscriber of the order's environment (repo config `notify`), and the environment-set rows
 * (environment-notice.ts) into one per subscriber and project manager, and moves the cursor on in the
 * transaction that queues them — so each event is announced once, whichever process wrote it (server or worker).
 * Runs when kicked, and every `intervalMs` on one server at a time (src/db/periodic-jobs.ts); a tick that finds the
 * cursor moved by another process does nothing.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import { auditLog, notifyCursor, startPeriodicJob } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import type { ConfigLoader } from '../workorders/service/index.ts';
import { notifyConfigsFor } from '../config/index.ts';
import type { RepoConfig } from '../config/types.ts';
import { orderUrl } from '../lib/order-url.ts';
import { AUDIT_ACTIONS, currentPlan, getWorkOrder, type WorkOrder } from '../workorders/service/index.ts';
import { coalescedTask } from '../lib/coalesced-task.ts';
import { ENVIRONMENT_SET_AUDIT_ACTION } from '../config/types.ts';
import { environmentNoticeTargets } from './environment-notice-targets.ts';
import { environmentSetDataSchema, type EnvironmentNotice } from './environment-notice.ts';
import { keyEventKindOf } from './key-events.ts';
import { personCalls } from './person-calls.ts';
import { subscriberTargets } from './subscriber-targets.ts';
import { NOTIFY_QUEUE, type NotifyJobData, type NotifyTarget } from './notify-queue.ts';
import type { KeyEvent } from './types.ts';

/** How the dispatcher queues deliveries (the runtime's queue is one). */
export interface NotifySender {
  send(name: typeof NOTIFY_QUEUE, data: NotifyJobData, options: { tx: Db }): Promise<string | null>;
}

export interface NotifyLog {
  warn(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

export interface NotifyDispatcherOptions {
  db: Db;
  queue: NotifySender;
  loadConfig: ConfigLoader;
  publicUrl: string;
  log: NotifyLog;
  /** Between ticks (default 1000 ms): at most one tick per interval across servers (the periodic job `notify.fanout`). */
  intervalMs?: number;
  /** The lease of the periodic tick on one server (default 30 s): another server ticks once it ran out. */
  leaseMs?: number;
  /** Audit rows read per tick (default 200). */
  batch?: number;
}

export interface NotifyDispatcher {
  /** Looks for new events now. */
  kick(): void;
  /** Runs ticks until the audit log holds nothing unread (tests, shutdown). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** The periodic fan-out pass, as a job shared by the servers. */
export const NOTIFY_FANOUT_JOB = 'notify.fanout';

type AuditRow = typeof auditLog.$inferSelect;

function causeOf(row: AuditRow): unknown {
  const data = row.data;
  return typeof data === 'object' && data !== null && 'cause' in data ? data.cause : undefined;
}

/**
 * The subscribers of the order's environment and of its app's project that asked for `kind`; a subscriber both name
 * gets the event once.
 */
function targetsOf(config: RepoConfig, order: WorkOrder, kind: KeyEvent['kind']): NotifyTarget[] {
  if (order.app === null || order.environment === null) return [];
  const targets = new Map<string, NotifyTarget>();
  for (const notify of notifyConfigsFor(config, order.app, order.environment)) {
    if (!notify.events.includes(kind)) continue;
    for (const target of subscriberTargets(notify)) targets.set(JSON.stringify(target), target);
  }
  return [...targets.values()];
}

export function startNotifyDispatcher(options: NotifyDispatcherOptions): NotifyDispatcher {
  const { db, log } = options;
  const batch = options.batch ?? 200;
  let stopped = false;

  type ConfigOf = (repoFullName: string, installationId: number) => Promise<RepoConfig | undefined>;

  /**
   * The jobs of a transition (or an order's opening) that is a key event of a work order: one per subscriber of its
   * environment, and the calls to the person the order names for the step it reached.
   */
  async function keyEventJobs(row: AuditRow, configOf: ConfigOf): Promise<NotifyJobData[]> {
    const counted = row.action === AUDIT_ACTIONS.transition || row.action === AUDIT_ACTIONS.opened;
    if (!counted || row.workOrderId === null) return [];
    const kind = keyEventKindOf(row.toState, causeOf(row));
    if (kind === undefined) return [];
    const order = await getWorkOrder(db, row.workOrderId);
    if (order === undefined) return [];
    const config = await configOf(order.repoFullName, order.installationId);
    if (config === undefined) return [];
    const targets = targetsOf(config, order, kind);
    const calls = personCalls(config, order, kind);
    if (targets.length === 0 && calls.length === 0) return [];
    const plan = await currentPlan(db, order.id).catch(() => undefined);
    const event: KeyEvent = {
      id: row.id,
      kind,
      workOrderId: order.id,
      repoFullName: order.repoFullName,
      number: order.number,
      title: order.title,
      app: order.app,
      environment: order.environment,
      version: plan?.plan.version ?? null,
      actor: row.actor,
      reason: row.reason,
      at: row.at,
      url: orderUrl(options.publicUrl, order.id),
    };
    return [
      ...targets.map((target) => ({ event, target })),
      ...calls.map(({ call, target }) => ({ event, target, call })),
    ];
  }

  /** The jobs of an environment-set audit row: its subscribers and the project managers, from the config now. */
  async function noticeJobs(row: AuditRow, configOf: ConfigOf): Promise<NotifyJobData[]> {
    const data = environmentSetDataSchema.safeParse(row.data);
    if (!data.success || row.repo === null) return [];
    const config = await configOf(row.repo, data.data.installationId);
    if (config === undefined) return [];
    const notice: EnvironmentNotice = {
      id: row.id,
      repoFullName: row.repo,
      app: data.data.app,
      environment: data.data.environment,
      change: data.data.change,
      commit: data.data.commit,
      actor: row.actor,
      at: row.at,
      url: `${options.publicUrl.replace(/\/+$/, '')}/dashboard/environments`,
    };
    return environmentNoticeTargets(config, notice).map((target) => ({ notice, target }));
  }

  async function cursor(): Promise<number> {
    const [row] = await db.select().from(notifyCursor).where(eq(notifyCursor.id, 1));
    if (row !== undefined) return row.lastAuditId;
    await db.insert(notifyCursor).values({ id: 1, lastAuditId: 0 }).onConflictDoNothing();
    return 0;
  }

  /** One pass; true when it read a full batch (more may wait). */
  async function tick(): Promise<boolean> {
    const from = await cursor();
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, from)).orderBy(asc(auditLog.id)).limit(batch);
    const last = rows.at(-1);
    if (last === undefined) return false;
    const configs = new Map<string, Promise<RepoConfig | undefined>>();
    const configOf = (repoFullName: string, installationId: number): Promise<RepoConfig | undefined> => {
      let config = configs.get(repoFullName);
      if (config === undefined) {
        config = options.loadConfig({ repoFullName, installationId }).then((loaded) => {
          if (loaded.ok) return loaded.config;
          log.warn({ repo: repoFullName, problem: loaded.message }, 'notifications skipped: repo config unusable');
          return undefined;
        });
        configs.set(repoFullName, config);
      }
      return config;
    };
    const jobs: NotifyJobData[] = [];
    for (const row of rows) {
      if (row.action === ENVIRONMENT_SET_AUDIT_ACTION) jobs.push(...(await noticeJobs(row, configOf)));
      else jobs.push(...(await keyEventJobs(row, configOf)));
    }
    await db.transaction(async (tx) => {
      const moved = await tx
        .update(notifyCursor)
        .set({ lastAuditId: last.id })
        .where(and(eq(notifyCursor.id, 1), eq(notifyCursor.lastAuditId, from)))
        .returning({ id: notifyCursor.id });
      // Another process read the same rows first: its jobs are queued; these would be doubles.
      if (moved.length === 0) return;
      for (const job of jobs) await options.queue.send(NOTIFY_QUEUE, job, { tx });
    });
    return rows.length === batch;
  }

  const fanOut = coalescedTask(async () => {
    try {
      while (await tick());
    } catch (error) {
      log.warn({ err: error }, 'notification fan-out failed; trying again');
    }
  });

  // The periodic pass is one server's at a time (kicks after a change stay local: the cursor keeps them single).
  const periodic = startPeriodicJob({
    db,
    name: NOTIFY_FANOUT_JOB,
    periodMs: options.intervalMs ?? 1_000,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    log,
    run: async () => {
      if (!stopped) await fanOut.run();
    },
  });

  return {
    kick() {
      if (!stopped) void fanOut.run();
    },
    // A pass under way when asked runs once more, so rows written before the call are read.
    drain: () => fanOut.run(),
    async stop() {
      stopped = true;
      await periodic.stop();
      await fanOut.settled();
    },
  };
}
